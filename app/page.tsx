import { redirect } from "next/navigation";

import { homePathFor } from "@/lib/auth/policy";
import { getSessionActor } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  const actor = await getSessionActor();
  redirect(actor ? homePathFor(actor.role) : "/login");
}
