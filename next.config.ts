import type { NextConfig } from "next";

import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@react-pdf/renderer", "@react-pdf/layout", "@react-pdf/render", "pdfkit", "archiver", "pg", "nodemailer", "liquidjs", "docx", "piscina"],
  poweredByHeader: false,
  experimental: {
    // Next buffers a request body for the proxy and cuts it off past this size; proxy.ts refuses
    // larger ones with a 413 (PROXY_MAX_BODY_BYTES in lib/http/proxy-request.ts, kept equal).
    proxyClientMaxBodySize: 64 * 1024 * 1024,
  },
  // The development badge sat over the signed-in user's name and Sign out (bottom left).
  devIndicators: { position: "bottom-right" },
  async headers() {
    // The Content-Security-Policy (with its per-request nonce) and HSTS come from proxy.ts.
    return [{ source: "/:path*", headers: STATIC_SECURITY_HEADERS }];
  },
};

export default nextConfig;
