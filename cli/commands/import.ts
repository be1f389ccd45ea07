import { readFile, stat } from "node:fs/promises";
import path from "node:path";

import { CLI_META } from "@/lib/audit/request-meta";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import type { TImportFormat } from "@/lib/fhir/import/parse-fhir-input";
import { AppError } from "@/lib/errors/app-error";

import { CliUsageError, parseFlags } from "../args";

export const summary = "Import a FHIR R4 Bundle (JSON) or NDJSON file; all or nothing, upsert by FHIR id";
export const usage = "npm run cli -- import FILE [--format bundle|ndjson]";

export async function run(argv: string[]) {
  const { flags, positional } = parseFlags(argv, { format: {} }, { positional: 1 });
  const file = positional[0];
  if (!file) throw new CliUsageError("FILE is required");
  const format = (flags.format as string | undefined) ?? "auto";
  if (!["bundle", "ndjson", "auto"].includes(format)) throw new CliUsageError("--format must be bundle or ndjson");
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new CliUsageError(`cannot read ${file}`);

  try {
    const result = await importFhir(await readFile(file), { format: format as TImportFormat, actorLabel: "cli", meta: CLI_META, source: { kind: "file", label: path.basename(file) } });
    const summaryLine = Object.entries(result.counts)
      .map(([type, count]) => `${type}: ${count.created} new, ${count.updated} updated, ${count.unchanged} unchanged`)
      .join("\n  ");
    const deletedLine = Object.entries(result.deleted).map(([type, count]) => `${type}: ${count}`).join(", ");
    console.log(`Imported ${result.total} resources from ${file}.\n  ${summaryLine}${deletedLine ? `\n  Deleted: ${deletedLine}` : ""}`);

    return 0;
  } catch (error) {
    // Name every problem (index, type, reason) so the sender can fix the file; nothing was written.
    if (error instanceof AppError && error.issues?.length) {
      console.error(`import: ${error.message}\nNothing was imported. Problems:`);
      for (const issue of error.issues.slice(0, 50)) console.error(`  ${issue.path}: ${issue.message}`);
      if (error.issues.length > 50) console.error(`  ... and ${error.issues.length - 50} more`);

      return 2;
    }
    throw error;
  }
}
