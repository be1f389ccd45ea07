import type { TActor } from "@/lib/auth/policy";

export type TNavSection = { title: string; links: { href: string; label: string }[] };

/** The menu each role sees; each page still asks the policy itself. */
export function navigationFor(actor: TActor): TNavSection[] {
  const work: TNavSection = { title: "Work", links: [] };
  if (actor.role === "THERAPIST" || actor.role === "ADMIN") work.links.push({ href: "/patients", label: "Patients" });
  if (actor.role === "ANALYST" || actor.role === "ADMIN") work.links.push({ href: "/datasets", label: "Datasets" });
  work.links.push({ href: "/exports", label: "My exports" }, { href: "/schedules", label: "Schedules" });

  const sections = [work];
  if (actor.role === "ADMIN") {
    sections.push({
      title: "Administration",
      links: [
        { href: "/admin", label: "Overview" },
        { href: "/admin/users", label: "Users & access" },
        { href: "/admin/templates", label: "Templates" },
        { href: "/admin/audit", label: "Audit trail" },
        { href: "/admin/settings", label: "Settings" },
        { href: "/admin/fhir-clients", label: "FHIR clients" },
      ],
    });
  }
  sections.push({ title: "Account", links: [{ href: "/account/tokens", label: "API tokens" }] });

  return sections;
}
