"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";

// One answer for every failed sign-in (wrong password, unknown email, locked): the server never
// says which, so nobody can learn which emails have accounts.
const MESSAGES: Record<string, string> = {
  CredentialsSignin: "The email or password is not right. After several failed attempts, sign-in from this network pauses for 15 minutes.",
};

export function LoginForm({ ssoName }: { ssoName: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsBusy(true);
    setError(null);
    const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    if (!result || result.error) {
      setIsBusy(false);
      setError(MESSAGES[result?.error ?? ""] ?? "Sign-in failed. Try again.");
      return;
    }
    router.replace("/");
    router.refresh();
  }

  return (
    <form className="stack" onSubmit={onSubmit} aria-label="Sign in">
      {error && (
        <div className="alert alert-danger" role="alert">
          {error}
        </div>
      )}
      <label className="field">
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className="field">
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="btn btn-primary" type="submit" disabled={isBusy}>
        {isBusy ? "Signing in…" : "Sign in"}
      </button>
      {ssoName && (
        <button className="btn" type="button" onClick={() => signIn("oidc", { callbackUrl: "/" })}>
          Continue with {ssoName}
        </button>
      )}
    </form>
  );
}
