import { createHmac, randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { keyedHmacSha256 } from "@/lib/anonymize/hmac-sha256";

const nodeHmac = (key: string | Buffer, message: string) => createHmac("sha256", key).update(message, "utf8").digest("hex");

describe("keyedHmacSha256", () => {
  it("gives RFC 4231's HMAC-SHA-256 test vectors", () => {
    expect(keyedHmacSha256(Buffer.alloc(20, 0x0b))("Hi There").toString("hex")).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    expect(keyedHmacSha256("Jefe")("what do ya want for nothing?").toString("hex")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // A key longer than the block is hashed first.
    expect(keyedHmacSha256(Buffer.alloc(131, 0xaa))("Test Using Larger Than Block-Size Key - Hash Key First").toString("hex")).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("is createHmac's HMAC-SHA-256 for random keys and messages of every length around the block edges", () => {
    const alphabet = "abcXYZ019:-_ éü€😀\u0000";
    for (let trial = 0; trial < 3000; trial++) {
      const key = trial % 3 === 0 ? randomBytes(trial % 150) : randomBytes(24).toString("base64");
      const mac = keyedHmacSha256(key);
      for (let repeat = 0; repeat < 3; repeat++) {
        const length = (trial * 7 + repeat * 31) % 200;
        let message = "";
        for (let index = 0; index < length; index++) message += trial % 4 === 0 ? alphabet[(index * 13 + trial) % alphabet.length] : String.fromCharCode(97 + ((index + trial) % 26));
        expect(mac(message).toString("hex")).toBe(nodeHmac(key, message));
      }
    }
  });

  it("does not let one message's bytes leak into the next (the buffer is reused)", () => {
    const mac = keyedHmacSha256("a key of some length");
    const long = "pseudonym:encounter:".repeat(10);
    expect(mac(long).toString("hex")).toBe(nodeHmac("a key of some length", long));
    expect(mac("p1").toString("hex")).toBe(nodeHmac("a key of some length", "p1"));
    expect(mac("").toString("hex")).toBe(nodeHmac("a key of some length", ""));
  });
});
