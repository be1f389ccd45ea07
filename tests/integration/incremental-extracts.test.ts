// Incremental dataset schedules (issue #22 part 3): dataset_export.since = "last_successful_run"
// exports only rows created or changed since the watermark of the last delivered run; a failed
// delivery leaves the watermark where it was; the first run is full; the manifest states the window.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { drainJobs } from "@/lib/jobs/runner";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { createUser } from "../setup/fixtures";
import { tokenFor } from "../setup/http";
import { createClinicalPatient, createOrganization, jobFile, parseCsv, unzipEntries } from "./dataset-helpers";
import { exportAndWait, resourcesIn } from "./fhir-bulk-helpers";
import { runsOf } from "./schedule-helpers";
import { startWebhookReceiver } from "./webhook-receiver";

const at = (iso: string) => new Date(iso);
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let organizationId = "";
let practitionerId = "";

beforeAll(async () => {
  receiver = await startWebhookReceiver("/extracts");
  organizationId = (await createOrganization()).id;
  practitionerId = (await prisma.practitioner.create({ data: { fhirId: "prac-incremental", givenName: "Dana", familyName: "Whitfield", organizationId, raw: {} } })).id;
  await createClinicalPatient({ organizationId, practitionerId, givenName: "Ottoline", familyName: "Brackenridge" });
  await createClinicalPatient({ organizationId, practitionerId, givenName: "Percival", familyName: "Zeffirelli" });
});

afterAll(async () => {
  await receiver.close();
});

/** One scheduled run: the tick queues it, the real dataset job runs, the delivery hook delivers (or fails). */
async function runAt(scheduleId: string, iso: string) {
  const tick = await runSchedulerTick(at(iso));
  const jobId = tick.runs.find((run) => run.scheduleId === scheduleId)!.jobId!;
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
  expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
  const entries = unzipEntries((await jobFile(jobId)).zip);
  const run = (await runsOf(scheduleId)).find((candidate) => candidate.jobId === jobId)!;

  return { job, run, manifest: JSON.parse(entries.get("manifest.json")!), rows: (dataset: string) => parseCsv(entries.get(`${dataset}.csv`)!) };
}

describe("incremental dataset schedules", () => {
  it("first run full; then only rows changed since the last delivered run; a failed delivery does not move the watermark", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const schedule = await createSchedule(
      analyst.actor,
      {
        dataset_export: { tier: "anon", datasets: ["patient_anon", "encounters"], since: "last_successful_run" },
        schedule_type: "daily",
        schedule_config: { time: "02:00", timezone: "UTC" },
        delivery_method: "webhook",
        delivery_target: receiver.url,
      },
      { now: at("2026-11-30T12:00:00Z") },
    );
    const allPatients = await prisma.patient.count();

    const first = await runAt(schedule.id, "2026-12-01T02:00:00Z");
    expect(first.run.status).toBe("delivered");
    expect(first.manifest.window).toMatchObject({ mode: "full (first run)", changed_since: null });
    expect(first.rows("patient_anon")).toHaveLength(allPatients);

    // Nothing changed: the next run is empty (headers only), and its window starts at the first job's start.
    const quiet = await runAt(schedule.id, "2026-12-02T02:00:00Z");
    expect(quiet.run.status).toBe("delivered");
    expect(quiet.manifest.window).toMatchObject({ mode: "incremental", changed_since: first.job.startedAt!.toISOString() });
    expect(quiet.rows("patient_anon")).toHaveLength(0);
    expect(quiet.rows("encounters")).toHaveLength(0);

    // A new patient, and this run's delivery fails: the watermark stays at the quiet run's start.
    await createClinicalPatient({ organizationId, practitionerId, givenName: "Gwendolyn", familyName: "Ashcombe" });
    receiver.plan([400]);
    const failed = await runAt(schedule.id, "2026-12-03T02:00:00Z");
    expect(failed.run.status).toBe("failed");
    expect(failed.rows("patient_anon")).toHaveLength(1);

    // A change to an existing row counts as a change; the window still starts where the failed run's did.
    await prisma.encounter.updateMany({ where: { patient: { givenName: "Ottoline" } }, data: { status: "cancelled" } });
    const recovered = await runAt(schedule.id, "2026-12-04T02:00:00Z");
    expect(recovered.run.status).toBe("delivered");
    expect(recovered.manifest.window.changed_since).toBe(quiet.job.startedAt!.toISOString());
    expect(recovered.manifest.window.changed_since).toBe(failed.manifest.window.changed_since);
    expect(recovered.rows("patient_anon")).toHaveLength(1);
    expect(recovered.rows("encounters")).toHaveLength(2);

    // Delivered: the watermark moves on.
    const after = await runAt(schedule.id, "2026-12-05T02:00:00Z");
    expect(after.manifest.window.changed_since).toBe(recovered.job.startedAt!.toISOString());
    expect(after.rows("encounters")).toHaveLength(0);
  });

  it("a schedule without `since` stays full, and an unknown `since` is refused naming the field", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const full = await createSchedule(
      analyst.actor,
      { dataset_export: { tier: "anon", datasets: ["patient_anon"] }, schedule_type: "daily", schedule_config: { time: "03:00", timezone: "UTC" }, delivery_method: "storage" },
      { now: at("2026-11-30T12:00:00Z") },
    );
    const run = await runAt(full.id, "2026-12-01T03:00:00Z");
    expect(run.manifest.window).toMatchObject({ mode: "full", changed_since: null });
    expect(run.rows("patient_anon")).toHaveLength(await prisma.patient.count());

    const refused = await createSchedule(
      analyst.actor,
      { dataset_export: { tier: "anon", since: "yesterday" }, schedule_type: "daily", schedule_config: { time: "03:00", timezone: "UTC" }, delivery_method: "storage" },
      { now: at("2026-11-30T12:00:00Z") },
    ).catch((error: unknown) => error);
    expect(JSON.stringify((refused as { issues?: unknown }).issues)).toMatch(/dataset_export\.since/);
  });
});

describe("incremental Bulk Data exports", () => {
  it("_since=last_successful_run: full at first; a completed export counts once its files were fetched; then only what changed", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    const token = await tokenFor(admin.id);
    const query = "_type=Patient&_since=last_successful_run";
    const patients = async (manifest: Awaited<ReturnType<typeof exportAndWait>>["manifest"]) => (await resourcesIn(manifest, "Patient", token)).map((resource) => resource.id);

    const first = await exportAndWait("system", { token, query });
    expect(first.status.status).toBe(200);
    expect((first.manifest as unknown as { extension: unknown }).extension).toEqual({ incremental: { since: null, until: first.manifest.transactionTime } });
    expect(first.manifest.output.map((file) => `${file.type}:${file.count}`)).toEqual([`Patient:${await prisma.patient.count()}`]);

    // Not fetched yet: the next export is still full.
    const unfetched = await exportAndWait("system", { token, query });
    expect((unfetched.manifest as unknown as { extension: { incremental: { since: unknown } } }).extension.incremental.since).toBeNull();

    await patients(first.manifest);
    const added = await createClinicalPatient({ organizationId, practitionerId, givenName: "Wilhelmina", familyName: "Fotheringay" });
    const next = await exportAndWait("system", { token, query });
    // The newest fetched export is `first` (unfetched was never downloaded): its transactionTime is the watermark.
    expect((next.manifest as unknown as { extension: { incremental: { since: string } } }).extension.incremental.since).toBe(first.manifest.transactionTime);
    expect(await patients(next.manifest)).toEqual([added.fhirId]);
  });
});
