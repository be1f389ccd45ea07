import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { RESOURCE_SCHEMAS } from "@/lib/fhir/import/fhir-schemas";

import { DEMO_COUNTS } from "./demo-model";
import { generateDemoBundle, generateDemoResources } from "./generate-demo";
import { isValidNpi } from "./npi";

const digest = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

describe("demo generator", () => {
  const resources = generateDemoResources();

  it("produces the programme at the scale the issue names", () => {
    const counts: Record<string, number> = {};
    for (const resource of resources) counts[resource.resourceType] = (counts[resource.resourceType] ?? 0) + 1;
    for (const [type, expected] of Object.entries(DEMO_COUNTS)) expect(counts[type], type).toBe(expected);
    expect(counts.Condition).toBeGreaterThan(400);
    expect(counts.Goal).toBeGreaterThan(400);
  });

  it("is deterministic, and a different seed gives different data", () => {
    expect(digest(generateDemoBundle())).toBe(digest(generateDemoBundle()));
    expect(digest(generateDemoBundle(7))).not.toBe(digest(generateDemoBundle()));
    // Four whole demo bundles: seconds on a loaded machine.
  }, 30_000);

  it("emits only resources the importer accepts, with unique ids per type", () => {
    const seen = new Set<string>();
    for (const resource of resources) {
      const schema = RESOURCE_SCHEMAS[resource.resourceType as keyof typeof RESOURCE_SCHEMAS];
      expect(schema, resource.resourceType).toBeDefined();
      const parsed = schema.safeParse(resource);
      expect(parsed.success, `${resource.resourceType}/${resource.id}: ${parsed.error?.message}`).toBe(true);
      const key = `${resource.resourceType}/${resource.id}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    expect(resources.filter((resource) => resource.resourceType === "Consent").length).toBeGreaterThan(3);
  }, 30_000);

  it("gives practitioners valid NPIs and includes patients aged 90 or more", () => {
    const npis = resources.filter((r) => r.resourceType === "Practitioner").map((r) => (r.identifier as { value: string }[])[0]!.value);
    expect(npis.every(isValidNpi)).toBe(true);
    const births = resources.filter((r) => r.resourceType === "Patient").map((r) => new Date(r.birthDate as string).getTime());
    const ninetyYearsAgo = Date.UTC(2026, 10, 1) - 90 * 365.25 * 86_400_000;
    expect(births.filter((time) => time < ninetyYearsAgo).length).toBeGreaterThan(0);
  });
});
