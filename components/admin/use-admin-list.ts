"use client";

// The list an admin page manages (API clients, FHIR sources, warehouses): loaded once on mount,
// again after each change, and a message line for what went right or wrong.
import { useCallback, useEffect, useState } from "react";

import { sendJson, type TApiResult } from "@/components/admin/send-json";

export type TAdminMessage = { kind: "ok" | "danger"; text: string };

/** `url` answers `{ [field]: TItem[] }`; items is null until the first answer. */
export function useAdminList<TItem>(url: string, field: string) {
  const [items, setItems] = useState<TItem[] | null>(null);
  const [message, setMessage] = useState<TAdminMessage | null>(null);

  const show = useCallback((result: TApiResult<Record<string, TItem[]>>) => {
    if (result.ok) setItems(result.data[field] ?? []);
    else setMessage({ kind: "danger", text: result.error });
  }, [field]);

  useEffect(() => {
    let isActive = true;
    sendJson<Record<string, TItem[]>>("GET", url).then((result) => {
      if (isActive) show(result);
    });

    return () => {
      isActive = false;
    };
  }, [url, show]);

  const reload = useCallback(async () => show(await sendJson<Record<string, TItem[]>>("GET", url)), [url, show]);

  return { items, message, setMessage, reload };
}
