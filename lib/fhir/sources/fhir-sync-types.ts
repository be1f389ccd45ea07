// The fhir_sync job kind's parameters (stored on the job; persisted, so change with care).
import { z } from "zod";

export const FHIR_SYNC_JOB_KIND = "fhir_sync";

export const ZFhirSyncParameters = z.object({ fhirSourceId: z.string(), syncId: z.string() });
export type TFhirSyncParameters = z.infer<typeof ZFhirSyncParameters>;
