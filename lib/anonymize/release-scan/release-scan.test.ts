import { createHash } from "node:crypto";
import { Readable } from "node:stream";

import { describe, expect, it } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { createReleaseScanner, patternCountOf, ReleaseScanError, releaseScannerBuilder, scannerFromTables, type TScanPatientRow } from "@/lib/anonymize/release-scan";

/** A patient to scan for: the stored row and the pseudonym that names them. */
const identityOf = (row: TScanPatientRow, pseudonym: string) => ({ row, pseudonym });

const identity = identityOf(
  {
    id: "cmpatientabc123",
    fhirId: "pat-alpha-77",
    mrn: "MRN448812",
    ssn: "123-45-6789",
    givenName: "Avery",
    familyName: "Quartermaine",
    birthDate: "1985-04-12",
    phone: "555-201-3344",
    email: "mail.box.q@example.org",
    addressLine: "12 Elm Street",
  },
  "P-0011aabb",
);
const scanner = createReleaseScanner([identity]);

function scanError(text: string | string[]) {
  try {
    const matcher = scanner.open("data.csv");
    for (const chunk of Array.isArray(text) ? text : [text]) matcher.write(Buffer.from(chunk));
    matcher.end();
  } catch (error) {
    return error as ReleaseScanError;
  }
  return null;
}

