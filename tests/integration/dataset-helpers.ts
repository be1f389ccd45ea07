// Shared by the dataset integration tests: clinical fixture rows and ZIP reading via `unzip`.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { prisma } from "@/lib/db/client";
import { readAll, storage } from "@/lib/storage";

const unique = () => randomBytes(4).toString("hex");

export async function createOrganization(name = `Clinic ${unique()}`) {
  return prisma.organization.create({ data: { fhirId: `org-${unique()}`, name, city: "Chicago", state: "IL", postalCode: "60601", raw: {} } });
}

export type TClinicalPatient = Awaited<ReturnType<typeof createClinicalPatient>>;

/** A patient with identifiers everywhere a careless export could leak them. */
export async function createClinicalPatient(options: { organizationId: string; practitionerId: string; givenName: string; familyName: string; birthDate?: string; postalCode?: string; phone?: string }) {
  const id = unique();
  const phone = options.phone ?? `312-55${id.replace(/\D/g, "0").slice(0, 1)}-${String(1000 + Math.floor(Math.random() * 8999))}`;
  const patient = await prisma.patient.create({
    data: {
      fhirId: `pat-${id}`,
      mrn: `MRN${id}`,
      ssn: `9${String(Math.floor(Math.random() * 89) + 10)}-${String(Math.floor(Math.random() * 89) + 10)}-${String(1000 + Math.floor(Math.random() * 8999))}`,
      medicaidId: `MCD${id}77`,
      givenName: options.givenName,
      familyName: options.familyName,
      birthDate: options.birthDate ?? "1980-02-29",
      gender: "female",
      phone,
      email: `${options.givenName.toLowerCase()}.${id}@mail.example`,
      addressLine: `${100 + Math.floor(Math.random() * 800)} Wabash Avenue`,
      city: "Evanston",
      state: "IL",
      postalCode: options.postalCode ?? "60201",
      organizationId: options.organizationId,
      generalPractitionerId: options.practitionerId,
      raw: {},
    },
  });
  const encounter = await prisma.encounter.create({
    data: {
      fhirId: `enc-${id}`,
      patientId: patient.id,
      practitionerId: options.practitionerId,
      organizationId: options.organizationId,
      status: "finished",
      deliveryFormat: "telehealth",
      cptCode: "90834",
      startAt: new Date("2026-10-05T15:00:00Z"),
      endAt: new Date("2026-10-05T15:45:00Z"),
      reasonText: `${options.givenName} ${options.familyName} called from ${phone} about ${patient.email}`,
      raw: {},
    },
  });
  await prisma.questionnaireResponse.create({
    data: {
      fhirId: `qr-phq-${id}`,
      patientId: patient.id,
      encounterId: encounter.id,
      practitionerId: options.practitionerId,
      questionnaire: "phq-9",
      status: "completed",
      authoredAt: new Date(Date.now() - 3 * 86_400_000),
      totalScore: 12,
      severity: "moderate",
      items: [{ linkId: "phq9-1", answer: [{ valueInteger: 2 }] }, { linkId: "group", item: [{ linkId: "phq9-2", answer: [{ valueCoding: { code: "1" } }] }] }],
      raw: {},
    },
  });
  await prisma.questionnaireResponse.create({
    data: {
      fhirId: `qr-reg-${id}`,
      patientId: patient.id,
      questionnaire: "registration",
      status: "completed",
      authoredAt: new Date("2026-09-01T10:00:00Z"),
      items: [
        { linkId: "preferred-name", answer: [{ valueString: options.givenName }] },
        { linkId: "phone", answer: [{ valueString: phone }] },
        { linkId: "email", answer: [{ valueString: patient.email }] },
        { linkId: "address", answer: [{ valueString: patient.addressLine }] },
        { linkId: "reason-for-visit", answer: [{ valueString: `My name is ${options.familyName.toUpperCase()}, ${options.givenName}; call ${phone}` }] },
        { linkId: "emergency-contact", item: [{ linkId: "emergency-contact-name", answer: [{ valueString: "Robin Example" }] }] },
      ],
      raw: {},
    },
  });
  await prisma.observation.create({
    data: { fhirId: `obs-${id}`, patientId: patient.id, encounterId: encounter.id, code: "44261-6", display: "PHQ-9 total", valueNumber: 12, valueString: `reported by ${options.givenName}`, status: "final", effectiveAt: new Date("2026-10-05T15:30:00Z"), raw: {} },
  });
  await prisma.condition.create({ data: { fhirId: `cond-${id}`, patientId: patient.id, icd10Code: "F32.1", display: "Major depressive disorder, single episode, moderate", onsetDate: "2025-06-01", raw: {} } });
  await prisma.carePlan.create({ data: { fhirId: `cp-${id}`, patientId: patient.id, title: "Housing support", category: "housing", status: "accepted", description: `Referral for ${options.familyName}`, startDate: "2026-09-10", raw: {} } });

  return patient;
}

/** The export file as stored (decrypted). */
export async function jobFile(jobId: string) {
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
  if (!job.fileKey) throw new Error(`job ${jobId} has no file (status ${job.status}: ${job.errorMessage})`);

  return { job, zip: await readAll(await storage().get(job.fileKey)) };
}

export function unzipEntries(zip: Buffer): Map<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-zip-"));
  try {
    const file = path.join(dir, "export.zip");
    writeFileSync(file, zip);
    const names = execFileSync("unzip", ["-Z1", file], { encoding: "utf8" }).split("\n").filter(Boolean);

    return new Map(names.map((name) => [name, execFileSync("unzip", ["-p", file, name], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export { parseCsvRecords as parseCsv } from "@/lib/csv/parse-csv";
