import { describe, expect, it } from "vitest";

import { errorMessageOf, unfinishedJobMessage } from "@/components/exports/use-job-events";

describe("errorMessageOf", () => {
  it("gives each field's reason in words, without field paths or the summary line repeating it", async () => {
    const response = new Response(JSON.stringify({ error: "Invalid dataset export", issues: [{ path: "since", message: "must be a date (YYYY-MM-DD)" }] }), { status: 400 });
    expect(await errorMessageOf(response)).toBe("Dated from: must be a date (YYYY-MM-DD)");
  });

  it("puts a status without an error body into words, not a code", async () => {
    expect(await errorMessageOf(new Response("<html>Bad gateway</html>", { status: 502 }))).toMatch(/^The server could not complete the request/);
    expect(await errorMessageOf(new Response("", { status: 401 }))).toBe("You are signed out. Sign in again and retry.");
    expect(await errorMessageOf(new Response("{}", { status: 429 }))).toBe("Too many requests. Wait a little and retry.");
  });
});

describe("unfinishedJobMessage", () => {
  it("says why there is no file, and nothing while a job runs or once it is done", () => {
    expect(unfinishedJobMessage("failed", "Release scan found a name")).toBe("Release scan found a name");
    expect(unfinishedJobMessage("FAILED")).toBe("The export failed.");
    expect(unfinishedJobMessage("cancelled")).toBe("The export was cancelled.");
    expect(unfinishedJobMessage("expired")).toMatch(/expired/);
    expect(unfinishedJobMessage("processing")).toBeNull();
    expect(unfinishedJobMessage("completed")).toBeNull();
  });
});
