import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";

import { loadActiveActor } from "@/lib/auth/actor";
import { authOptions } from "@/lib/auth/next-auth";
import type { TActor } from "@/lib/auth/policy";

/** The signed-in actor of a server page or route, or null. */
export async function getSessionActor(): Promise<TActor | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user as { id?: string; signedInAt?: number } | undefined;
  if (!user?.id) return null;

  // A session token from before signedInAt existed counts as signed in at the epoch: a password reset ends it too.
  return loadActiveActor(user.id, user.signedInAt ?? 0);
}

/** For server pages: the actor, or a redirect to the login page. */
export async function requirePageActor(): Promise<TActor> {
  const actor = await getSessionActor();
  if (!actor) redirect("/login");

  return actor;
}
