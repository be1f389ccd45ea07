import { describe, expect, it } from "vitest";

import { parseKickOff, parseSince } from "@/lib/fhir/bulk/parse-kick-off";

const now = new Date("2026-12-07T12:00:00Z");
const expressionOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { issues?: { path: string }[] }).issues?.[0]?.path;
  }
  return null;
};

describe("$export kick-off parameters", () => {
  it("_since: an instant or a date, valid on the calendar, from 1900, not in the future", () => {
    expect(parseSince("2026-01-02T03:04:05+01:00", now).toISOString()).toBe("2026-01-02T02:04:05.000Z");
    expect(parseSince("2026-01-02", now).toISOString()).toBe("2026-01-02T00:00:00.000Z");
    for (const bad of ["0000-60-01T30:70:80+05:00", "2026-02-30T00:00:00Z", "2026-01-02T03:04:05", "1899-12-31", "yesterday", "2057-01-01T00:00:00+05:00"]) {
      expect(expressionOf(() => parseSince(bad, now)), bad).toBe("_since");
    }
  });

  it("collects _type (comma-separated and repeated), _typeFilter, _elements, patient and includeAssociatedData; unknown names are listed", () => {
    const input = parseKickOff(
      [["_type", "Patient,Observation"], ["_type", "Condition"], ["_typeFilter", "Observation?code=1234-5"], ["_elements", "id,Patient.gender"], ["patient", "Patient/a,b"], ["includeAssociatedData", "LatestProvenanceResources"], ["colour", "blue"], ["_outputFormat", "ndjson"]],
      now,
    );
    expect(input).toMatchObject({ types: ["Patient", "Observation", "Condition"], typeFilters: [{ type: "Observation", query: "code=1234-5" }], elements: ["id", "Patient.gender"], patients: ["Patient/a", "b"], includeAssociatedData: ["LatestProvenanceResources"], unknown: ["colour"], outputFormat: "ndjson" });
  });

  it("refuses an unknown type, an unsupported output format, a malformed _typeFilter or element, naming the parameter", () => {
    expect(expressionOf(() => parseKickOff([["_type", "Patient,MissingType"]], now))).toBe("_type");
    expect(expressionOf(() => parseKickOff([["_outputFormat", "text/html"]], now))).toBe("_outputFormat");
    expect(expressionOf(() => parseKickOff([["_typeFilter", "status=active"]], now))).toBe("_typeFilter");
    expect(expressionOf(() => parseKickOff([["_elements", "Nope.name"]], now))).toBe("_elements");
    expect(expressionOf(() => parseKickOff([["_elements", "name.given"]], now))).toBe("_elements");
  });
});
