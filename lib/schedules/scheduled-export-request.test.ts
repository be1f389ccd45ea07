import { describe, expect, it } from "vitest";

import type { TActor } from "@/lib/auth/policy";
import { normalizeDeliveryTarget } from "@/lib/schedules/delivery-target";
import { setOutboundAllowList } from "@/tests/setup/outbound";
import { reportBodyFor } from "@/lib/schedules/scheduled-export-request";

const therapist: TActor = { id: "u1", email: "Ther@Example.org", name: "T", role: "THERAPIST", piiAccess: false };
const admin: TActor = { ...therapist, id: "a1", email: "admin@example.org", role: "ADMIN" };

describe("reportBodyFor", () => {
  const base = { exportType: "progress_report", scheduleType: "monthly", patientId: "p1", templateId: "t1", format: "pdf" };

  it("resolves the period against the slot in the schedule's zone and drops schedule-only fields", () => {
    // 2027-01-01 00:30 in Berlin is still 2026-12-31 in UTC: the zone decides the month.
    const body = reportBodyFor({ ...base, parameters: { period: "previous_month", email_attach_file: true, include_sections: { diagnosis: false } } }, new Date("2026-12-31T23:30:00Z"), "Europe/Berlin");

    expect(body).toEqual({ format: "pdf", template_id: "t1", patient_id: "p1", start_date: "2026-12-01", end_date: "2026-12-31", include_sections: { diagnosis: false } });
  });

  it("gives a full record a date_range and never lets parameters change the patient", () => {
    const body = reportBodyFor({ ...base, exportType: "full_record", parameters: { period: "previous_7_days", patient_id: "someone-else" } }, new Date("2026-03-10T12:00:00Z"), "UTC");

    expect(body).toMatchObject({ patient_id: "p1", date_range: { start: "2026-03-03", end: "2026-03-09" } });
    expect(body).not.toHaveProperty("start_date");
  });

  // The product spec's POST /scheduled example sends parameters without a period.
  it.each([
    ["daily", "progress_report", { start_date: "2026-03-09", end_date: "2026-03-09" }],
    ["weekly", "progress_report", { start_date: "2026-03-03", end_date: "2026-03-09" }],
    ["monthly", "progress_report", { start_date: "2026-02-01", end_date: "2026-02-28" }],
    ["monthly", "insurance_report", { start_date: "2026-02-01", end_date: "2026-02-28" }],
  ])("without parameters.period, a %s %s covers the schedule's own interval", (scheduleType, exportType, period) => {
    const body = reportBodyFor({ ...base, scheduleType, exportType, parameters: { include_sections: { diagnosis: true } } }, new Date("2026-03-10T08:00:00Z"), "UTC");

    expect(body).toEqual({ format: "pdf", template_id: "t1", patient_id: "p1", include_sections: { diagnosis: true }, ...period });
  });

  it("keeps a given period, and gives no period to reports that take none or mean the whole record without one", () => {
    const at = new Date("2026-03-10T08:00:00Z");
    expect(reportBodyFor({ ...base, scheduleType: "daily", parameters: { period: "previous_month" } }, at, "UTC")).toMatchObject({ start_date: "2026-02-01", end_date: "2026-02-28" });
    expect(reportBodyFor({ ...base, exportType: "full_record", parameters: {} }, at, "UTC")).toEqual({ format: "pdf", template_id: "t1", patient_id: "p1" });
    expect(reportBodyFor({ ...base, exportType: "treatment_summary", parameters: { purpose: "records" } }, at, "UTC")).toEqual({ format: "pdf", template_id: "t1", patient_id: "p1", purpose: "records" });
  });
});

describe("normalizeDeliveryTarget", () => {
  it("defaults email to the owner's address and keeps non-admins to their own", async () => {
    expect(await normalizeDeliveryTarget("email", null, therapist)).toBe("ther@example.org");
    await expect(normalizeDeliveryTarget("email", "other@example.org", therapist)).rejects.toThrow(/own email/);
    expect(await normalizeDeliveryTarget("email", "Other@Example.org", admin)).toBe("other@example.org");
  });

  it("accepts https webhooks to public hosts, and http or private hosts only when allow-listed", async () => {
    setOutboundAllowList("127.0.0.1");
    expect(await normalizeDeliveryTarget("webhook", "https://93.184.215.14/x", therapist)).toBe("https://93.184.215.14/x");
    expect(await normalizeDeliveryTarget("webhook", "http://127.0.0.1:9000/h", therapist)).toBe("http://127.0.0.1:9000/h");
    await expect(normalizeDeliveryTarget("webhook", "http://hooks.example.org/x", therapist)).rejects.toThrow(/https/);
    await expect(normalizeDeliveryTarget("webhook", "https://10.0.0.8/x", therapist)).rejects.toThrow(/delivery_target: 10\.0\.0\.8 is a private network address/);
    await expect(normalizeDeliveryTarget("webhook", null, therapist)).rejects.toThrow(/required/);
    setOutboundAllowList(undefined);
    await expect(normalizeDeliveryTarget("webhook", "http://127.0.0.1:9000/h", therapist)).rejects.toThrow(/delivery_target: must use https/);
  });

  it("allows a storage sub-folder but no path tricks", async () => {
    expect(await normalizeDeliveryTarget("storage", "", therapist)).toBeNull();
    expect(await normalizeDeliveryTarget("storage", "clinic-a", therapist)).toBe("clinic-a");
    for (const bad of ["../x", "a/b", ".hidden", "/etc"]) await expect(normalizeDeliveryTarget("storage", bad, therapist)).rejects.toThrow();
  });
});
