"use client";

// "Run now" and "Send a test delivery" on a schedule's page; each says in words what happened.
import { useRouter } from "next/navigation";
import { useState } from "react";

import { errorMessageOf } from "@/components/exports/use-job-events";

const TEST_LABEL: Record<string, string> = { email: "Send a test email", webhook: "Send a test notice", storage: "Test the delivery folder" };

export function ScheduleRunControls({ id, isActive, deliveryMethod }: { id: string; isActive: boolean; deliveryMethod: string }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: "ok" | "danger"; text: string } | null>(null);
  const [busy, setBusy] = useState<"run" | "test" | null>(null);

  async function post(action: "run" | "test") {
    setBusy(action);
    setMessage(null);
    try {
      const response = await fetch(`/api/v1/export/scheduled/${encodeURIComponent(id)}/${action === "run" ? "run" : "test-delivery"}`, { method: "POST" });
      if (!response.ok) {
        setMessage({ kind: "danger", text: await errorMessageOf(response) });
        return;
      }
      if (action === "run") {
        setMessage({ kind: "ok", text: "Started. The run appears in the history below and is delivered as usual when its export finishes." });
        router.refresh();
      } else {
        const result = (await response.json()) as { ok: boolean; message: string };
        setMessage({ kind: result.ok ? "ok" : "danger", text: result.message });
      }
    } catch {
      setMessage({ kind: "danger", text: "The server could not be reached. Check your connection and try again." });
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="stack" style={{ marginTop: 12 }}>
      <div className="row">
        <button className="btn btn-primary" type="button" disabled={busy !== null || !isActive} onClick={() => void post("run")} data-testid="schedule-run-now" title={isActive ? undefined : "Resume the schedule to run it"}>
          {busy === "run" ? "Starting…" : "Run now"}
        </button>
        <button className="btn" type="button" disabled={busy !== null} onClick={() => void post("test")} data-testid="schedule-test-delivery">
          {busy === "test" ? "Sending…" : (TEST_LABEL[deliveryMethod] ?? "Send a test delivery")}
        </button>
      </div>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="schedule-run-message">
          {message.text}
        </div>
      )}
    </div>
  );
}
