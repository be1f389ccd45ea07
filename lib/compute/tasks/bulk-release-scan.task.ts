// The release scan of a de-identified Bulk Data export's files, in a compute worker (lib/fhir/bulk/bulk-release-scan.ts).
import type { TTaskInput, TTaskOutput } from "@/lib/compute/task-catalog";
import { scanBulkFiles } from "@/lib/fhir/bulk/bulk-release-scan";

export function bulkReleaseScanTask(input: TTaskInput<"fhir.bulk-release-scan">): Promise<TTaskOutput<"fhir.bulk-release-scan">> {
  return scanBulkFiles(input);
}
