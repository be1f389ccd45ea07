"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Pause / resume / delete buttons for one schedule; the API asks the policy. */
export function ScheduleActions({ id, isActive, afterDelete = "/schedules" }: { id: string; isActive: boolean; afterDelete?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function send(method: "PATCH" | "DELETE", body?: unknown) {
    setIsBusy(true);
    setError(null);
    const response = await fetch(`/api/v1/export/scheduled/${id}`, {
      method,
      headers: body ? { "content-type": "application/json" } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    setIsBusy(false);
    if (!response.ok) {
      const result = (await response.json().catch(() => ({}))) as { error?: string };
      setError(result.error ?? "That did not work.");
      return;
    }
    if (method === "DELETE") router.push(afterDelete);
    router.refresh();
  }

  return (
    <span className="row">
      <button className="btn btn-sm" type="button" disabled={isBusy} onClick={() => send("PATCH", { is_active: !isActive })} data-testid={isActive ? "schedule-pause" : "schedule-resume"}>
        {isActive ? "Pause" : "Resume"}
      </button>
      <button
        className="btn btn-sm btn-danger"
        type="button"
        disabled={isBusy}
        onClick={() => {
          if (window.confirm("Delete this schedule? Files it already produced are kept until they expire.")) void send("DELETE");
        }}
        data-testid="schedule-delete"
      >
        Delete
      </button>
      {error && (
        <span className="small" role="alert" data-testid="schedule-action-error">
          {error}
        </span>
      )}
    </span>
  );
}
