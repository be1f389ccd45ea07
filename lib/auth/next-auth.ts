import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";

import { sameSiteUrl } from "@/lib/app-url/app-base-url";
import { recordAudit } from "@/lib/audit/record";
import { requestMetaFromHeaders, type TRequestMeta } from "@/lib/audit/request-meta";
import { endSessionOnSignOut } from "@/lib/auth/end-session-on-sign-out";
import { verifyCredentials } from "@/lib/auth/login";
import { type TOidcProfile, verifiedEmailOf } from "@/lib/auth/oidc-profile";
import type { TRole } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

const ZCredentials = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1000) });

function metaFromHeaders(headers: Record<string, unknown> | undefined): TRequestMeta {
  const header = (name: string) => {
    const value = headers?.[name];
    return typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : null;
  };

  return requestMetaFromHeaders(header, { via: "web" });
}

/** An OIDC provider (Keycloak or any other) when OIDC_ISSUER and its client are configured. */
function oidcProviders(): NextAuthOptions["providers"] {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME } = env();
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID || !OIDC_CLIENT_SECRET) return [];

  return [
    {
      id: "oidc",
      name: OIDC_NAME,
      type: "oauth",
      wellKnown: `${OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: TOidcProfile) {
        return { id: profile.sub, email: verifiedEmailOf(profile), name: profile.name ?? profile.email };
      },
    },
  ];
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const parsed = ZCredentials.safeParse(credentials);
          if (!parsed.success) return null;
          const result = await verifyCredentials(parsed.data.email, parsed.data.password, metaFromHeaders(req?.headers));
          // One answer (next-auth's CredentialsSignin) for every failure: wrong password, unknown
          // email, disabled or locked account alike.
          if (!result.ok) return null;

          return { id: result.actor.id, email: result.actor.email, name: result.actor.name, role: result.actor.role, sessionVersion: result.sessionVersion };
        },
      }),
      ...oidcProviders(),
    ],
    callbacks: {
      // Where next-auth sends the browser (after sign-out, sign-in): this portal, never another site.
      async redirect({ url, baseUrl }) {
        return sameSiteUrl(url, baseUrl);
      },
      // OIDC users are not created on the fly: an admin creates the account, SSO signs it in.
      async signIn({ account, user, profile }) {
        if (account?.provider !== "oidc") return true;
        const known = user.email ? await prisma.user.findUnique({ where: { email: user.email }, select: { id: true, isDisabled: true } }) : null;
        const reason = !user.email ? "email-not-verified" : !known ? "no-account" : known.isDisabled ? "disabled" : null;
        await recordAudit(null, {
          action: reason ? "login_failure" : "login_success",
          outcome: reason ? "failure" : "success",
          userId: known?.id ?? null,
          actorLabel: known ? null : (user.email ?? profile?.email ?? "oidc").slice(0, 200),
          metadata: { method: "oidc", ...(reason ? { reason } : {}) },
          meta: { via: "web" },
        });

        return reason === null;
      },
      async jwt({ token, user, account }) {
        // Only at sign-in (user is given then): the session keeps the user's session version of
        // that moment, and ends when the version moves on (lib/auth/actor.ts).
        if (user && account?.provider === "oidc" && user.email) {
          const known = await prisma.user.findUnique({ where: { email: user.email }, select: { id: true, role: true, sessionVersion: true } });
          if (known) {
            token.uid = known.id;
            token.role = known.role;
            token.sv = known.sessionVersion;
          }
        } else if (user) {
          token.uid = user.id;
          token.role = (user as { role?: TRole }).role;
          token.sv = (user as { sessionVersion?: number }).sessionVersion;
        }

        return token;
      },
      async session({ session, token }) {
        if (session.user) {
          (session.user as { id?: string; role?: TRole }).id = token.uid as string;
          (session.user as { id?: string; role?: TRole }).role = token.role as TRole;
          (session.user as { sessionVersion?: number }).sessionVersion = token.sv as number | undefined;
        }

        return session;
      },
    },
    events: {
      // /api/auth/signout: the cookie is cleared in the browser, and the session ends on the server.
      async signOut({ token }) {
        if (typeof token?.uid === "string" && typeof token.sv === "number") await endSessionOnSignOut(token.uid, token.sv, { via: "web" });
      },
    },
  };
}
