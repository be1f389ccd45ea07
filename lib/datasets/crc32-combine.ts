// CRC-32 of a concatenation from the CRC-32s of its parts (zlib's crc32_combine, in its current
// form: multiplication modulo the CRC polynomial by x^(8 * len2)). The dataset export deflates and
// checksums each partition in a worker; the ZIP entry's CRC is combined here on the main thread,
// so the uncompressed bytes never have to be checksummed a second time.

/** The reflected CRC-32 polynomial (as zlib.crc32 and ZIP use). */
const POLY = 0xedb88320;

/** a * b modulo the polynomial (both reflected, x^0 in the top bit). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }

  return p >>> 0;
}

/** x^(2^n) modulo the polynomial, for n = 0..31 (zlib's x2n_table). */
const X2N = (() => {
  const table = new Array<number>(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let n = 1; n < 32; n++) table[n] = p = multModP(p, p);

  return table;
})();

/** x^(n * 2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }

  return p;
}

/** CRC-32 of A followed by B, given crc(A), crc(B) and B's length in bytes (any length up to 2^53). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
