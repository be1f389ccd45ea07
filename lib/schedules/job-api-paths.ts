/**
 * The API paths of a job's status and file, neither of which works without a session or API
 * token of the job's owner (or an admin). Dataset jobs get the dataset contract's paths: a
 * dataset never goes by signed link.
 */
export function jobApiPaths(job: { id: string; kind: string }): { status: string; download: string } {
  const id = encodeURIComponent(job.id);

  return job.kind === "dataset"
    ? { status: `/api/v1/datasets/exports/${id}`, download: `/api/v1/datasets/exports/${id}/download` }
    : { status: `/api/v1/export/jobs/${id}`, download: `/api/v1/export/download/${id}` };
}
