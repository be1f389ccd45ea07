"use client";

import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button className="btn btn-sm" type="button" onClick={() => signOut({ callbackUrl: "/login" })} style={{ marginTop: 8 }}>
      Sign out
    </button>
  );
}
