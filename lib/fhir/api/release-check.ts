// The release scan, applied to each de-identified page before it is served: the page's bytes
// are searched for the identifiers of every patient it covers (lib/anonymize's scanner, which
// derives its terms apart from the scrubber). A hit is logged and audited, and nothing is served.
import { createReleaseScanner, ReleaseScanError } from "@/lib/anonymize/release-scan";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import { AppError } from "@/lib/errors/app-error";
import { logger } from "@/lib/logger";

export async function checkRelease(body: string, view: TFhirView, context: { userId: string; resourceType: string; meta: TRequestMeta }) {
  if (!view.isMasked) return;
  const subjects = view.scanSubjects();
  if (!subjects.length) return;
  try {
    createReleaseScanner(subjects).scanBuffer(body, `FHIR ${context.resourceType} page`);
  } catch (error) {
    if (!(error instanceof ReleaseScanError)) throw error;
    // The kind of value and the patient's internal id, for an administrator; never the value.
    logger.error("FHIR release scan withheld a de-identified page", { requestId: context.meta.requestId, resourceType: context.resourceType, kind: error.kind });
    await recordAudit(null, {
      action: "fhir_release_refused",
      outcome: "failure",
      userId: context.userId,
      patientId: error.patientId,
      metadata: { resourceType: context.resourceType, kind: error.kind },
      meta: context.meta,
    });
    throw new AppError("INTERNAL", "The de-identified page was withheld: the release scan found a patient's identifier in it. The event was audited; an administrator can trace it.");
  }
}
