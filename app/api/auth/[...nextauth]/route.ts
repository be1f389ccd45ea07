// next-auth (credentials + optional OIDC), JWT sessions.
import NextAuth from "next-auth";

import { authOptions } from "@/lib/auth/next-auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type THandler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

const handler: THandler = (request, context) => (NextAuth(authOptions()) as unknown as THandler)(request, context);

export { handler as GET, handler as POST };
