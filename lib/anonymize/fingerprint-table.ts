// Compact lookup tables for the release scan's patterns (hundreds of thousands of short strings
// for a practice's patients). A Map<string, ...> costs ~100 bytes per entry in V8 (the string,
// the entry, the bucket); these keep typed arrays only: ~17 bytes per entry, and ~12 more while
// the scanner is being built.
//
// FingerprintTable stores a string as its 64-bit fingerprint (two independent 32-bit hashes), not
// the string itself. Two different strings share a fingerprint at odds of about entries / 2^64 per
// lookup (~10^-14 for 300,000 patterns), and such a collision can only make the scan refuse a
// clean file, never let a real value through: an equal string always has the equal fingerprint.

/** FNV-1a's parameters; the release scan hashes a word's bytes with them as it reads, to match fnv1a(word). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;
const MIX_SEED = 0x9e3779b9;
/** A Uint32Set's first size (it doubles from there). */
const MIN_CAPACITY = 1024;

/** FNV-1a over the UTF-16 code units (for ASCII text, the same as over its bytes). */
export function fnv1a(value: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < value.length; index++) hash = Math.imul(hash ^ value.charCodeAt(index), FNV_PRIME) >>> 0;

  return hash;
}

/** A second hash, independent of FNV-1a (multiply-rotate per code unit, murmur3's finalizer). */
function mixHash(value: string): number {
  let hash = MIX_SEED ^ value.length;
  for (let index = 0; index < value.length; index++) hash = mixStep(hash, value.charCodeAt(index));

  return mixFinish(hash);
}

/** An ASCII byte with A-Z read as a-z (other bytes as they are): how the scan folds case without making strings. */
export const lowerAsciiByte = (byte: number) => (byte >= 65 && byte <= 90 ? byte | 0x20 : byte);

/**
 * mixHash of ASCII text given as bytes, A-Z read as a-z: the same number as mixHash of the text
 * in lower case, without making the string (the release scan looks words up straight from its buffer).
 */
export function mixHashOfAsciiLowered(bytes: Uint8Array, length: number): number {
  let hash = MIX_SEED ^ length;
  for (let index = 0; index < length; index++) hash = mixStep(hash, lowerAsciiByte(bytes[index]!));

  return mixFinish(hash);
}

function mixStep(hash: number, unit: number) {
  hash = Math.imul(hash ^ unit, 0xcc9e2d51);
  hash = (hash << 15) | (hash >>> 17);
  return Math.imul(hash, 0x1b873593);
}

function mixFinish(hash: number) {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);

  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Where a 32-bit hash starts probing in `capacity` slots (its top bits: any capacity, no modulo). */
const homeSlot = (hash: number, capacity: number) => Math.floor((hash / 0x100000000) * capacity);
/** Linear probing stays a few probes per lookup at this load. */
const TABLE_LOAD = 0.7;
/** Entries per chunk of a FingerprintList (3 words each: 768 KB). */
const CHUNK_ENTRIES = 65_536;

/**
 * Fingerprints and values appended while a scanner is built. Chunks, not one growing array: a
 * table that grows by doubling leaves each outgrown array to V8's next full GC, tens of MB
 * while tens of thousands of patients are added. The table is made once, at its final size.
 */
export class FingerprintList {
  private chunks: Uint32Array[] = [];
  private filled = CHUNK_ENTRIES;
  private total = 0;

  get length() {
    return this.total;
  }

  /** Appends `key` with `value` (0 .. 2^31 - 2); a key added again takes the later value. */
  add(key: string, value: number) {
    if (!Number.isInteger(value) || value < 0 || value >= 0x7fffffff) throw new RangeError(`Fingerprint value out of range: ${value}`);
    if (this.filled === CHUNK_ENTRIES) {
      this.chunks.push(new Uint32Array(CHUNK_ENTRIES * 3));
      this.filled = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1]!;
    const at = this.filled * 3;
    chunk[at] = fnv1a(key);
    chunk[at + 1] = mixHash(key);
    chunk[at + 2] = value + 1;
    this.filled++;
    this.total++;
  }

  /** Visits every entry in order and empties the list (its chunks are not kept past the table's making). */
  drain(visit: (first: number, second: number, stored: number) => void) {
    const chunks = this.chunks.splice(0);
    const lastFilled = this.filled;
    this.filled = CHUNK_ENTRIES;
    this.total = 0;
    // Each chunk is let go once visited: the table being filled and the whole list are not both
    // held to the end (at 20,000 patients, both at once were a ~20 MB spike of the export's RSS).
    const count = chunks.length;
    for (let index = 0; index < count; index++) {
      const chunk = chunks.shift()!;
      const entries = index === count - 1 ? lastFilled : CHUNK_ENTRIES;
      for (let at = 0; at < entries * 3; at += 3) visit(chunk[at]!, chunk[at + 1]!, chunk[at + 2]!);
    }
  }
}

