import { describe, expect, it } from "vitest";

import { appBaseUrl, configuredBaseUrl, sameSitePath, sameSiteUrl, startupBaseUrlProblem } from "./app-base-url";

const request = (host: string, headers: Record<string, string> = {}) => new Request(`http://${host}/api/v1/export/jobs`, { headers: { host, ...headers } });

describe("the portal's public base URL", () => {
  it("uses APP_URL first, then NEXTAUTH_URL, without a trailing slash, whatever the request says", () => {
    expect(configuredBaseUrl({ NODE_ENV: "production", APP_URL: "https://exports.example.org/", NEXTAUTH_URL: "https://other.example.org" })).toBe("https://exports.example.org");
    expect(appBaseUrl(request("evil.example:1234"), { NODE_ENV: "development", NEXTAUTH_URL: "https://auth.example.org" })).toBe("https://auth.example.org");
  });

  it("in development with nothing configured, follows the host and port the browser used", () => {
    expect(appBaseUrl(request("localhost:3100"), { NODE_ENV: "development" })).toBe("http://localhost:3100");
    expect(appBaseUrl(request("127.0.0.1:4000", { "x-forwarded-proto": "https" }), { NODE_ENV: "development" })).toBe("https://127.0.0.1:4000");
  });

  it("without a request (worker, scheduler) falls back to this machine's port", () => {
    expect(appBaseUrl(null, { NODE_ENV: "development", PORT: 3100 })).toBe("http://localhost:3100");
    expect(appBaseUrl(undefined, { NODE_ENV: "test" })).toBe("http://localhost:3000");
  });

  it("never trusts the Host header in production", () => {
    expect(appBaseUrl(request("evil.example"), { NODE_ENV: "production" })).toBe("http://localhost:3000");
  });

  it("refuses to start in production without a configured base, in one line", () => {
    const problem = startupBaseUrlProblem({ NODE_ENV: "production" });
    expect(problem).toMatch(/APP_URL/);
    expect(problem).not.toContain("\n");
    expect(startupBaseUrlProblem({ NODE_ENV: "production", NEXTAUTH_URL: "https://exports.example.org" })).toBeNull();
    expect(startupBaseUrlProblem({ NODE_ENV: "development" })).toBeNull();
  });
});

describe("where next-auth sends the browser", () => {
  it("keeps a path, turns a same-site URL into its path, and sends anything else home", () => {
    expect(sameSitePath("/login", "http://localhost:3000")).toBe("/login");
    // The browser stays on the host and port it used, whatever base next-auth assumed.
    expect(sameSitePath("http://localhost:3000/login?x=1", "http://localhost:3000")).toBe("/login?x=1");
    expect(sameSitePath("https://evil.example/login", "http://localhost:3000")).toBe("/");
    expect(sameSitePath("//evil.example/login", "http://localhost:3000")).toBe("/");
    expect(sameSitePath("not a url", "http://localhost:3000")).toBe("/");
  });
});

describe("sameSiteUrl", () => {
  it("is absolute on the portal's base (next-auth's client parses it with new URL), never another site", () => {
    expect(sameSiteUrl("/patients", "http://127.0.0.1:3390")).toBe("http://127.0.0.1:3390/patients");
    expect(sameSiteUrl("http://127.0.0.1:3390/login?x=1", "http://127.0.0.1:3390")).toBe("http://127.0.0.1:3390/login?x=1");
    expect(sameSiteUrl("https://evil.example/login", "http://127.0.0.1:3390")).toBe("http://127.0.0.1:3390/");
    expect(() => new URL(sameSiteUrl("/", "http://localhost:3000"))).not.toThrow();
  });
});
