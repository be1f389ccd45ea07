// Admin management of warehouse connections: register (tested on save), list, change the URL
// or column policies, remove. Each change is audited; the URL is stored encrypted and only its
// host and database ever leave this module.
import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput, notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { EXCLUDE, isWarehousePolicy, type TWarehouseColumnPolicies } from "@/lib/warehouse/column-guard";
import { discoverAnonViews, withWarehouseSession, WarehouseUnavailableError } from "@/lib/warehouse/warehouse-client";
import { connectionDatasets, type TWarehouseDataset } from "@/lib/warehouse/warehouse-datasets";
import { describeStoredWarehouseUrl, describeWarehouseUrl, encryptWarehouseUrl } from "@/lib/warehouse/warehouse-secret";
import { COLUMN_POLICIES } from "@/lib/anonymize/profiles";

const ZUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => /^postgres(ql)?:\/\/[^/]/i.test(value), "must be a postgres:// or postgresql:// URL")
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return Boolean(parsed.hostname) && parsed.pathname.length > 1;
    } catch {
      return false;
    }
  }, "must name a host and a database (postgresql://user:password@host:5432/database)");

const ZColumnPolicies = z.record(
  z.string().min(3).max(300).regex(/^[^.]+\..+$/, 'keys are views as "schema.view"'),
  z.record(z.string().min(1).max(200), z.string().refine(isWarehousePolicy, `must be one of ${[...COLUMN_POLICIES, EXCLUDE].join(", ")}`)),
);

const ZRegister = z
  .object({
    name: z.string().trim().regex(/^[a-z][a-z0-9_]{0,31}$/, "must be 1-32 lowercase letters, digits or _, starting with a letter"),
    url: ZUrl,
    column_policies: ZColumnPolicies.optional(),
  })
  .strict();
export type TRegisterWarehouseInput = z.input<typeof ZRegister>;

const ZUpdate = z.object({ url: ZUrl.optional(), column_policies: ZColumnPolicies.optional() }).strict();
export type TUpdateWarehouseInput = z.input<typeof ZUpdate>;

/** Connects and lists the views, or a 400 on `url` saying why (never the password). */
async function testConnection(url: string) {
  try {
    return await withWarehouseSession(url, (client) => discoverAnonViews(client));
  } catch (error) {
    const reason = error instanceof WarehouseUnavailableError ? error.message : "could not read the warehouse's views";
    throw invalidInput("url", `could not connect to ${describeWarehouseUrl(url).host}: ${reason}`);
  }
}

const countPolicies = (policies: TWarehouseColumnPolicies) => Object.values(policies).reduce((sum, columns) => sum + Object.keys(columns).length, 0);

type TConnectionRow = Awaited<ReturnType<typeof prisma.warehouseConnection.findMany>>[number];

/** A connection as the admin API shows it, with each view's column decisions when reachable. */
async function present(connection: TConnectionRow) {
  const { host, database } = describeStoredWarehouseUrl(connection.encryptedUrl);
  let views: TWarehouseDataset[] = [];
  let error: string | null = null;
  try {
    views = await connectionDatasets(connection);
  } catch (caught) {
    error = caught instanceof WarehouseUnavailableError ? caught.message : "the warehouse could not be read";
  }

  return {
    id: connection.id,
    name: connection.name,
    host,
    database,
    available: error === null,
    error,
    column_policies: connection.columnPolicies as TWarehouseColumnPolicies,
    created_at: connection.createdAt.toISOString(),
    updated_at: connection.updatedAt.toISOString(),
    views: views.map((dataset) => ({
      dataset: dataset.name,
      view: `${dataset.warehouse.schema}.${dataset.warehouse.view}`,
      columns: dataset.warehouse.decisions.map((decision) =>
        decision.status === "exported" ? { name: decision.column, status: decision.status, policy: decision.policy, source: decision.source } : { name: decision.column, status: decision.status, reason: decision.reason },
      ),
    })),
  };
}

export async function listWarehouseConnections(actor: TActor, meta?: TRequestMeta) {
  await authorize(actor, { action: "warehouse.manage" }, { meta });
  const connections = await prisma.warehouseConnection.findMany({ orderBy: { name: "asc" } });
  const warehouses = [];
  for (const connection of connections) warehouses.push(await present(connection));

  return { warehouses };
}

