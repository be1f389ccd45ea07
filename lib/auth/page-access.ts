import { headers } from "next/headers";
import { notFound } from "next/navigation";

import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize, type TDenialContext } from "@/lib/auth/authorize";
import type { TActor, TPolicyRequest } from "@/lib/auth/policy";
import { AppError } from "@/lib/http/errors";

export async function pageRequestMeta(): Promise<TRequestMeta> {
  const list = await headers();

  return {
    ipAddress: list.get("x-forwarded-for")?.split(",")[0]?.trim() || list.get("x-real-ip") || "127.0.0.1",
    userAgent: list.get("user-agent")?.slice(0, 500) ?? null,
    via: "web",
  };
}

/**
 * The page form of `authorize`: true when allowed, false for a role-level refusal (the page
 * shows <Forbidden/>), and Next's 404 for an instance the actor may not know exists.
 */
export async function canViewPage(actor: TActor, request: TPolicyRequest, context: Omit<TDenialContext, "meta"> = {}) {
  try {
    await authorize(actor, request, { ...context, meta: await pageRequestMeta() });

    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    if (error instanceof AppError && error.code === "FORBIDDEN") return false;
    throw error;
  }
}
