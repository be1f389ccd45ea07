"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export type TNavSection = { title: string; links: { href: string; label: string }[] };

export function NavLinks({ sections }: { sections: TNavSection[] }) {
  const pathname = usePathname();

  return (
    <nav className="nav" aria-label="Main">
      {sections.map((section) => (
        <div key={section.title}>
          <div className="nav-section">{section.title}</div>
          {section.links.map((link) => {
            const isCurrent = pathname === link.href || (link.href !== "/admin" && pathname.startsWith(`${link.href}/`));
            return (
              <Link key={link.href} href={link.href} aria-current={isCurrent ? "page" : undefined}>
                {link.label}
              </Link>
            );
          })}
        </div>
      ))}
    </nav>
  );
}
