// Starts the ordinary export job of one scheduled run, through the same services the export
// endpoints use, with the schedule recorded on the job.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { prisma } from "@/lib/db/client";
import { isIncrementalSchedule, scheduleWatermark } from "@/lib/schedules/incremental-watermark";
import { DATASET_EXPORT_TYPE } from "@/lib/schedules/schedule-access";
import { batchBodyFor, isBatchSchedule, reportBodyFor } from "@/lib/schedules/scheduled-export-request";

export type TScheduleForRun = {
  id: string;
  exportType: string;
  scheduleType: string;
  patientId: string | null;
  templateId: string | null;
  format: string;
  parameters: unknown;
  datasetExport: unknown;
};

export type TStartedExport = { job_id: string; status: string; estimated_completion: string };

export async function startScheduledExport(owner: TActor, schedule: TScheduleForRun, scheduledFor: Date, timeZone: string, meta: TRequestMeta): Promise<TStartedExport> {
  if (schedule.exportType === DATASET_EXPORT_TYPE) {
    const { createDatasetExport } = await import("@/lib/datasets/create-dataset-export");
    const dataset = (schedule.datasetExport ?? {}) as { tier: "anon" | "pii" | "metrics"; datasets?: string[]; profile?: string; age_band_years?: number };

    // Incremental: rows changed since the watermark of the last delivered run (null: the first run is full).
    const incremental = isIncrementalSchedule(schedule.datasetExport) ? { changedSince: await scheduleWatermark(prisma, schedule.id) } : undefined;

    // The hourly limit is for people pressing a button; a schedule is already rate-limited by its rule.
    return createDatasetExport(
      owner,
      { tier: dataset.tier, datasets: dataset.datasets, profile: dataset.profile, ...(dataset.age_band_years ? { age_band_years: dataset.age_band_years } : {}), reason: `scheduled export ${schedule.id}` },
      { meta, scheduledReportId: schedule.id, skipRateLimit: true, incremental },
    );
  }

  if (isBatchSchedule(schedule)) {
    const { createBatchReportExport } = await import("@/lib/reports/batch-create-report-export");

    return createBatchReportExport(owner, batchBodyFor(schedule, scheduledFor, timeZone), { meta, scheduledReportId: schedule.id });
  }
  const { createReportExport } = await import("@/lib/reports/create-report-export");

  return createReportExport(
    owner,
    { exportType: schedule.exportType as TReportExportType, body: reportBodyFor(schedule, scheduledFor, timeZone) },
    { meta, scheduledReportId: schedule.id },
  );
}
