// The "past exports" list of the datasets page: the caller's dataset exports (an admin: all).
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";

const MAX_LISTED = 200;

type TDatasetJobParameters = { tier?: unknown; datasets?: unknown };

export async function listDatasetExports(actor: TActor) {
  const jobs = await prisma.exportJob.findMany({
    where: { kind: "dataset", ...(actor.role === "ADMIN" ? {} : { userId: actor.id }) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: MAX_LISTED,
    select: { id: true, status: true, parameters: true, createdAt: true, completedAt: true, fileSize: true, checksum: true, expiresAt: true, errorMessage: true },
  });

  return {
    exports: jobs.map((job) => {
      const parameters = (job.parameters ?? {}) as TDatasetJobParameters;
      return {
        id: job.id,
        tier: typeof parameters.tier === "string" ? parameters.tier : null,
        datasets: Array.isArray(parameters.datasets) ? parameters.datasets.filter((name): name is string => typeof name === "string") : [],
        status: job.status.toLowerCase(),
        created_at: job.createdAt.toISOString(),
        completed_at: job.completedAt?.toISOString() ?? null,
        file_size: job.fileSize,
        /** SHA-256 of the ZIP as offered for download. */
        sha256: job.checksum,
        expires_at: job.expiresAt?.toISOString() ?? null,
        error: job.errorMessage,
      };
    }),
  };
}
