"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson } from "@/components/admin/send-json";

export function CreateUserForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = {
      email: String(form.get("email") ?? ""),
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? ""),
      password: String(form.get("password") ?? ""),
      ...(form.get("credentials") ? { credentials: String(form.get("credentials")) } : {}),
      ...(form.get("npi") ? { npi: String(form.get("npi")) } : {}),
      pii_access: form.get("pii_access") === "on",
    };
    setIsBusy(true);
    const result = await sendJson<{ id: string }>("POST", "/api/v1/admin/users", body);
    setIsBusy(false);
    if (!result.ok) {
      setError(messageForPeople(result.error, result.issues));
      return;
    }
    router.push(`/admin/users/${result.data.id}`);
  }

  return (
    <form className="stack" onSubmit={onSubmit} data-testid="create-user-form">
      <h2>Add a user</h2>
      {error && (
        <div className="alert alert-danger" role="alert" data-testid="create-user-error">
          {error}
        </div>
      )}
      <div className="grid-2">
        <label className="field">
          Email
          <input name="email" type="email" required data-testid="create-user-email" />
        </label>
        <label className="field">
          Name
          <input name="name" required data-testid="create-user-name" />
        </label>
        <label className="field">
          Role
          <select name="role" defaultValue="therapist" data-testid="create-user-role">
            <option value="therapist">Therapist</option>
            <option value="analyst">Analyst</option>
            <option value="admin">Administrator</option>
          </select>
        </label>
        <label className="field">
          Initial password (12+ characters, not easy to guess)
          <input name="password" type="password" required minLength={12} autoComplete="new-password" data-testid="create-user-password" />
        </label>
        <label className="field">
          Credentials (therapists)
          <input name="credentials" placeholder="LCSW" />
        </label>
        <label className="field">
          NPI (therapists)
          <input name="npi" inputMode="numeric" pattern="\d{10}" />
        </label>
      </div>
      <label className="checkbox">
        <input name="pii_access" type="checkbox" /> Identified (PII) dataset tier — analysts only
      </label>
      <div>
        <button className="btn btn-primary" type="submit" disabled={isBusy} data-testid="create-user-submit">
          Create user
        </button>
      </div>
    </form>
  );
}
