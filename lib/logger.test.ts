import { afterEach, describe, expect, it, vi } from "vitest";

import { logger } from "@/lib/logger";

describe("logger", () => {
  afterEach(() => vi.restoreAllMocks());

  it("keeps an error's name, code and frames but never its message, which can quote patient data", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => lines.push(line));
    const error = Object.assign(new Error("Invalid `prisma.patient.create()` invocation: { familyName: 'Okonkwo-Baptiste' }"), { code: "P2009" });

    logger.error("job attempt failed", { jobId: "job_1", error });

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("Okonkwo");
    expect(lines[0]).not.toContain("Invalid");
    const fields = JSON.parse(lines[0]!.slice(lines[0]!.indexOf("{")));
    expect(fields).toMatchObject({ jobId: "job_1", error: "Error", code: "P2009" });
    expect(fields.stack).toMatch(/^\s*at /);
  });
});
