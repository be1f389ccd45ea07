import { AppSidebar } from "@/components/app-sidebar";
import { NavLinks } from "@/components/nav-links";
import { SignOutButton } from "@/components/sign-out-button";
import { navigationFor } from "@/lib/auth/navigation";
import { requirePageActor } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

const ROLE_LABEL = { THERAPIST: "Therapist", ANALYST: "Analyst", ADMIN: "Administrator" } as const;

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const actor = await requirePageActor();

  return (
    <div className="shell">
      <AppSidebar>
        <NavLinks sections={navigationFor(actor)} />
        <div className="sidebar-footer">
          <strong data-testid="current-user">{actor.name}</strong>
          {ROLE_LABEL[actor.role]} · {actor.email}
          <div>
            <SignOutButton />
          </div>
        </div>
      </AppSidebar>
      <main className="main">{children}</main>
    </div>
  );
}
