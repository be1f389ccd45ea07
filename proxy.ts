// Next 16's proxy (the former middleware): runs before routing on every request except static
// build assets. Everything it does is in lib/http/proxy-request.ts.
import type { NextRequest } from "next/server";

import { env } from "@/lib/env";
import { proxyRequest } from "@/lib/http/proxy-request";

export function proxy(request: NextRequest) {
  return proxyRequest(request, { isDevelopment: env().NODE_ENV === "development" });
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon\\.ico|icon\\.svg).*)"],
};
