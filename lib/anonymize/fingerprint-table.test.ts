import { describe, expect, it } from "vitest";

import { FingerprintList, FingerprintTable, fnv1a, mixHashOfAsciiLowered, Uint32Set } from "@/lib/anonymize/fingerprint-table";

function tableOf(entries: [string, number][]) {
  const list = new FingerprintList();
  for (const [key, value] of entries) list.add(key, value);

  return new FingerprintTable(list);
}

describe("FingerprintTable", () => {
  it("finds an ASCII word by the fingerprint of its bytes, in any case, as by its lower-case string", () => {
    const table = tableOf([["ashcombe", 7], ["o'brien", 9], ["2024", 11]]);
    const lookUp = (text: string) => {
      const bytes = Buffer.from(`${text}   `, "latin1");
      return table.getByFingerprint(fnv1a(text.toLowerCase()), mixHashOfAsciiLowered(bytes, text.length));
    };
    expect(lookUp("Ashcombe")).toBe(7);
    expect(lookUp("ASHCOMBE")).toBe(7);
    expect(lookUp("O'BRIEN")).toBe(9);
    expect(lookUp("2024")).toBe(11);
    expect(lookUp("Ashcomb")).toBe(-1);
    expect(lookUp("Ashcombe[")).toBe(-1);
  });

  it("finds every value added over several chunks, and nothing it never held", () => {
    const list = new FingerprintList();
    for (let index = 0; index < 150_000; index++) list.add(`value-${index}`, index * 3);
    expect(list.length).toBe(150_000);
    const table = new FingerprintTable(list);
    expect(table.size).toBe(150_000);
    expect(list.length).toBe(0);
    // Mismatches collected and asserted once: 160,000 expect() calls took seconds on a loaded machine.
    const wrong: string[] = [];
    for (let index = 0; index < 150_000; index++) if (table.get(`value-${index}`) !== index * 3) wrong.push(`value-${index}`);
    for (let index = 150_000; index < 160_000; index++) if (table.get(`value-${index}`) !== -1) wrong.push(`value-${index}`);
    expect(wrong).toEqual([]);
    expect(table.get("")).toBe(-1);
  });

  it("gives a key added again its later value, and tells apart keys that differ by order or case", () => {
    const table = tableOf([["ab", 1], ["ba", 2], ["ab", 7], ["Ab", 0]]);
    expect(table.size).toBe(3);
    expect([table.get("ab"), table.get("ba"), table.get("Ab"), table.get("aB")]).toEqual([7, 2, 0, -1]);
  });

  it("takes non-ASCII keys, an empty list, and refuses values it cannot store", () => {
    const table = tableOf([["josé", 5]]);
    expect([table.get("josé"), table.get("jose")]).toEqual([5, -1]);
    expect(tableOf([]).get("anything")).toBe(-1);
    const list = new FingerprintList();
    expect(() => list.add("x", -1)).toThrow(RangeError);
    expect(() => list.add("x", 0x7fffffff)).toThrow(RangeError);
    expect(() => list.add("x", 1.5)).toThrow(RangeError);
  });
});

describe("Uint32Set", () => {
  it("holds 0, the largest uint32 and runs of close values through growth", () => {
    const set = new Uint32Set();
    set.add(0);
    set.add(0xffffffff);
    for (let value = 100_000; value < 120_000; value++) set.add(value);
    set.add(100_000);
    expect(set.size).toBe(20_002);
    expect([set.has(0), set.has(0xffffffff), set.has(100_000), set.has(119_999)]).toEqual([true, true, true, true]);
    expect([set.has(1), set.has(99_999), set.has(120_000), set.has(0xfffffffe)]).toEqual([false, false, false, false]);
  });

  it("is empty until something is added", () => {
    const set = new Uint32Set();
    expect([set.size, set.has(0), set.has(42)]).toEqual([0, false, false]);
    expect(() => set.add(-1)).toThrow(RangeError);
  });
});