export async function getWarehouseConnection(actor: TActor, id: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "warehouse.manage" }, { meta });
  const connection = await prisma.warehouseConnection.findUnique({ where: { id } });
  if (!connection) throw notFound("Warehouse connection");

  return present(connection);
}

export async function registerWarehouse(actor: TActor, input: TRegisterWarehouseInput, meta?: TRequestMeta) {
  await authorize(actor, { action: "warehouse.manage" }, { meta });
  const data = parseOrThrow(ZRegister, input, "Invalid warehouse connection");
  if (await prisma.warehouseConnection.findUnique({ where: { name: data.name }, select: { id: true } })) {
    throw new AppError("CONFLICT", `name: a warehouse named "${data.name}" already exists`, { issues: [{ path: "name", message: "already exists" }] });
  }
  const views = await testConnection(data.url);
  const policies = data.column_policies ?? {};
  const { host, database } = describeWarehouseUrl(data.url);

  const created = await prisma.$transaction(async (tx) => {
    const connection = await tx.warehouseConnection.create({ data: { name: data.name, encryptedUrl: encryptWarehouseUrl(data.url), columnPolicies: policies, createdById: actor.id } });
    await recordAudit(tx, {
      action: "warehouse_registered",
      userId: actor.id,
      metadata: { warehouseId: connection.id, name: connection.name, host, database, anonViews: views.length, columnPolicies: countPolicies(policies) },
      meta,
    });
    return connection;
  });

  return present(created);
}

export async function updateWarehouse(actor: TActor, id: string, input: TUpdateWarehouseInput, meta?: TRequestMeta) {
  await authorize(actor, { action: "warehouse.manage" }, { meta });
  const data = parseOrThrow(ZUpdate, input, "Invalid warehouse change");
  const existing = await prisma.warehouseConnection.findUnique({ where: { id } });
  if (!existing) throw notFound("Warehouse connection");
  if (data.url) await testConnection(data.url);

  const before = existing.columnPolicies as TWarehouseColumnPolicies;
  const after = data.column_policies ?? before;
  const changes = policyDiff(before, after);
  const updated = await prisma.$transaction(async (tx) => {
    const connection = await tx.warehouseConnection.update({
      where: { id },
      data: { ...(data.url ? { encryptedUrl: encryptWarehouseUrl(data.url) } : {}), ...(data.column_policies ? { columnPolicies: data.column_policies } : {}) },
    });
    await recordAudit(tx, {
      action: "warehouse_updated",
      userId: actor.id,
      metadata: { warehouseId: id, name: existing.name, ...(data.url ? { url: describeWarehouseUrl(data.url) } : {}), columnPolicyChanges: changes },
      meta,
    });
    return connection;
  });

  return present(updated);
}

export async function removeWarehouse(actor: TActor, id: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "warehouse.manage" }, { meta });
  const existing = await prisma.warehouseConnection.findUnique({ where: { id } });
  if (!existing) throw notFound("Warehouse connection");
  await prisma.$transaction(async (tx) => {
    await tx.warehouseConnection.delete({ where: { id } });
    await recordAudit(tx, { action: "warehouse_removed", userId: actor.id, metadata: { warehouseId: id, name: existing.name, ...describeStoredWarehouseUrl(existing.encryptedUrl) }, meta });
  });
}

/** "schema.view.column": before -> after (null: none), for the audit record. */
function policyDiff(before: TWarehouseColumnPolicies, after: TWarehouseColumnPolicies) {
  const diff: Record<string, { from: string | null; to: string | null }> = {};
  for (const view of new Set([...Object.keys(before ?? {}), ...Object.keys(after)])) {
    for (const column of new Set([...Object.keys(before?.[view] ?? {}), ...Object.keys(after[view] ?? {})])) {
      const from = before?.[view]?.[column] ?? null;
      const to = after[view]?.[column] ?? null;
      if (from !== to) diff[`${view}.${column}`] = { from, to };
    }
  }

  return diff;
}
