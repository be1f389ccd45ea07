import type { TReference } from "@/lib/fhir/import/fhir-schemas";
import type { TTable } from "@/lib/fhir/import/plan-import";

/** What a mapper may ask while turning a resource into row data. */
export type TMapContext = {
  /** The row id a reference points at, if it points at a row of `table` (already validated to exist). */
  rowId(reference: TReference | undefined, table: TTable): string | null;
  /** Goal key -> TreatmentPlan row id, from the CarePlans' `goal` lists. */
  goalPlans: Map<string, string>;
};

/** Row data without id, fhirId and raw, which the writer adds. */
export type TRowData = Record<string, unknown>;
