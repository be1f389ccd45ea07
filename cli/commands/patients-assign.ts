import { CLI_META } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { setPatientAssignment } from "@/lib/patients/assign-patient";

import { parseFlags } from "../args";

export const summary = "Assign a patient (by FHIR id) to a therapist (by email)";
export const usage = "npm run cli -- patients:assign --email THERAPIST_EMAIL --patient PATIENT_FHIR_ID [--remove]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { email: { required: true }, patient: { required: true }, remove: { boolean: true } });
  const [therapist, patient] = await Promise.all([
    prisma.user.findUnique({ where: { email: String(flags.email).toLowerCase() }, select: { id: true } }),
    prisma.patient.findUnique({ where: { fhirId: String(flags.patient) }, select: { id: true } }),
  ]);
  if (!therapist) throw new AppError("NOT_FOUND", `no user with email ${flags.email}`);
  if (!patient) throw new AppError("NOT_FOUND", `no patient with FHIR id ${flags.patient}`);

  const isAssigned = flags.remove !== true;
  const result = await setPatientAssignment({ therapistId: therapist.id, patientId: patient.id, isAssigned, actor: { userId: null, label: "cli" }, meta: CLI_META });
  console.log(`${isAssigned ? "Assigned" : "Unassigned"} patient ${flags.patient} ${isAssigned ? "to" : "from"} ${flags.email}${result.changed ? "" : " (no change)"}`);
}
