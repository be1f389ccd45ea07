// What a pull brought back, gathered as one NDJSON text for the import (one run, one all-or-nothing
// transaction). Resources are kept once per type and id, the last copy winning: a paged search can
// meet a resource twice when it changes while the pages are read.
import { SyncRefusedError } from "@/lib/fhir/sources/sync-error";

export type TPullProgress = { stage: string; share?: number };

export type TPullOptions = {
  /** The types asked for; empty: every importable type the source offers. */
  types: readonly string[];
  since: Date | null;
  /** The most bytes one run may bring (FHIR_IMPORT_MAX_BYTES: one run is one import). */
  maxBytes: number;
  signal: AbortSignal;
  onProgress?: (progress: TPullProgress) => Promise<void>;
};

export type TPulled = {
  method: "bulk" | "search";
  /** The source's clock at the start of the pull: the next run's lower bound. */
  transactionTime: Date;
  ndjson: string;
  /** Resources per type (after duplicates were folded). */
  countsByType: Record<string, number>;
  total: number;
};

export class NdjsonCollector {
  private readonly byKey = new Map<string, { type: string; line: string }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get remainingBytes() {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  private add(type: string, id: unknown, line: string, position: string) {
    this.bytes += Buffer.byteLength(line) + 1;
    if (this.bytes > this.maxBytes) throw new SyncRefusedError(`the run brings more than FHIR_IMPORT_MAX_BYTES (${this.maxBytes} bytes): raise it, or pull fewer types`);
    // A resource without an id is kept as it is: the import refuses it with its position.
    const key = typeof id === "string" ? `${type}/${id}` : `#${position}`;
    this.byKey.delete(key);
    this.byKey.set(key, { type, line });
  }

  /** One downloaded NDJSON file: each line's type and id are read to fold duplicates. */
  addNdjson(text: string, fileType: string) {
    const lines = text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!.trim();
      if (!line) continue;
      let parsed: { resourceType?: unknown; id?: unknown } | null = null;
      try {
        parsed = JSON.parse(line) as { resourceType?: unknown; id?: unknown };
      } catch {
        // Left for the import to refuse by position, with the whole run.
      }
      this.add(typeof parsed?.resourceType === "string" ? parsed.resourceType : fileType, parsed?.id, line, `${fileType}:${index}`);
    }
  }

  addResource(resource: { resourceType: string; id?: unknown }, position: string) {
    this.add(resource.resourceType, resource.id, JSON.stringify(resource), position);
  }

  result(): Pick<TPulled, "ndjson" | "countsByType" | "total"> {
    const countsByType: Record<string, number> = {};
    const lines: string[] = [];
    for (const { type, line } of this.byKey.values()) {
      countsByType[type] = (countsByType[type] ?? 0) + 1;
      lines.push(line);
    }

    return { ndjson: lines.join("\n"), countsByType, total: lines.length };
  }
}
