// HMAC-SHA-256 (RFC 2104, FIPS 180-4) for the export's keyed pseudonyms: a million short ids per
// bulk export, one MAC each. node:crypto's createHmac costs ~2-3 µs per call here, nearly all of it
// in making the Hmac object and hashing the key's pads again; the MAC itself is four SHA-256 blocks.
// This keyed function hashes the two pads once, so each message costs its own blocks only
// (two for an id: one inner, one outer). The output is HMAC-SHA-256 exactly: the tests compare it
// with createHmac over random keys and messages and with RFC 4231's vectors.
import { createHash } from "node:crypto";

const BLOCK_BYTES = 64;

// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** One SHA-256 compression: folds the 64-byte block at `offset` of `bytes` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number, w: Int32Array) {
  for (let index = 0; index < 16; index++) {
    const at = offset + index * 4;
    w[index] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
  }
  for (let index = 16; index < 64; index++) {
    const w15 = w[index - 15]!;
    const w2 = w[index - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[index] = (w[index - 16]! + s0 + w[index - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let index = 0; index < 64; index++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + s1 + choice + K[index]! + w[index]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (s0 + majority) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** The state after one block of the key XOR `pad` (the part of every MAC that only depends on the key). */
function padState(key: Buffer, pad: number, w: Int32Array) {
  const block = new Uint8Array(BLOCK_BYTES);
  for (let index = 0; index < BLOCK_BYTES; index++) block[index] = (key[index] ?? 0) ^ pad;
  const state = Int32Array.from(INITIAL_STATE);
  compress(state, block, 0, w);

  return state;
}

/**
 * HMAC-SHA-256 under one key: returns a function from a message (UTF-8) to its 32-byte MAC.
 * Not for concurrent use across threads; each call returns a new Buffer.
 */
export function keyedHmacSha256(key: string | Buffer): (message: string) => Buffer {
  let keyBytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (keyBytes.length > BLOCK_BYTES) keyBytes = createHash("sha256").update(keyBytes).digest();
  const w = new Int32Array(64);
  const innerStart = padState(keyBytes, 0x36, w);
  const outerStart = padState(keyBytes, 0x5c, w);
  const state = new Int32Array(8);
  // The message, its 0x80 and its length, padded to whole blocks; grown for longer messages.
  let buffer = new Uint8Array(4 * BLOCK_BYTES);
  const outer = new Uint8Array(BLOCK_BYTES);
  // The outer block is the inner digest (32 bytes), 0x80, zeros and the bit length of pad + digest.
  outer[32] = 0x80;
  outer[62] = ((BLOCK_BYTES + 32) * 8) >>> 8;
  outer[63] = ((BLOCK_BYTES + 32) * 8) & 0xff;

  return (message: string) => {
    const maxBytes = message.length * 3;
    if (maxBytes + 9 > buffer.length) buffer = new Uint8Array(Math.ceil((maxBytes + 9) / BLOCK_BYTES) * BLOCK_BYTES);
    let length = 0;
    let ascii = true;
    for (let index = 0; index < message.length; index++) {
      const unit = message.charCodeAt(index);
      if (unit >= 0x80) {
        ascii = false;
        break;
      }
      buffer[index] = unit;
    }
    length = ascii ? message.length : Buffer.from(buffer.buffer, 0, buffer.length).write(message, 0, "utf8");
    const blocks = Math.ceil((length + 9) / BLOCK_BYTES);
    const end = blocks * BLOCK_BYTES;
    buffer[length] = 0x80;
    buffer.fill(0, length + 1, end - 8);
    // Bit length of the inner hash's input: the key block and the message (below 2^32 bits here).
    const bits = (BLOCK_BYTES + length) * 8;
    buffer[end - 8] = 0;
    buffer[end - 7] = 0;
    buffer[end - 6] = 0;
    buffer[end - 5] = Math.floor(bits / 0x100000000) & 0xff;
    buffer[end - 4] = (bits >>> 24) & 0xff;
    buffer[end - 3] = (bits >>> 16) & 0xff;
    buffer[end - 2] = (bits >>> 8) & 0xff;
    buffer[end - 1] = bits & 0xff;

    state.set(innerStart);
    for (let block = 0; block < blocks; block++) compress(state, buffer, block * BLOCK_BYTES, w);
    for (let index = 0; index < 8; index++) {
      const word = state[index]!;
      outer[index * 4] = word >>> 24;
      outer[index * 4 + 1] = (word >>> 16) & 0xff;
      outer[index * 4 + 2] = (word >>> 8) & 0xff;
      outer[index * 4 + 3] = word & 0xff;
    }
    state.set(outerStart);
    compress(state, outer, 0, w);

    const mac = Buffer.allocUnsafe(32);
    for (let index = 0; index < 8; index++) mac.writeInt32BE(state[index]!, index * 4);
    return mac;
  };
}
