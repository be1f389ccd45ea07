// crc32Combine against zlib.crc32 of the concatenation itself.
import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

import { describe, expect, it } from "vitest";

import { crc32Combine } from "@/lib/datasets/crc32-combine";

describe("crc32Combine", () => {
  it("equals zlib.crc32 of the concatenation, for parts of many lengths (empty ones too)", () => {
    const lengths = [0, 1, 2, 3, 7, 8, 15, 16, 255, 256, 1000, 4096, 65_537, 1_000_003];
    for (const lengthA of lengths) {
      for (const lengthB of [0, 1, 5, 64, 4097, 300_001]) {
        const a = randomBytes(lengthA);
        const b = randomBytes(lengthB);
        expect(crc32Combine(crc32(a), crc32(b), b.length), `${lengthA}+${lengthB}`).toBe(crc32(Buffer.concat([a, b])));
      }
    }
  });

  it("chains over many parts as the export does, in order", () => {
    const parts = Array.from({ length: 12 }, (_, index) => randomBytes(1 + index * 3331));
    let combined = 0;
    for (const part of parts) combined = crc32Combine(combined, crc32(part), part.length);
    expect(combined).toBe(crc32(Buffer.concat(parts)));
    // Order matters: the same parts reversed give another CRC.
    let reversed = 0;
    for (const part of [...parts].reverse()) reversed = crc32Combine(reversed, crc32(part), part.length);
    expect(reversed).not.toBe(combined);
  });

  it("gives the same CRC in one step as in several for the same total length (4 MiB of zeros)", () => {
    const a = randomBytes(100);
    const zeros = Buffer.alloc(1 << 20);
    const crcZeros = crc32(zeros);
    let stepwise = crc32(a);
    for (let index = 0; index < 4; index++) stepwise = crc32Combine(stepwise, crcZeros, zeros.length);
    const crc4MiB = crc32(Buffer.alloc(4 << 20));
    expect(crc32Combine(crc32(a), crc4MiB, 4 << 20)).toBe(stepwise);
    expect(stepwise).toBe(crc32(Buffer.concat([a, Buffer.alloc(4 << 20)])));
  });
});
