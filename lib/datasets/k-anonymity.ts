// k-anonymity of patient_anon over (age band, gender, zip3): the size of the smallest group of
// patients sharing those values. Groups under 11 are the re-identification risk to flag.
export const K_ANONYMITY_THRESHOLD = 11;

export function kAnonymityReport(groupSizes: Map<string, number>) {
  const sizes = [...groupSizes.values()];
  const small = [...groupSizes.entries()].filter(([, size]) => size < K_ANONYMITY_THRESHOLD);

  return {
    quasi_identifiers: ["age_band", "gender", "zip3"],
    k: sizes.length ? Math.min(...sizes) : null,
    groups: sizes.length,
    threshold: K_ANONYMITY_THRESHOLD,
    groups_below_threshold: small.length,
    patients_in_small_groups: small.reduce((sum, [, size]) => sum + size, 0),
    small_groups: small.slice(0, 50).map(([key, size]) => {
      const [age_band, gender, zip3] = key.split("|");
      return { age_band, gender, zip3, size };
    }),
  };
}
