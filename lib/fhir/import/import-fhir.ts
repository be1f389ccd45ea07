// FHIR R4 import: a Bundle or NDJSON file in, rows out. Validation first (every resource,
// every reference), writing second, all in one transaction with its audit record: a file
// is imported whole or not at all. The CLI, the API route and the demo seed all come here.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { recordAudit } from "@/lib/audit/record";
import { prisma, type TTx } from "@/lib/db/client";
import { deleteResources, reviveTombstones, validateDeletions } from "@/lib/fhir/import/delete-resources";
import type { TResourceType } from "@/lib/fhir/import/fhir-schemas";
import { parseFhirInput, type TImportFormat } from "@/lib/fhir/import/parse-fhir-input";
import { planImport } from "@/lib/fhir/import/plan-import";
import { validateResources } from "@/lib/fhir/import/validate-resources";
import { writeResources, type TImportCounts } from "@/lib/fhir/import/write-resources";
import { refreshAfterConsentImport } from "@/lib/patients/consent";

/** Where an import came from, kept on its FhirImportRecord (the heartbeat reads them). */
export type TImportSource =
  | { kind: "file"; label: string }
  | { kind: "api"; label: string }
  | { kind: "fhir_source"; label: string; fhirSourceId: string }
  | { kind: "demo"; label: string };

export type TImportFhirOptions = {
  format?: TImportFormat;
  /** Bundle types accepted; the API narrows this to batch/transaction. */
  bundleTypes?: readonly string[];
  actorUserId?: string | null;
  /** For records without a user: "cli", "demo-seed". */
  actorLabel?: string;
  meta?: TRequestMeta;
  source: TImportSource;
  /**
   * Runs inside the import's transaction after the rows and the audit record are written: what
   * must commit with the data or not at all (a FHIR source sync's watermark).
   */
  beforeCommit?: (tx: TTx, result: TImportFhirResult) => Promise<void>;
};

export type TImportFhirResult = {
  counts: TImportCounts;
  total: number;
  /** Resources removed by DELETE entries, per type (a deleted patient's own rows included). */
  deleted: Partial<Record<TResourceType, number>>;
};

// One transaction holds the whole file; a large one (the demo is ~9,000 resources) needs far
// more than the client's default 30 s on a slow disk.
const IMPORT_TIMEOUT_MS = 10 * 60_000;

export async function importFhir(input: string | Buffer, options: TImportFhirOptions): Promise<TImportFhirResult> {
  const entries = parseFhirInput(input, { format: options.format, bundleTypes: options.bundleTypes });
  const resources = validateResources(entries.filter((entry) => entry.deleteUrl === undefined));
  const deletions = validateDeletions(entries, resources);

  const { counts, deleted } = await prisma.$transaction(
    async (tx) => {
      // FHIR's transaction order: deletes before creates and updates.
      const deleted = await deleteResources(tx, deletions);
      const plan = await planImport(tx, resources);
      const written = await writeResources(tx, resources, plan);
      await reviveTombstones(tx, resources);
      // A Consent changes its patient's opt-out flag, which every export reads.
      const consents = resources.filter((resource) => resource.type === "Consent").map((resource) => resource.id);
      if (consents.length) await refreshAfterConsentImport(tx, consents);
      await recordAudit(tx, {
        action: "fhir_imported",
        userId: options.actorUserId ?? null,
        actorLabel: options.actorUserId ? null : (options.actorLabel ?? "system"),
        // Counts only: resource ids can be patient identifiers in other systems.
        metadata: { total: resources.length, counts: written, ...(deletions.length ? { deleted } : {}), source: options.source.kind, sourceLabel: options.source.label },
        meta: options.meta,
      });
      await tx.fhirImportRecord.create({
        data: {
          sourceKind: options.source.kind,
          sourceLabel: options.source.label.slice(0, 200),
          fhirSourceId: options.source.kind === "fhir_source" ? options.source.fhirSourceId : null,
          userId: options.actorUserId ?? null,
          resourceCount: resources.length,
          counts: written,
        },
      });
      await options.beforeCommit?.(tx, { counts: written, total: resources.length, deleted });

      return { counts: written, deleted };
    },
    { timeout: IMPORT_TIMEOUT_MS, maxWait: 30_000 },
  );

  return { counts, total: resources.length, deleted };
}
