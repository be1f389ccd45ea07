"use client";

// The live status of one report job under the form that queued it: a single report (export
// panel) or a batch (batch report panel). One card, so both show progress, a dropped progress
// stream, a failure and the download the same way; each adds its own detail.
import type { ReactNode } from "react";

import { formatBytes, isFinalStatus, type TJobEvent, unfinishedJobMessage, useJobEvents } from "./use-job-events";

type TReportJobStatusProps = {
  jobId: string;
  /** Prefix of the card's test ids: `${testId}-job`, `${testId}-job-status`, `${testId}-download`. */
  testId: string;
  progressLabel: string;
  /** Shown beside the status badge (a batch's count of patients). */
  detail?: (event: TJobEvent | null) => ReactNode;
  /** Shown beside the Download button once completed (an Open button, what the file holds). */
  completed?: (event: TJobEvent | null) => ReactNode;
};

export function ReportJobStatus({ jobId, testId, progressLabel, detail, completed }: TReportJobStatusProps) {
  const event = useJobEvents(`/api/v1/export/jobs/${encodeURIComponent(jobId)}/events`);
  const status = (event?.status ?? "pending").toLowerCase();
  const percent = Math.round(event?.progress?.percent ?? (status === "completed" ? 100 : 0));
  const failure = unfinishedJobMessage(status, event?.error);

  return (
    <div className="stack" style={{ marginTop: 14 }} data-testid={`${testId}-job`} data-status={status}>
      <div className="row">
        <span className={`badge ${status === "completed" ? "badge-ok" : status === "failed" ? "badge-danger" : "badge-info"}`} data-testid={`${testId}-job-status`}>
          {status}
        </span>
        {detail?.(event)}
        {!isFinalStatus(status) && <span className="small muted">{event?.progress?.stage ?? "waiting for a worker"}…</span>}
      </div>
      {!isFinalStatus(status) && (
        <div className="progress" aria-label={progressLabel}>
          <span style={{ width: `${percent}%` }} />
        </div>
      )}
      {event?.connectionProblem && !isFinalStatus(status) && (
        <div className="alert alert-warn" role="status">
          {event.connectionProblem}
        </div>
      )}
      {failure && <div className="alert alert-danger">{failure}</div>}
      {status === "completed" && (
        <div className="row">
          <a className="btn btn-primary" href={`/api/v1/export/download/${encodeURIComponent(jobId)}`} data-testid={`${testId}-download`} download>
            Download
          </a>
          {completed?.(event) ?? <span className="small muted">{formatBytes(event?.file_size)}</span>}
        </div>
      )}
    </div>
  );
}
