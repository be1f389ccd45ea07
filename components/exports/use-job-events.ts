"use client";

// Follows one export job live through its server-sent events stream; the browser's
// EventSource resumes with Last-Event-ID on its own after a dropped connection.
import { useEffect, useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { estimateSecondsLeft, slidePaceWindow, type TPaceSample } from "@/lib/jobs/time-left";

export type TJobEvent = {
  status: string;
  progress?: { percent?: number; stage?: string; datasets?: Record<string, { rows: number; total: number; done?: boolean }> } | null;
  error?: string | null;
  download_url?: string | null;
  file_size?: number | null;
  mime_type?: string | null;
  expires_at?: string | null;
  /** Worked out here, not sent: seconds left at the recent pace of rows (lib/jobs/time-left.ts). */
  secondsLeft?: number | null;
  /** Worked out here: the progress stream is down (the export itself may still be running). */
  connectionProblem?: string | null;
};

const FINAL = new Set(["completed", "failed", "expired", "deleted", "cancelled"]);

export function isFinalStatus(status: string | undefined) {
  return FINAL.has((status ?? "").toLowerCase());
}

export function useJobEvents(eventsUrl: string | null) {
  const [event, setEvent] = useState<TJobEvent | null>(null);

  useEffect(() => {
    if (!eventsUrl) return;
    const source = new EventSource(eventsUrl);
    let samples: TPaceSample[] = [];
    const onMessage = (message: MessageEvent<string>) => {
      try {
        const data = JSON.parse(message.data) as TJobEvent;
        const parts = Object.values(data.progress?.datasets ?? {});
        const rows = parts.reduce((sum, part) => sum + part.rows, 0);
        const total = parts.reduce((sum, part) => sum + part.total, 0);
        let secondsLeft: number | null = null;
        if (data.status.toLowerCase() === "processing" && total > 0) {
          samples = slidePaceWindow(samples, { at: Date.now(), rows });
          secondsLeft = estimateSecondsLeft(samples[0]!, samples.at(-1)!, total);
        }
        setEvent({ ...data, secondsLeft });
        if (isFinalStatus(data.status)) source.close();
      } catch {
        // A malformed event is skipped; the next one carries the full state again.
      }
    };
    for (const name of ["progress", "done", "error", "status", "message"]) source.addEventListener(name, onMessage as EventListener);
    // "error" above is the server's event for a failed job; onerror is the connection's. The
    // browser retries a dropped stream by itself, but gives up on a refused one (signed out, 404).
    source.onerror = () => {
      const connectionProblem =
        source.readyState === EventSource.CLOSED
          ? "Lost contact with the export's progress. Reload the page to see where it stands; the export itself goes on."
          : "Reconnecting to the export's progress…";
      setEvent((previous) => (previous && isFinalStatus(previous.status) ? previous : { status: previous?.status ?? "pending", ...previous, connectionProblem }));
    };
    source.onopen = () => setEvent((previous) => (previous?.connectionProblem ? { ...previous, connectionProblem: null } : previous));

    return () => source.close();
  }, [eventsUrl]);

  return event;
}

export function formatBytes(bytes: number | null | undefined) {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;

  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What a finished job that produced no file means for the person waiting on it. */
export function unfinishedJobMessage(status: string, error?: string | null): string | null {
  switch (status.toLowerCase()) {
    case "failed":
      return error ?? "The export failed.";
    case "cancelled":
      return "The export was cancelled.";
    case "expired":
      return "The file has expired and was deleted; start a new export.";
    case "deleted":
      return "The export was deleted.";
    default:
      return null;
  }
}

/** A status without an error body, in words (a gateway's 502 page, say). */
function statusInWords(status: number) {
  if (status === 401) return "You are signed out. Sign in again and retry.";
  if (status === 403) return "You do not have access to this.";
  if (status === 404) return "Not found: it may have been deleted.";
  if (status === 413) return "The request is too large.";
  if (status === 429) return "Too many requests. Wait a little and retry.";
  if (status >= 500) return "The server could not complete the request. Retry in a moment; if it keeps failing, tell your administrator.";

  return "The request was not accepted.";
}

/** The API's error body in words: the message and, when present, each field's reason. */
export async function errorMessageOf(response: Response) {
  try {
    const body = (await response.json()) as { error?: string; issues?: { path: string; message: string }[] };
    return messageForPeople(body.error, body.issues) || statusInWords(response.status);
  } catch {
    return statusInWords(response.status);
  }
}
