import { createHmac } from "node:crypto";

import { datasetBundleName, reportFileName } from "@/lib/delivery/storage-target";
import { env } from "@/lib/env";

/**
 * A stable, keyed pseudonym for file names: delivered files must not carry a patient's name or
 * record number, yet the same patient's files should sort together.
 */
export function patientFilePseudonym(patientId: string): string {
  return `P-${createHmac("sha256", env().ANON_KEY).update(`delivery-file:${patientId}`).digest("hex").slice(0, 12)}`;
}

function extensionOf(fileName: string | null, fallback: string) {
  // "x.fhir.json" keeps its compound extension: the name says the file is a FHIR Bundle.
  const match = /\.((?:fhir\.)?[A-Za-z0-9]{1,10})$/i.exec(fileName ?? "");

  return (match?.[1] ?? fallback).toLowerCase();
}

/**
 * The name a delivered file gets: `careexport_<tier>_YYYYMMDD_HHMMSS.zip` for dataset bundles,
 * `<export_type>_<patient-pseudonym>_<date>.<ext>` for reports (date of the run's slot in the
 * schedule's zone; practice-wide reports use "practice").
 */
export function deliveredFileName(options: {
  exportType: string;
  datasetTier: string | null;
  patientId: string | null;
  jobFileName: string | null;
  format: string;
  scheduledFor: Date;
  completedAt: Date;
  timeZone: string;
}): string {
  if (options.datasetTier) {
    const ext = extensionOf(options.jobFileName, "zip");
    const bundle = datasetBundleName(options.datasetTier, options.completedAt);

    return ext === "zip" ? bundle : bundle.replace(/\.zip$/, `.${ext}`);
  }
  const pseudonym = options.patientId ? patientFilePseudonym(options.patientId) : "practice";

  return reportFileName(options.exportType, pseudonym, options.scheduledFor, extensionOf(options.jobFileName, options.format), options.timeZone);
}
