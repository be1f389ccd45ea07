// Settings stored by an earlier version, which the current rules no longer accept.
import { describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { getSettings, updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";

describe("a stored setting that no longer passes", () => {
  it("falls back to its default alone, and saving replaces it", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    await updateSettings({ anonymization_minimum_profile: "safe-harbor", link_lifetime_hours: 2 }, admin.id);
    // Three years was allowed before the six-year minimum.
    await prisma.setting.create({ data: { key: "audit_retention_years", value: 3, updatedById: admin.id } });

    expect(await getSettings()).toMatchObject({ audit_retention_years: 6, anonymization_minimum_profile: "safe-harbor", link_lifetime_hours: 2 });

    await updateSettings({ audit_retention_years: 6 }, admin.id);
    expect((await prisma.setting.findUniqueOrThrow({ where: { key: "audit_retention_years" } })).value).toBe(6);
    const changed = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "settings_changed" }, orderBy: { seq: "desc" } });
    expect(changed.metadata).toMatchObject({ changes: { audit_retention_years: { from: 3, to: 6 } } });

    // Setting a default that was never stored writes nothing.
    const before = await prisma.exportAuditLog.count({ where: { action: "settings_changed" } });
    await updateSettings({ file_expiry_days: 7 }, admin.id);
    expect(await prisma.exportAuditLog.count({ where: { action: "settings_changed" } })).toBe(before);
    expect(await prisma.setting.findUnique({ where: { key: "file_expiry_days" } })).toBeNull();
  });
});
