import type { Metadata } from "next";

import { DatasetsConsole } from "@/components/datasets/datasets-console";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { decide, type TDatasetTier } from "@/lib/auth/policy";
import { requirePageActor } from "@/lib/auth/session";
import { PII_REASON_MIN_LENGTH } from "@/lib/datasets/create-dataset-export";
import { questionnaireCoverage } from "@/lib/datasets/qr-answers-long";
import { optedOutPatientIds } from "@/lib/patients/consent";
import { getSettings } from "@/lib/settings/settings";

export const metadata: Metadata = { title: "Datasets" };
export const dynamic = "force-dynamic";

const TIERS: { tier: TDatasetTier; label: string; description: string }[] = [
  { tier: "anon", label: "De-identified", description: "Pseudonymized tables: no names, contact details or record numbers; ages, 3-digit zips and coarsened dates." },
  { tier: "metrics", label: "Metrics", description: "Programme metrics from the metrics catalog, by organization and period, with their series; counts below 11 are suppressed. Not limited per hour." },
  { tier: "pii", label: "Identified", description: "The same tables with identities. Needs the identified-data grant and a stated reason; every download is audited." },
];

const PROFILES = [
  { name: "safe-harbor", label: "HIPAA Safe Harbor (years only, no phone)" },
  { name: "standard", label: "Standard (dates shifted per patient, last four phone digits)" },
];

const ATTESTATION =
  "I will use this data only for the approved analysis, keep it on approved systems, not attempt to re-identify anyone, and delete it when the work is done.";

export default async function DatasetsPage() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "dataset.catalog" }))) return <Forbidden what="datasets" />;
  const settings = await getSettings();
  const tiers = TIERS.filter((option) => decide(actor, { action: "dataset.export", tier: option.tier }).allowed);
  // Only profiles at least as strict as the practice's minimum are offered.
  const profiles = settings.anonymization_minimum_profile === "safe-harbor" ? PROFILES.filter((p) => p.name === "safe-harbor") : PROFILES;
  const questionnaires = questionnaireCoverage();
  const optedOut = (await optedOutPatientIds()).size;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Datasets</h1>
          <p className="muted">Download the programme&apos;s data as CSV files in a ZIP with a manifest. Exports are generated fresh and audited.</p>
        </div>
      </div>
      <DatasetsConsole tiers={tiers} profiles={profiles} defaultProfile={settings.anonymization_default_profile} attestationText={ATTESTATION} reasonMinLength={PII_REASON_MIN_LENGTH} />
      <section className="card" data-testid="questionnaire-coverage">
        <h2>Questionnaires</h2>
        <p className="muted">
          Every answer of every questionnaire response is in <code>{questionnaires.long_table}</code>: one row per answer, with the questionnaire&apos;s canonical URL, the item&apos;s linkId, path
          and text, the answer type and value, and the patient&apos;s session ordinal. That includes instruments and items the catalog does not list.
        </p>
        <p className="muted">
          Instruments with a wide table (one row per response, one column per catalogued item):{" "}
          {questionnaires.wide_tables.map((table, index) => (
            <span key={table.questionnaire}>
              {index ? ", " : ""}
              {table.title} (<code>{table.anon}</code>)
            </span>
          ))}
          .
        </p>
      </section>
      <section className="card" data-testid="consent-coverage">
        <h2>Patient consent</h2>
        <p className="muted">
          {optedOut} patient(s) opted out of data sharing. They are left out of every de-identified dataset and metric; an identified export includes them only when its purpose is
          treatment or operations. Each manifest says how many patients were left out (<code>consent.excluded_patients</code>).
        </p>
      </section>
    </>
  );
}
