"use client";

// The sidebar: a column beside the page on wide screens; on a phone, a bar with a Menu button
// that opens the navigation and the signed-in user's block (closed again by any navigation).
import { usePathname } from "next/navigation";
import { useState } from "react";

export function AppSidebar({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  // Open only on the page where it was opened: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const isOpen = openOn === pathname;

  return (
    <aside className="sidebar" data-open={isOpen}>
      <div className="sidebar-top">
        <div className="brand">
          <span className="brand-mark">CE</span> CareExport
        </div>
        <button className="btn btn-sm menu-toggle" type="button" aria-expanded={isOpen} aria-controls="sidebar-menu" onClick={() => setOpenOn(isOpen ? null : pathname)} data-testid="menu-toggle">
          {isOpen ? "Close menu" : "Menu"}
        </button>
      </div>
      <div id="sidebar-menu" className="sidebar-menu">
        {children}
      </div>
    </aside>
  );
}
