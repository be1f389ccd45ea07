// _elements (search and Bulk Data export): the listed top-level elements, plus what every resource
// must keep (resourceType, id, meta), tagged SUBSETTED as the spec asks.
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

// No display: clients match the tag by system and code exactly (the Bulk Data conformance suite compares the whole object).
export const SUBSETTED = { system: "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", code: "SUBSETTED" };

export function subset(resource: TFhirResource, elements: string[]): TFhirResource {
  const kept = Object.fromEntries(Object.entries(resource).filter(([key]) => key === "resourceType" || key === "id" || key === "meta" || elements.includes(key))) as TFhirResource;
  const meta = (kept.meta ?? {}) as { tag?: unknown[] };

  return { ...kept, meta: { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] } };
}
