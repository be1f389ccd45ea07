// FHIR R4 import: a Bundle or NDJSON file in, rows out. Validation first (every resource,
// every reference), writing second, all in one transaction with its audit record: a file
// is imported whole or not at all. The CLI, the API route and the demo seed all come here.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { recordAudit } from "@/lib/audit/record";
import { prisma } from "@/lib/db/client";
import { parseFhirInput, type TImportFormat } from "@/lib/fhir/import/parse-fhir-input";
import { planImport } from "@/lib/fhir/import/plan-import";
import { validateResources } from "@/lib/fhir/import/validate-resources";
import { writeResources, type TImportCounts } from "@/lib/fhir/import/write-resources";
import { refreshAfterConsentImport } from "@/lib/patients/consent";

export type TImportFhirOptions = {
  format?: TImportFormat;
  /** Bundle types accepted; the API narrows this to batch/transaction. */
  bundleTypes?: readonly string[];
  actorUserId?: string | null;
  /** For records without a user: "cli", "demo-seed". */
  actorLabel?: string;
  meta?: TRequestMeta;
};

export type TImportFhirResult = { counts: TImportCounts; total: number };

// One transaction holds the whole file; a large one (the demo is ~9,000 resources) needs far
// more than the client's default 30 s on a slow disk.
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export async function importFhir(input: string | Buffer, options: TImportFhirOptions = {}): Promise<TImportFhirResult> {
  const entries = parseFhirInput(input, { format: options.format, bundleTypes: options.bundleTypes });
  const resources = validateResources(entries);

  const counts = await prisma.$transaction(
    async (tx) => {
      const plan = await planImport(tx, resources);
      const written = await writeResources(tx, resources, plan);
      // A Consent changes its patient's opt-out flag, which every export reads.
      const consents = resources.filter((resource) => resource.type === "Consent").map((resource) => resource.id);
      if (consents.length) await refreshAfterConsentImport(tx, consents);
      await recordAudit(tx, {
        action: "fhir_imported",
        userId: options.actorUserId ?? null,
        actorLabel: options.actorUserId ? null : (options.actorLabel ?? "system"),
        // Counts only: resource ids can be patient identifiers in other systems.
        metadata: { total: resources.length, counts: written },
        meta: options.meta,
      });

      return written;
    },
    { timeout: IMPORT_TIMEOUT_MS, maxWait: 30_000 },
  );

  return { counts, total: resources.length };
}
