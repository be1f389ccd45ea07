import { describe, expect, it } from "vitest";

import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import { appliesTo, CONTEXT_REFERENCE, referencePaths } from "@/lib/templates/context-reference";
import { validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

/** `a[].b[].c` -> nested loops reading c, as a template author would write it. */
function templateReading(path: string): string {
  const [head, ...rest] = path.split("[]");
  let variable = head!;
  let open = "";
  let close = "";
  rest.forEach((segment, depth) => {
    open += `{% for item${depth} in ${variable} %}`;
    close = `{% endfor %}${close}`;
    variable = `item${depth}${segment}`;
  });

  return `${open}{{ ${variable} }}${close}`;
}

/** Every leaf of the sample as a reference path (lists as `[]`, by their first item). */
function leafPaths(value: unknown, path: string, out: string[]) {
  if (Array.isArray(value)) {
    if (value.length && typeof value[0] === "object" && value[0] !== null) leafPaths(value[0], `${path}[]`, out);
    else out.push(`${path}[]`);
  } else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) leafPaths(child, path ? `${path}.${key}` : key, out);
  } else {
    out.push(path);
  }

  return out;
}

describe("the template editor's context reference", () => {
  it.each(REPORT_EXPORT_TYPES)("every variable it lists for %s renders under strict validation", async (exportType) => {
    const paths = CONTEXT_REFERENCE.flatMap((group) => group.entries.filter((entry) => appliesTo(entry, exportType)).flatMap(referencePaths));
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) {
      expect({ path, result: await validateTemplateContent(templateReading(path), exportType) }).toEqual({ path, result: { ok: true } });
    }
  });

  it.each(REPORT_EXPORT_TYPES)("lists every field of the %s context", (exportType) => {
    const documented = CONTEXT_REFERENCE.flatMap((group) => group.entries.flatMap(referencePaths));
    const isDocumented = (leaf: string) => documented.some((path) => path === leaf || `${path}[]` === leaf || path.startsWith(`${leaf}.`) || leaf.startsWith("include_sections."));
    const missing = leafPaths(sampleReportContext(exportType), "", []).filter((leaf) => !isDocumented(leaf));

    expect(missing).toEqual([]);
  });

  it("names the product spec's aliases with the field each stands for", () => {
    const aliases = CONTEXT_REFERENCE.flatMap((group) => group.entries.filter((entry) => entry.specAliasOf).flatMap(referencePaths));
    for (const alias of ["start_date", "end_date", "goals[].progress_percentage", "claim_info.provider_npi", "clinical_summary.medical_necessity"]) expect(aliases).toContain(alias);
  });
});
