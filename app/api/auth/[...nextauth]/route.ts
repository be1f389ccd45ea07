// next-auth (credentials + optional OIDC), JWT sessions. Its own endpoints carry next-auth's CSRF
// token; the wrapper adds the request id, path checks and error mapping, and reads no body.
import NextAuth from "next-auth";
import { z } from "zod";

import { authOptions } from "@/lib/auth/next-auth";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type THandler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

const handler = route({
  auth: "none",
  // Sign-in has its own per-address and per-account throttle (lib/auth/login-throttle.ts); the
  // session reads of every open page would otherwise share one budget behind a proxy.
  rateLimit: false,
  params: z.object({ nextauth: z.array(z.string().max(100)).max(4) }),
  handler: async ({ request, params }) => (NextAuth(authOptions()) as unknown as THandler)(request, { params: Promise.resolve(params) }),
});

export { handler as GET, handler as POST };
