// Whole-file check of a downloaded ZIP: its end-of-directory record and central directory are
// there, and every entry inflates to the size and CRC-32 the directory promises. Half a file, or
// a file assembled from two attempts, fails here.
import { crc32, inflateRawSync } from "node:zlib";

export function verifyZip(zip: Buffer): { entries: number; bytes: number } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) throw new Error("no end-of-central-directory record (a truncated file?)");
  const count = zip.readUInt16LE(eocd + 10);
  const directorySize = zip.readUInt32LE(eocd + 12);
  const directoryStart = zip.readUInt32LE(eocd + 16);
  if (directoryStart + directorySize > eocd) throw new Error("the central directory lies outside the file");
  let cursor = directoryStart;
  let bytes = 0;
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(cursor) !== 0x02014b50) throw new Error(`central directory entry ${index} is damaged`);
    const method = zip.readUInt16LE(cursor + 10);
    const crc = zip.readUInt32LE(cursor + 16);
    const compressedSize = zip.readUInt32LE(cursor + 20);
    const size = zip.readUInt32LE(cursor + 24);
    const nameLength = zip.readUInt16LE(cursor + 28);
    const extraLength = zip.readUInt16LE(cursor + 30);
    const commentLength = zip.readUInt16LE(cursor + 32);
    const offset = zip.readUInt32LE(cursor + 42);
    const name = zip.subarray(cursor + 46, cursor + 46 + nameLength).toString("utf8");
    if (zip.readUInt32LE(offset) !== 0x04034b50) throw new Error(`${name}: no local header at ${offset}`);
    const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const stored = zip.subarray(dataStart, dataStart + compressedSize);
    if (stored.length !== compressedSize) throw new Error(`${name}: ${stored.length} of ${compressedSize} compressed bytes present`);
    const content = method === 0 ? stored : method === 8 ? inflateRawSync(stored) : null;
    if (!content) throw new Error(`${name}: compression method ${method} is not one a CareExport ZIP uses`);
    if (content.length !== size || crc32(content) !== crc) throw new Error(`${name}: content does not match its size and CRC-32`);
    bytes += size;
    cursor += 46 + nameLength + extraLength + commentLength;
  }
  if (count === 0) throw new Error("the archive holds no entry");

  return { entries: count, bytes };
}
