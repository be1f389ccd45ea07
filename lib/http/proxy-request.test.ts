import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";

import { FORWARDED_CHAIN_HEADER, REQUEST_ID_HEADER } from "@/lib/audit/request-meta";
import { pathProblem, PROXY_MAX_BODY_BYTES, proxyRequest } from "@/lib/http/proxy-request";

const OPTIONS = { isDevelopment: false };

/** The request headers the proxy hands on, as Next's router applies them (x-middleware-request-*). */
function forwardedHeaders(response: Response) {
  const names = (response.headers.get("x-middleware-override-headers") ?? "").split(",").filter(Boolean);

  return Object.fromEntries(names.map((name) => [name, response.headers.get(`x-middleware-request-${name}`)]));
}

describe("proxy: malformed paths", () => {
  it("finds what cannot be decoded, and NUL, in any segment", () => {
    expect(pathProblem("/api/v1/patients/abc")).toBeNull();
    expect(pathProblem("/api/v1/patients/%C3%A9")).toBeNull();
    expect(pathProblem("/api/v1/patients/%FF")).toBe("is not valid percent-encoded UTF-8");
    expect(pathProblem("/api/v1/patients/%ED%A0%80")).toBe("is not valid percent-encoded UTF-8");
    expect(pathProblem("/patients/%E0%A4%A")).toBe("is not valid percent-encoded UTF-8");
    expect(pathProblem("/patients/a%00b")).toBe("must not contain NUL characters");
  });

  it("answers the API with a JSON 400 naming the path, FHIR with an OperationOutcome, pages with text", async () => {
    const api = proxyRequest(new NextRequest("http://127.0.0.1:3000/api/v1/export/jobs/%FF"), OPTIONS);
    expect(api.status).toBe(400);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await api.json();
    expect(body).toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "(path)", message: "is not valid percent-encoded UTF-8" }] });
    expect(body.request_id).toBe(api.headers.get("x-request-id"));

    const fhir = proxyRequest(new NextRequest("http://127.0.0.1:3000/api/fhir/Patient/%ED%A0%80"), OPTIONS);
    expect(fhir.status).toBe(400);
    expect(fhir.headers.get("content-type")).toMatch(/^application\/fhir\+json/);
    expect(await fhir.json()).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "invalid", expression: ["(path)"] }] });

    const page = proxyRequest(new NextRequest("http://127.0.0.1:3000/patients/%FF"), OPTIONS);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("not valid percent-encoded UTF-8");
  });

  it("refuses NUL and malformed encoding in a page's query too, naming the parameter", async () => {
    const nul = proxyRequest(new NextRequest("http://127.0.0.1:3000/patients?q=a%00b"), OPTIONS);
    expect(nul.status).toBe(400);
    expect(await nul.text()).toContain("q: must not contain NUL characters");
    const api = proxyRequest(new NextRequest("http://127.0.0.1:3000/api/v1/audit?from=%FF"), OPTIONS);
    expect(await api.json()).toMatchObject({ code: "INVALID_INPUT", issues: [{ path: "from", message: "is not valid percent-encoded UTF-8" }] });
    expect(proxyRequest(new NextRequest("http://127.0.0.1:3000/login?callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2Fpatients"), OPTIONS).status).toBe(200);
  });

  it("refuses a body larger than Next passes through whole, rather than letting it be cut off", () => {
    const request = new NextRequest("http://127.0.0.1:3000/api/fhir", { method: "POST", headers: { "content-length": String(PROXY_MAX_BODY_BYTES + 1) } });
    expect(proxyRequest(request, OPTIONS).status).toBe(413);
  });
});

describe("proxy: request id and forwarded addresses", () => {
  it("overwrites a client's request id with its own, and hands X-Forwarded-For on only as the chain header", () => {
    const request = new NextRequest("http://127.0.0.1:3000/api/v1/patients", {
      headers: { [REQUEST_ID_HEADER]: "client-chosen", [FORWARDED_CHAIN_HEADER]: "6.6.6.6", "x-forwarded-for": "203.0.113.9, 10.0.0.2", "x-request-id": "abc-123" },
    });
    const response = proxyRequest(request, OPTIONS);
    const forwarded = forwardedHeaders(response);
    expect(forwarded[REQUEST_ID_HEADER]).toMatch(/^[0-9a-f-]{36}$/);
    // Next copies the pass-through response's headers onto the request: an X-Request-Id there
    // would overwrite the client's (found in the real build; the route wrappers answer with ours).
    expect(response.headers.get("x-request-id")).toBeNull();
    expect(forwarded[FORWARDED_CHAIN_HEADER]).toBe("203.0.113.9, 10.0.0.2");
    // Removed, so that Next sets it to the connection's peer.
    expect(Object.keys(forwarded)).not.toContain("x-forwarded-for");
    // The client's own id stays, for request-meta to record (sanitised) beside ours.
    expect(forwarded["x-request-id"]).toBe("abc-123");
  });

  it("does not pass on a chain header the client made up when it sent no X-Forwarded-For", () => {
    const forwarded = forwardedHeaders(proxyRequest(new NextRequest("http://127.0.0.1:3000/", { headers: { [FORWARDED_CHAIN_HEADER]: "6.6.6.6" } }), OPTIONS));
    expect(Object.keys(forwarded)).not.toContain(FORWARDED_CHAIN_HEADER);
  });
});

describe("proxy: headers", () => {
  it("sets a CSP with a fresh nonce per request on the request (for Next) and the response; no unsafe-inline or eval for scripts", () => {
    const first = proxyRequest(new NextRequest("http://127.0.0.1:3000/patients"), OPTIONS);
    const second = proxyRequest(new NextRequest("http://127.0.0.1:3000/patients"), OPTIONS);
    const policy = first.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    expect(forwardedHeaders(first)["content-security-policy"]).toBe(policy);
    expect(forwardedHeaders(first)["x-nonce"]).toBe(nonce);
    const scriptSrc = policy.split("; ").find((directive) => directive.startsWith("script-src "))!;
    expect(scriptSrc).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'self'");
    expect(policy).not.toContain("upgrade-insecure-requests");
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });

  it("adds HSTS and upgrade-insecure-requests when served over https", () => {
    const response = proxyRequest(new NextRequest("https://care.example.org/patients"), OPTIONS);
    expect(response.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });
});
