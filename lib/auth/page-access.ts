import { headers } from "next/headers";
import { notFound } from "next/navigation";

import { requestMetaFromHeaders, type TRequestMeta } from "@/lib/audit/request-meta";
import { authorize, type TDenialContext } from "@/lib/auth/authorize";
import type { TActor, TPolicyRequest } from "@/lib/auth/policy";
import { AppError } from "@/lib/errors/app-error";

export async function pageRequestMeta(): Promise<TRequestMeta> {
  const list = await headers();

  return requestMetaFromHeaders((name) => list.get(name), { via: "web" });
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
