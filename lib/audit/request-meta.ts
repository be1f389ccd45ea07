/** Where a request came from. Jobs carry it in their payload so their records name the requester. */
export type TRequestMeta = {
  ipAddress?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** "web", "api", "cli", "scheduler", "worker" */
  via?: string;
};

export function requestMetaFrom(request: Request, requestId: string, via = "api"): TRequestMeta {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();

  return {
    ipAddress: forwarded || request.headers.get("x-real-ip") || "127.0.0.1",
    userAgent: request.headers.get("user-agent")?.slice(0, 500) ?? null,
    requestId,
    via,
  };
}

export const CLI_META: TRequestMeta = { ipAddress: null, userAgent: "careexport-cli", via: "cli" };
