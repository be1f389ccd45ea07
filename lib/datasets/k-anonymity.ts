// k-anonymity of patient_anon over its quasi-identifiers, as released: the age column as exported
// (whole years with 90+, or the export's 5- or 10-year bands), gender, and the 3-digit ZIP. k is
// the size of the smallest group of patients sharing all three. Groups under 11 are flagged for
// review; a release whose k is under the practice's `k_anonymity_min_k` setting is refused (0, the
// default: report only). Computed over the released values, not coarser ones: a report over
// 10-year bands of a file that holds exact ages would overstate k.

/** Groups smaller than this are listed for review in every report. */
export const K_ANONYMITY_THRESHOLD = 11;

export type TAgeBandYears = 5 | 10;

/** The quasi-identifiers, by exported column, with the form each is released in. */
export function quasiIdentifiers(ageBandYears: TAgeBandYears | null) {
  return [
    { column: "age", released_as: ageBandYears ? `${ageBandYears}-year bands, 90 and over as 90+` : "whole years, 90 and over as 90+" },
    { column: "gender", released_as: "administrative gender as recorded" },
    { column: "zip3", released_as: "first three ZIP digits, low-population prefixes as 000" },
  ];
}

/** The group a patient_anon row belongs to: its released quasi-identifier values. */
export function kAnonymityKey(cells: Record<string, string>) {
  return [cells.age ?? "", cells.gender ?? "", cells.zip3 ?? ""].join("|");
}

export function kAnonymityReport(groupSizes: Map<string, number>, options: { ageBandYears?: TAgeBandYears | null; requiredK?: number } = {}) {
  const sizes = [...groupSizes.values()];
  const small = [...groupSizes.entries()].filter(([, size]) => size < K_ANONYMITY_THRESHOLD);
  const k = sizes.length ? Math.min(...sizes) : null;
  const requiredK = options.requiredK ?? 0;

  return {
    quasi_identifiers: quasiIdentifiers(options.ageBandYears ?? null),
    k,
    groups: sizes.length,
    threshold: K_ANONYMITY_THRESHOLD,
    groups_below_threshold: small.length,
    patients_in_small_groups: small.reduce((sum, [, size]) => sum + size, 0),
    small_groups: small.slice(0, 50).map(([key, size]) => {
      const [age, gender, zip3] = key.split("|");
      return { age, gender, zip3, size };
    }),
    /** The practice's minimum k (0: report only) and what it meant for this release. */
    required_k: requiredK,
    outcome: requiredK <= 0 ? "reported" : k === null || k >= requiredK ? "passed" : "refused",
  };
}

export type TKAnonymityReport = ReturnType<typeof kAnonymityReport>;
