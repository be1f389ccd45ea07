// A small streaming ZIP writer for entries that arrive already deflated: the partitioned dataset
// export deflates each partition in a compute worker (raw deflate ending in a sync flush, so the
// pieces concatenate into one deflate stream) and this assembles them in order, adding the final
// empty block, combining the CRC-32s (crc32-combine.ts) and writing each entry's sizes in a data
// descriptor after its data, so nothing is buffered or compressed twice. Plain ZIP (no ZIP64):
// like the release scan's reader (zip-scan.ts), it refuses an entry or archive over 4 GiB.
import { crc32, deflateRawSync } from "node:zlib";

import { crc32Combine } from "@/lib/datasets/crc32-combine";

/** A fixed-Huffman block with BFINAL set and only its end-of-block code: ends a deflate stream after a sync flush. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const LIMIT = 0xffffffff;
/** bit 3: sizes and CRC in a data descriptor; bit 11: the name is UTF-8. */
const FLAGS = 0x0808;

export class ZipTooLargeError extends Error {}

/** MS-DOS date and time fields of a local time (2-second resolution, from 1980). */
function dosDateTime(date: Date) {
  const year = Math.max(1980, date.getFullYear());
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

type TEntryRecord = { name: Buffer; crc: number; compressed: number; size: number; offset: number };

export type TZipWriter = {
  /** Starts an entry; its data follows as deflated pieces. */
  startEntry(name: string): Promise<void>;
  /** One piece of raw deflate ending in a sync (or full) flush, with the CRC-32 and length of what it encodes. */
  writePiece(deflated: Uint8Array, crc: number, size: number): Promise<void>;
  /** Ends the entry's deflate stream and writes its data descriptor. */
  endEntry(): Promise<void>;
  /** A whole small entry (the manifest), deflated here. */
  addEntry(name: string, data: Buffer): Promise<void>;
  /** The central directory and its end record. */
  finish(): Promise<void>;
};

/** `push` takes each chunk of the archive in order (and may wait: backpressure). */
export function createZipWriter(push: (chunk: Buffer) => Promise<void>, options: { modified: Date }): TZipWriter {
  const { time, date } = dosDateTime(options.modified);
  const entries: TEntryRecord[] = [];
  let offset = 0;
  let current: TEntryRecord | null = null;

  const write = async (chunk: Buffer) => {
    offset += chunk.length;
    if (offset > LIMIT) throw new ZipTooLargeError("The export is larger than 4 GiB, which this ZIP writer does not support; export fewer datasets or a shorter period.");
    await push(chunk);
  };

  async function startEntry(name: string) {
    if (current) throw new Error("the previous ZIP entry was not ended");
    const nameBytes = Buffer.from(name, "utf8");
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // CRC and sizes (14-25) are zero here: they follow the data, in the descriptor.
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    current = { name: nameBytes, crc: 0, compressed: 0, size: 0, offset };
    await write(Buffer.concat([header, nameBytes]));
  }

  async function writePiece(deflated: Uint8Array, crc: number, size: number) {
    if (!current) throw new Error("no ZIP entry started");
    current.crc = crc32Combine(current.crc, crc, size);
    current.size += size;
    current.compressed += deflated.length;
    if (current.size > LIMIT) throw new ZipTooLargeError("A dataset is larger than 4 GiB, which this ZIP writer does not support; export a shorter period.");
    if (deflated.length) await write(Buffer.from(deflated.buffer, deflated.byteOffset, deflated.byteLength));
  }

  async function endEntry() {
    if (!current) throw new Error("no ZIP entry started");
    current.compressed += FINAL_EMPTY_BLOCK.length;
    await write(FINAL_EMPTY_BLOCK);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(current.crc, 4);
    descriptor.writeUInt32LE(current.compressed, 8);
    descriptor.writeUInt32LE(current.size, 12);
    entries.push(current);
    current = null;
    await write(descriptor);
  }

  async function addEntry(name: string, data: Buffer) {
    await startEntry(name);
    // A sync flush like the pieces, so endEntry's final block ends it the same way.
    await writePiece(deflateRawSync(data, { level: 6, finishFlush: 2 /* Z_SYNC_FLUSH */ }), crc32(data), data.length);
    await endEntry();
  }

  async function finish() {
    if (current) throw new Error("the last ZIP entry was not ended");
    const directoryStart = offset;
    const records = entries.map((entry) => {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(FLAGS, 8);
      record.writeUInt16LE(8, 10);
      record.writeUInt16LE(time, 12);
      record.writeUInt16LE(date, 14);
      record.writeUInt32LE(entry.crc, 16);
      record.writeUInt32LE(entry.compressed, 20);
      record.writeUInt32LE(entry.size, 24);
      record.writeUInt16LE(entry.name.length, 28);
      // extra, comment, disk number, internal and external attributes: 0.
      record.writeUInt32LE(entry.offset, 42);
      return Buffer.concat([record, entry.name]);
    });
    const directory = Buffer.concat(records);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(directoryStart, 16);
    await write(directory);
    await write(end);
  }

  return { startEntry, writePiece, endEntry, addEntry, finish };
}
