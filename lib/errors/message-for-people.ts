// API errors as people read them: "End date: must be on or after the start date", never
// "end_date: …" or "schedule_config.timezone: …", and never the same reason twice (the error line
// often repeats its first issue).

export type TApiIssue = { path: string; message: string };

/** Field names as the forms call them; anything else is spelled out from its last part. */
const FIELD_LABELS: Record<string, string> = {
  start_date: "Start date",
  end_date: "End date",
  date_range: "Date range",
  patient_id: "Patient",
  session_ids: "Sessions",
  template_id: "Template",
  treatment_plan_id: "Treatment plan",
  include_sections: "Sections",
  export_type: "Report type",
  schedule_type: "Repeats",
  time: "Time",
  timezone: "Time zone",
  day_of_week: "Day of the week",
  day_of_month: "Day of the month",
  delivery_method: "Delivery",
  delivery_target: "Delivery address",
  dataset_export: "Dataset",
  datasets: "Datasets",
  since: "Dated from",
  npi: "NPI",
  pii_access: "Identified data access",
  to_user_id: "Therapist",
  url: "Address",
  password: "Password",
  email: "Email",
  name: "Name",
  role: "Role",
  format: "Format",
  purpose: "Purpose",
  reason: "Reason",
  attestation: "Attestation",
  q: "Search",
};

/** "schedule_config.timezone" -> "Time zone"; "include_sections.notes" -> "Sections (notes)"; "(body)" -> "". */
export function fieldLabel(path: string): string {
  const parts = path.split(".").filter((part) => part && !/^\(.*\)$/.test(part) && !/^\d+$/.test(part));
  if (parts.length === 0) return "";
  const last = parts.at(-1)!;
  const known = FIELD_LABELS[last];
  if (known) return known;
  const parent = parts.length > 1 ? FIELD_LABELS[parts.at(-2)!] : undefined;
  const spelled = last.replace(/[_-]+/g, " ");

  return parent ? `${parent} (${spelled})` : spelled.charAt(0).toUpperCase() + spelled.slice(1);
}

/** A message that starts with a field path ("end_date: must be …") without it. */
function withoutPathPrefix(text: string): string {
  return text.replace(/^[a-z_][a-z0-9_]*(\.[a-z0-9_()]+)*: /i, "");
}

/** Field names inside a reason ("must not be before start_date") in words ("… the start date"). */
function namesInWords(message: string): string {
  return message.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => {
    const label = FIELD_LABELS[name];

    return label ? `the ${label.toLowerCase()}` : name.replaceAll("_", " ");
  });
}

/** One line for people from an API error body. */
export function messageForPeople(error: string | null | undefined, issues: TApiIssue[] | null | undefined): string {
  const lines: string[] = [];
  for (const issue of issues ?? []) {
    const label = fieldLabel(issue.path);
    const reason = namesInWords(issue.message);
    const line = label ? `${label}: ${reason}` : reason;
    if (!lines.includes(line)) lines.push(line);
  }
  const stripped = error ? withoutPathPrefix(error.trim()) : "";
  const general = namesInWords(stripped.charAt(0).toUpperCase() + stripped.slice(1));
  // The error line is a summary ("Invalid request", "end_date: must be …"): dropped when the issues say it.
  const isRepeated = !general || (issues ?? []).some((issue) => general.toLowerCase().includes(namesInWords(issue.message).toLowerCase())) || /^invalid\b/i.test(general);
  if (lines.length === 0) return general;
  if (isRepeated) return lines.join("; ");

  return `${general} ${lines.join("; ")}`;
}
