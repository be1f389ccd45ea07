// The reference beside the template editor: the variables a template of this export type can
// read and the sections it can test with include_sections, the product spec's names marked as
// aliases of ours (lib/templates/context-reference.ts, lib/templates/section-catalog.ts).
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { appliesTo, CONTEXT_REFERENCE, referencePaths } from "@/lib/templates/context-reference";
import { SECTION_CATALOG } from "@/lib/templates/section-catalog";

export function TemplateReference({ exportType }: { exportType: TReportExportType }) {
  const { sections, aliases } = SECTION_CATALOG[exportType];

  return (
    <section className="card stack" data-testid="template-reference">
      <details>
        <summary>
          <strong>Variables and sections</strong> <span className="small muted">what a {exportType.replace(/_/g, " ")} template can use</span>
        </summary>
        <p className="small muted">
          Lists are read with a loop: <code>{"{% for goal in goals %}{{ goal.description }}{% endfor %}"}</code>. Names marked <em>spec</em> are the product
          spec&apos;s names for one of ours; both work.
        </p>
        {CONTEXT_REFERENCE.map((group) => {
          const entries = group.entries.filter((entry) => appliesTo(entry, exportType));
          if (!entries.length) return null;

          return (
            <div key={group.title}>
              <h3>{group.title}</h3>
              <ul className="small">
                {entries.map((entry) => (
                  <li key={`${entry.path}:${entry.fields?.join(",") ?? ""}`}>
                    <code>{referencePaths(entry).join(", ")}</code> — {entry.description}
                    {entry.specAliasOf && (
                      <>
                        {" "}
                        <span className="badge badge-info">spec</span> for <code>{entry.specAliasOf}</code>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
        <h3>Sections (include_sections)</h3>
        {sections.length === 0 ? (
          <p className="small muted">This export type has no sections to switch.</p>
        ) : (
          <ul className="small" data-testid="template-reference-sections">
            {sections.map((section) => (
              <li key={section.name}>
                <code>include_sections.{section.name}</code> — {section.description}
              </li>
            ))}
            {aliases.map((alias) => (
              <li key={alias.name}>
                <code>include_sections.{alias.name}</code> <span className="badge badge-info">spec</span> — {alias.description}: on when {alias.sections.join(" or ")} is on
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}
