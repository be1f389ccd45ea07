import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { LoginForm } from "@/components/login-form";
import { homePathFor } from "@/lib/auth/policy";
import { getSessionActor } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage() {
  const actor = await getSessionActor();
  if (actor) redirect(homePathFor(actor.role));
  const hasSso = Boolean(env().OIDC_ISSUER && env().OIDC_CLIENT_ID && env().OIDC_CLIENT_SECRET);

  return (
    <div className="login-wrap">
      <div className="login-card">
        <div className="brand">
          <span className="brand-mark">CE</span> CareExport
        </div>
        <h1>Sign in</h1>
        <p className="muted">{env().PRACTICE_NAME}</p>
        <LoginForm ssoName={hasSso ? env().OIDC_NAME : null} />
      </div>
    </div>
  );
}
