// The response headers that tell the browser what our pages may do. The Content-Security-Policy
// carries a fresh nonce per request (proxy.ts makes it; Next puts it on its own scripts, reading
// it from the request's CSP header), so no inline script runs unless we rendered it:
// 'strict-dynamic' lets those scripts load the chunks they need, and nothing else.
// Styles keep 'unsafe-inline': React renders style attributes, and a style cannot run code.

/** A nonce: 128 random bits, base64 (what a CSP nonce-source takes). */
export function makeNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export type TCspOptions = {
  nonce: string;
  /** Served over https: ask the browser to upgrade any http sub-resource. */
  isHttps: boolean;
  /** `next dev` evaluates code for Fast Refresh; a production build never does. */
  isDevelopment: boolean;
};

export function contentSecurityPolicy({ nonce, isHttps, isDevelopment }: TCspOptions): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDevelopment ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${isDevelopment ? " ws: wss:" : ""}`,
    // The PDF preview is a blob: URL of the rendered file, shown in an iframe.
    "frame-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
    ...(isHttps ? ["upgrade-insecure-requests"] : []),
  ];

  return directives.join("; ");
}

/** HSTS: two years, subdomains included; browsers only heed it over https, so it is sent only then. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/** Powerful features no page of ours uses, switched off for us and anything we frame. */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "payment=()",
  "publickey-credentials-get=()",
  "screen-wake-lock=()",
  "usb=()",
  "browsing-topics=()",
].join(", ");

/** The headers every response carries (next.config.ts); the CSP and HSTS are per request (proxy.ts). */
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "SAMEORIGIN" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
  // A window we open (or that opens us) gets no handle on our pages.
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
];
