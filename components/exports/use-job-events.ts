"use client";

// Follows one export job live through its server-sent events stream; the browser's
// EventSource resumes with Last-Event-ID on its own after a dropped connection.
import { useEffect, useState } from "react";

import { estimateSecondsLeft, slidePaceWindow, type TPaceSample } from "@/lib/jobs/time-left";

export type TJobEvent = {
  status: string;
  progress?: { percent?: number; stage?: string; datasets?: Record<string, { rows: number; total: number; done?: boolean }> } | null;
  error?: string | null;
  download_url?: string | null;
  file_size?: number | null;
  expires_at?: string | null;
  /** Worked out here, not sent: seconds left at the recent pace of rows (lib/jobs/time-left.ts). */
  secondsLeft?: number | null;
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

/** The API's error body in words: the message and, when present, each field's reason. */
export async function errorMessageOf(response: Response) {
  try {
    const body = (await response.json()) as { error?: string; issues?: { path: string; message: string }[] };
    const issues = body.issues?.map((issue) => `${issue.path}: ${issue.message}`).join("; ");

    return [body.error, issues].filter(Boolean).join(" — ") || `Request failed (${response.status})`;
  } catch {
    return `Request failed (${response.status})`;
  }
}
