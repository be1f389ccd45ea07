// GET /api/v1/datasets/exports – the caller's dataset exports (admins: everyone's), newest first.
// POST /api/v1/datasets/exports – starts a bulk dataset export (202). The data-use attestation
// is the person's confirmation in the UI/API, so it is checked here; the scheduler, which runs
// a schedule its owner already set up, calls createDatasetExport directly.
import { z } from "zod";

import { createDatasetExport, ZDatasetExportInput } from "@/lib/datasets/create-dataset-export";
import { listDatasetExports } from "@/lib/datasets/list-dataset-exports";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZBody = ZDatasetExportInput.extend({ attestation: z.literal(true, { message: "confirm the data-use terms (attestation: true)" }) }).strict();

export const POST = route({
  auth: "both",
  // Asked before the body: a therapist is refused (403), not told how to fill it in.
  policy: { action: "dataset.catalog" },
  body: ZBody,
  handler: async ({ actor, body: { attestation: _attestation, ...input }, meta }) => {
    const started = await createDatasetExport(actor, input, { meta });

    return json({ id: started.job_id, ...started }, 202, { Location: `/api/v1/datasets/exports/${started.job_id}` });
  },
});

export const GET = route({ auth: "both", policy: { action: "dataset.catalog" }, handler: async ({ actor }) => json(await listDatasetExports(actor)) });