describe("release scan", () => {
  it("passes clean de-identified content", () => {
    expect(scanError("patient_id,age,zip3\nP-1234abcd,41,627XX\nannual review,Averyday\n")).toBeNull();
  });

  it.each([
    ["name", "x,QUARTERMAINE,y", "name"],
    ["given name at end of file", "hello avery", "name"],
    ["phone (dashed)", "call 555-201-3344", "phone number"],
    ["phone (bracketed)", "(555) 201 3344", "phone number"],
    ["phone (digits)", "5552013344", "phone number"],
    ["email (case)", "MAIL.BOX.Q@EXAMPLE.ORG", "email address"],
    ["street", "12 elm street", "street address"],
    ["birth date", "born 1985-04-12", "birth date"],
    ["birth date (US)", "04/12/1985", "birth date"],
    ["raw id", "id=cmpatientabc123", "identifier"],
    ["fhir id", "pat-alpha-77", "identifier"],
    ["mrn", "MRN448812", "identifier"],
    ["ssn", "123456789", "SSN"],
    ["md5 of id", createHash("md5").update("cmpatientabc123").digest("hex"), "hash of an identifier"],
    ["sha1 of mrn", createHash("sha1").update("MRN448812").digest("hex").toUpperCase(), "hash of an identifier"],
    ["sha256 of id", createHash("sha256").update("cmpatientabc123").digest("hex"), "hash of an identifier"],
  ])("catches a %s", (_label, text, kind) => {
    const error = scanError(text);
    expect(error).toBeInstanceOf(ReleaseScanError);
    expect(error!.kind).toBe(kind);
    expect(error!.patientPseudonym).toBe("P-0011aabb");
  });

  it("catches a hit split across chunks, at every split point", () => {
    const text = "row,with,name,Quartermaine,here and 555-201-3344";
    for (let split = 1; split < text.length; split++) {
      expect(scanError(["x,Quarterm", "aine,y"])).toBeInstanceOf(ReleaseScanError);
      expect(scanError([text.slice(0, split), text.slice(split)])).toBeInstanceOf(ReleaseScanError);
    }
    // One byte at a time.
    expect(scanError([..."a,mail.box.q@example.org,b"])).toBeInstanceOf(ReleaseScanError);
    expect(scanError([..."x 555", "-20", "1-33", "44"])).toBeInstanceOf(ReleaseScanError);
  });

  it("streams a Readable in small chunks", async () => {
    const payload = `${"clean,row,42\n".repeat(5000)}x,Avery,y\n`;
    const stream = Readable.from(Buffer.from(payload).toString("binary").match(/[\s\S]{1,7}/g)!.map((part) => Buffer.from(part, "binary")));
    await expect(scanner.scanStream(stream, "big.csv")).rejects.toThrow(/big\.csv contains a name of patient P-0011aabb/);
  });

  it("names the patient pseudonym and the kind, never the value", () => {
    const error = scanError("Quartermaine")!;
    expect(error.message).toContain("P-0011aabb");
    expect(error.message).toContain("name");
    expect(error.message).not.toMatch(/quartermaine/i);
  });

  it("matches whole words and tokens, wherever they are joined by punctuation", () => {
    expect(scanError("averyday")).toBeNull();
    expect(scanError("file_cmpatientabc123_v2.csv")).toBeInstanceOf(ReleaseScanError);
    expect(scanError("https://x.example/p?id=cmpatientabc123&a=1")).toBeInstanceOf(ReleaseScanError);
    expect(scanError("see Avery.")).toBeInstanceOf(ReleaseScanError);
  });

  it("finds multi-word streets across chunks, and hashes only as whole hex runs", () => {
    expect(scanError(["lives at 12 El", "m Street now"])!.kind).toBe("street address");
    // The house number with the street name identifies, whatever the suffix; the street alone does not.
    expect(scanError("12 Elm Avenue")!.kind).toBe("street address");
    expect(scanError("Elm Avenue")).toBeNull();
    const sha = createHash("sha256").update("cmpatientabc123").digest("hex");
    expect(scanError([sha.slice(0, 30), sha.slice(30)])!.kind).toBe("hash of an identifier");
    expect(scanError(`${sha}ab`)).toBeNull();
  });

  it("handles thousands of patients with a small pattern table", () => {
    const many = Array.from({ length: 5000 }, (_, index) =>
      identityOf({ id: `cmbulk${index}`, givenName: `Given${index}q`, familyName: `Family${index}q`, phone: `312555${String(index).padStart(4, "0")}`, email: `p${index}@bulk.example` }, `P-${index}`),
    );
    const bulk = createReleaseScanner(many);
    expect(() => bulk.scanBuffer("a,b,Family4321q,c", "x.csv")).toThrow(/name of patient P-4321/);
    expect(() => bulk.scanBuffer("(312) 555-0042", "x.csv")).toThrow(/phone number of patient P-42\b/);
    expect(() => bulk.scanBuffer("to: p4999@bulk.example", "x.csv")).toThrow(/email address of patient P-4999\b/);
    expect(() => bulk.scanBuffer(createHash("md5").update("cmbulk77").digest("hex"), "x.csv")).toThrow(/hash of an identifier of patient P-77\b/);
    expect(() => bulk.scanBuffer("Given0q", "x.csv")).toThrow(/name of patient P-0\b/);
    expect(() => bulk.scanBuffer("clean,row,1,2,3", "x.csv")).not.toThrow();
  });

  it("is built once, with every patient in it", () => {
    const builder = releaseScannerBuilder();
    builder.add(identity);
    const built = builder.build();
    expect(() => built.scanBuffer("Quartermaine", "x.csv")).toThrow(ReleaseScanError);
    expect(() => builder.build()).toThrow(/already built/);
    expect(() => builder.add(identity)).toThrow(/already built/);
  });

  it("scans the same from its tables in another thread's copy, the tables' memory shared, not copied", () => {
    const builder = releaseScannerBuilder();
    builder.add(identity);
    builder.add(identityOf({ id: "cmpatientdef456", givenName: "Bellamy", familyName: "Okonkwo-Reyes", birthDate: "1970-03-04", phone: "(312) 555-0000" }, "P-22ccdd33"));
    const tables = builder.buildTables();
    // What postMessage does to the job's tables on the way to a compute worker.
    const posted = structuredClone(tables);
    expect(posted.wordValues.slots.buffer).toBeInstanceOf(SharedArrayBuffer);
    tables.wordValues.slots[0] = 0xdeadbeef;
    expect(posted.wordValues.slots[0]).toBe(0xdeadbeef);
    tables.wordValues.slots[0] = 0;
    const here = scannerFromTables(tables);
    const there = scannerFromTables(posted);
    expect(there.patternCount).toBe(here.patternCount);
    expect(there.patternCount).toBe(patternCountOf(tables));
    for (const [text, kind] of [["visit 12 elm st", "street address"], ["okonkwo-reyes", "name"], ["tel 312.555.0000", "phone number"], ["dob 19700304", "birth date"], ["mrn448812", "identifier"]] as const) {
      for (const scanned of [here, there]) {
        expect(() => scanned.scanBuffer(`row,${text},x`, "x.csv"), text).toThrow(kind);
      }
    }
    expect(() => there.scanBuffer("row,clean text,1970,312", "x.csv")).not.toThrow();
  });

  it("finds a birth date or phone written as a number, not as digits inside a hex string", () => {
    // 1985-04-12 -> 19850412 / 04121985; phone 5552013344.
    for (const leak of ["19850412", "x,19850412,y", "DOB: 1985 04 12", "04121985.", "(555) 201-3344", "tel 5552013344x9", "x5552013344", "id 9919850412", "[19850412]", "DOB19850412", "born19850412", "tel5552013344", "19850412AB"]) {
      expect(scanError(leak), leak).toBeInstanceOf(ReleaseScanError);
    }
    // Checksums, hashes, UUIDs: the same digits with a lower-case hex letter right before or after them.
    for (const code of ["ab19850412cd", "e3f19850412", "19850412f0aa", "P-0fe5552013344b", "sha256:c04121985e", "a12 3b19850412"]) {
      expect(scanError(code), code).toBeNull();
    }
    // Glued on one side only of a longer run: the value inside still counts.
    expect(scanError("a12 19850412,")).toBeInstanceOf(ReleaseScanError);
    // A value that ends a chunk is decided by the next chunk's first byte, or by the end of the stream.
    expect(scanError(["x19850412", "0"])).toBeInstanceOf(ReleaseScanError);
    expect(scanError(["x,19850412", "f"])).toBeNull();
    expect(scanError(["x,19850412"])).toBeInstanceOf(ReleaseScanError);
  });

  it("finds a birth date written without its zeros, only where it is written as that date", () => {
    const percival = createReleaseScanner([identityOf({ id: "cmpercival1", birthDate: "1931-05-06" }, "P-percival")]);
    const refusal = (text: string | string[]) => {
      try {
        const matcher = percival.open("notes.csv");
        for (const chunk of Array.isArray(text) ? text : [text]) matcher.write(Buffer.from(chunk));
        matcher.end();
      } catch (error) {
        return (error as ReleaseScanError).kind;
      }
      return null;
    };
    for (const leak of ["5/6/1931", "5-6-1931", "x,DOB 5/6/1931,y", "born 5.6.1931.", "5 / 6 / 1931", "5/06/1931", "05/6/1931", "1931-5-6", "(5/6/1931)", "visit 2 5/6/1931 12:30"]) {
      expect(refusal(leak), leak).toBe("birth date");
    }
    // Split across chunks at every point: a date begun in an earlier chunk is taken as written.
    const text = "seen,DOB 5/6/1931,ok";
    for (let split = 1; split < text.length; split++) expect(refusal([text.slice(0, split), text.slice(split)]), `split ${split}`).toBe("birth date");
    // The same digits as another number or another date.
    for (const other of ["561931", "0.561931", "15/6/1931", "5/16/1931", "5/6/19312", "25-6-1931", "5/61/931", "56/19/31", "1931-5-16", "x,5619310,y", "3 561931"]) {
      expect(refusal(other), other).toBeNull();
    }
  });

  it("passes half a million pseudonyms against 20,000 patients' birth dates and phones", () => {
    // Hex pseudonyms held a few chance runs like "19700304" per million: such an export was refused every time.
    let seed = 7;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const two = (n: number) => String(n).padStart(2, "0");
    const patients = Array.from({ length: 20_000 }, (_, index) =>
      identityOf({ id: `cmload${index}`, birthDate: `${1930 + next(90)}-${two(1 + next(12))}-${two(1 + next(28))}`, phone: `${200 + next(800)}${100 + next(900)}${1000 + next(9000)}` }, `P-${index}`),
    );
    const load = createReleaseScanner(patients);
    const matcher = load.open("encounters.csv");
    for (let row = 0; row < 250_000; row += 10_000) {
      const lines: string[] = [];
      for (let index = row; index < row + 10_000; index++) lines.push(`${pseudonymize("test-key", "encounter", `e${index}`)},${pseudonymize("test-key", "patient", `p${index % 20_000}`)},2024,finished\n`);
      matcher.write(lines.join(""));
    }
    matcher.end();
  }, 30_000);

  it("searches everyday-word names as the full name only, other names word by word", () => {
    const everyday = createReleaseScanner([identityOf({ id: "cmeveryday1", givenName: "Will", middleName: "Faith", familyName: "Major", preferredName: "Hope", emergencyContactName: "May Young" }, "P-everyday")]);
    const refused = (text: string) => {
      try {
        everyday.scanBuffer(text, "x.csv");
        return false;
      } catch (error) {
        return error instanceof ReleaseScanError && error.kind === "name";
      }
    };
    for (const prose of ["Patient will attend weekly CBT", "Major depressive disorder, single episode", "we hope it may help young people", "keep the faith"]) expect(refused(prose), prose).toBe(false);
    for (const name of ["Will Major", "MAJOR, WILL", "major,will", "Hope Major", "Will  Major", "Will Faith Major", "spoke to May Young"]) expect(refused(name), name).toBe(true);
    // A name that is no everyday word is still found alone.
    expect(scanError("seen by quartermaine")!.kind).toBe("name");
  });

  it("does not join numbers across CSV fields", () => {
    expect(scanError("555,2013344")).toBeNull();
  });
});