/**
 * A Uint32Array in shared memory. The tables and sets below live there so that a scanner built in
 * one thread can be read by others without a copy (the partitioned dataset export builds the
 * release scanner once for all its workers: lib/datasets/partition-writer.ts). Shared memory is
 * freed like any other once nothing refers to it.
 */
const sharedUint32Array = (length: number) => new Uint32Array(new SharedArrayBuffer(length * Uint32Array.BYTES_PER_ELEMENT));

/** A FingerprintTable as its arrays (in shared memory): what crosses to another thread. */
export type TSharedFingerprintTable = { first: Uint32Array; second: Uint32Array; slots: Uint32Array; count: number };

/** Strings (as 64-bit fingerprints) -> values, read only: open addressing, 12 bytes per slot. */
export class FingerprintTable {
  private readonly first: Uint32Array;
  private readonly second: Uint32Array;
  /** value + 1; 0 marks an empty slot. */
  private readonly slots: Uint32Array;
  private count = 0;

  /** Takes the list's entries (the list is empty after), or reads a table another thread built (not copied). */
  constructor(source: FingerprintList | TSharedFingerprintTable) {
    if (!(source instanceof FingerprintList)) {
      ({ first: this.first, second: this.second, slots: this.slots, count: this.count } = source);
      return;
    }
    const capacity = Math.ceil(source.length / TABLE_LOAD) + 1;
    this.first = sharedUint32Array(capacity);
    this.second = sharedUint32Array(capacity);
    this.slots = sharedUint32Array(capacity);
    source.drain((first, second, stored) => this.place(first, second, stored));
  }

  /** The table's arrays, to read in another thread (`new FingerprintTable(shared)`); nothing is copied. */
  shared(): TSharedFingerprintTable {
    return { first: this.first, second: this.second, slots: this.slots, count: this.count };
  }

  /** Distinct keys. */
  get size() {
    return this.count;
  }

  /** The value of `key`, or -1. */
  get(key: string): number {
    return this.getByFingerprint(fnv1a(key), mixHash(key));
  }

  /** The value of the key whose fnv1a and mixHash these are, or -1. */
  getByFingerprint(first: number, second: number): number {
    const capacity = this.slots.length;
    for (let slot = homeSlot(second, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      const stored = this.slots[slot]!;
      if (stored === 0) return -1;
      if (this.first[slot] === first && this.second[slot] === second) return stored - 1;
    }
  }

  private place(first: number, second: number, stored: number) {
    const capacity = this.slots.length;
    for (let slot = homeSlot(second, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
      if (this.slots[slot] === 0) {
        this.first[slot] = first;
        this.second[slot] = second;
        this.slots[slot] = stored;
        this.count++;
        return;
      }
      if (this.first[slot] === first && this.second[slot] === second) {
        this.slots[slot] = stored;
        return;
      }
    }
  }
}

/** A Uint32Set as its array (in shared memory): what crosses to another thread. */
export type TSharedUint32Set = { slots: Uint32Array; count: number; hasZero: boolean };

/** A set of uint32 values (the scan's prefilter hashes), in one typed array. */
export class Uint32Set {
  /** 0 marks an empty slot, so the value 0 is kept apart (hasZero). */
  private slots: Uint32Array = sharedUint32Array(MIN_CAPACITY);
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private count = 0;
  private hasZero = false;

  /** A set another thread built (`set.shared()` there), read in place: for reading only, as the release scanner does once built. */
  static fromShared(shared: TSharedUint32Set): Uint32Set {
    const set = new Uint32Set();
    set.slots = shared.slots;
    set.shift = 32 - Math.log2(shared.slots.length);
    set.count = shared.count;
    set.hasZero = shared.hasZero;

    return set;
  }

  /** The set's array, to read in another thread; nothing is copied. */
  shared(): TSharedUint32Set {
    return { slots: this.slots, count: this.count, hasZero: this.hasZero };
  }

  get size() {
    return this.count + (this.hasZero ? 1 : 0);
  }

  add(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`Uint32Set value out of range: ${value}`);
    if (value === 0) {
      this.hasZero = true;
      return;
    }
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    this.place(value);
  }

  has(value: number): boolean {
    if (value === 0) return this.hasZero;
    const mask = this.slots.length - 1;
    for (let slot = this.home(value); ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === 0) return false;
      if (stored === value) return true;
    }
  }

  /** Fibonacci hashing: the top bits of a multiply, so runs of close values (digit tails) spread. */
  private home(value: number) {
    return Math.imul(value, 0x9e3779b1) >>> this.shift;
  }

  private place(value: number) {
    const mask = this.slots.length - 1;
    for (let slot = this.home(value); ; slot = (slot + 1) & mask) {
      const stored = this.slots[slot]!;
      if (stored === value) return;
      if (stored === 0) {
        this.slots[slot] = value;
        this.count++;
        return;
      }
    }
  }

  private grow() {
    const old = this.slots;
    this.slots = sharedUint32Array(old.length * 2);
    this.shift--;
    this.count = 0;
    for (const value of old) if (value !== 0) this.place(value);
  }
}
