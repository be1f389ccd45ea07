"use client";

import { useEffect, useState } from "react";

type TStatus =
  | { state: "checking" }
  | { state: "error"; message: string }
  | { state: "done"; ok: boolean; count: number; broken_at_seq?: number; reason?: string; checkpoint: { seq: number } | null };

/** Walks the chain once per visit (GET /api/v1/audit/verify) and says whether it is intact. */
export function AuditChainBanner() {
  const [status, setStatus] = useState<TStatus>({ state: "checking" });

  useEffect(() => {
    let isActive = true;
    fetch("/api/v1/audit/verify", { cache: "no-store" })
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
        if (isActive) setStatus({ state: "done", ...body });
      })
      .catch((error: Error) => {
        if (isActive) setStatus({ state: "error", message: error.message });
      });

    return () => {
      isActive = false;
    };
  }, []);

  if (status.state === "checking") {
    return (
      <div className="alert alert-info" data-testid="audit-chain-banner" data-status="checking">
        Verifying the audit chain…
      </div>
    );
  }
  if (status.state === "error") {
    return (
      <div className="alert alert-warn" data-testid="audit-chain-banner" data-status="error">
        The chain could not be verified: {status.message}
      </div>
    );
  }
  if (status.ok) {
    return (
      <div className="alert alert-ok" data-testid="audit-chain-banner" data-status="intact">
        Chain intact: {status.count} records verified{status.checkpoint ? ` after the retention checkpoint at #${status.checkpoint.seq}` : ""}.
      </div>
    );
  }

  return (
    <div className="alert alert-danger" role="alert" data-testid="audit-chain-banner" data-status="broken" data-broken-at={status.broken_at_seq}>
      Chain BROKEN at record #{status.broken_at_seq}: {status.reason}. Records from there on cannot be trusted; investigate before exporting.
    </div>
  );
}
