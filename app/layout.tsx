import type { Metadata } from "next";

import "./globals.css";

// Every page renders per request: its scripts carry that request's CSP nonce (proxy.ts), which a
// page prerendered at build time could not.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "CareExport", template: "%s · CareExport" },
  description: "Clinical data exports, safely.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
