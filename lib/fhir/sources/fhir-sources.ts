// Admin management of FHIR sources: register, list, change, remove. Each change is audited; the
// token or private key is stored encrypted and never leaves this module (the DTO says only which
// kind of auth is set). The base URL and token URL are vetted by the outbound rules on save, and
// again at every request of a sync.
import type { JWK } from "jose";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput, notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import {
  assertUsablePrivateKey,
  type TFhirSourceChange,
  type TSourceAuthInput,
  ZFhirSourceChange,
  ZFhirSourceRegistration,
} from "@/lib/fhir/sources/fhir-source-input";
import { assertOutboundTarget } from "@/lib/outbound";
import { parseRuleOrThrow, ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { describeRule, nextRunAfter } from "@/lib/schedules/time";
import { encryptSecret } from "@/lib/storage/encrypted-secret";

type TSourceRow = NonNullable<Awaited<ReturnType<typeof prisma.fhirSource.findUnique>>>;
type TSyncRow = NonNullable<Awaited<ReturnType<typeof prisma.fhirSourceSync.findFirst>>>;

export function syncDto(sync: TSyncRow | null) {
  if (!sync) return null;

  return {
    id: sync.id,
    job_id: sync.jobId,
    status: sync.status,
    trigger: sync.trigger,
    method: sync.method,
    since: sync.since?.toISOString() ?? null,
    transaction_time: sync.transactionTime?.toISOString() ?? null,
    resource_count: sync.resourceCount,
    error: sync.error,
    created_at: sync.createdAt.toISOString(),
    completed_at: sync.completedAt?.toISOString() ?? null,
  };
}

/** A source as the admin API shows it: never the token or the key. */
export async function fhirSourceDto(source: TSourceRow) {
  const [lastSync, lastSucceeded] = await Promise.all([
    prisma.fhirSourceSync.findFirst({ where: { sourceId: source.id }, orderBy: { createdAt: "desc" } }),
    prisma.fhirSourceSync.findFirst({ where: { sourceId: source.id, status: "succeeded" }, orderBy: { completedAt: "desc" } }),
  ]);
  const rule = source.scheduleType ? ruleOfSchedule({ scheduleType: source.scheduleType, scheduleConfig: source.scheduleConfig }) : null;

  return {
    id: source.id,
    name: source.name,
    base_url: source.baseUrl,
    auth: { type: source.authType, ...(source.authType === "smart" ? { client_id: source.clientId, token_url: source.tokenUrl, scope: source.scope } : {}) },
    mode: source.mode,
    resource_types: source.resourceTypes as string[],
    schedule_type: source.scheduleType,
    schedule_config: source.scheduleConfig ?? null,
    schedule: rule ? describeRule(rule, source.nextSyncAt ?? undefined) : "on request only",
    next_sync_at: source.isActive ? (source.nextSyncAt?.toISOString() ?? null) : null,
    is_active: source.isActive,
    last_sync: syncDto(lastSync),
    /** The next sync's `_since`: the last succeeded run's transactionTime (null: the next run takes everything). */
    watermark: lastSucceeded?.transactionTime?.toISOString() ?? null,
    created_at: source.createdAt.toISOString(),
    updated_at: source.updatedAt.toISOString(),
  };
}

async function authColumns(auth: TSourceAuthInput) {
  if (auth.type === "none") return { authType: "none", encryptedSecret: null, clientId: null, tokenUrl: null, scope: null };
  if (auth.type === "bearer") return { authType: "bearer", encryptedSecret: encryptSecret(auth.token), clientId: null, tokenUrl: null, scope: null };
  const keyProblem = await assertUsablePrivateKey(auth.private_key as JWK);
  if (keyProblem) throw invalidInput("auth.private_key", keyProblem);
  if (auth.token_url) await assertOutboundTarget(auth.token_url, "auth.token_url");

  return { authType: "smart", encryptedSecret: encryptSecret(JSON.stringify(auth.private_key)), clientId: auth.client_id, tokenUrl: auth.token_url ?? null, scope: auth.scope ?? null };
}

/** The schedule columns and the next due time; a null schedule_type clears the schedule. */
function scheduleColumns(scheduleType: string | null | undefined, scheduleConfig: unknown, now = new Date()) {
  if (scheduleType === null || scheduleType === undefined) return { scheduleType: null, scheduleConfig: undefined, nextSyncAt: null };
  const rule = parseRuleOrThrow(scheduleType, scheduleConfig);
  const config = { time: rule.time, timezone: rule.timezone, ...(rule.dayOfWeek !== undefined ? { day_of_week: rule.dayOfWeek } : {}), ...(rule.dayOfMonth !== undefined ? { day_of_month: rule.dayOfMonth } : {}) };

  return { scheduleType: rule.scheduleType, scheduleConfig: config, nextSyncAt: nextRunAfter(rule, now) };
}

export async function listFhirSources(actor: TActor, meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });
  const sources = await prisma.fhirSource.findMany({ orderBy: { name: "asc" } });

  return { sources: await Promise.all(sources.map(fhirSourceDto)) };
}

export async function getFhirSourceOrThrow(id: string) {
  const source = await prisma.fhirSource.findUnique({ where: { id } });
  if (!source) throw notFound("FHIR source");

  return source;
}

export async function getFhirSource(actor: TActor, id: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });

  return fhirSourceDto(await getFhirSourceOrThrow(id));
}

export async function registerFhirSource(actor: TActor, input: unknown, meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });
  const data = parseOrThrow(ZFhirSourceRegistration, input, "Invalid FHIR source");
  if (await prisma.fhirSource.findUnique({ where: { name: data.name }, select: { id: true } })) {
    throw new AppError("CONFLICT", `name: a FHIR source named "${data.name}" already exists`, { issues: [{ path: "name", message: "already exists" }] });
  }
  await assertOutboundTarget(data.base_url, "base_url");
  const authData = await authColumns(data.auth);
  const schedule = scheduleColumns(data.schedule_type, data.schedule_config);

  const created = await prisma.$transaction(async (tx) => {
    const source = await tx.fhirSource.create({
      data: { name: data.name, baseUrl: data.base_url, ...authData, mode: data.mode, resourceTypes: data.resource_types, ...schedule, scheduleConfig: schedule.scheduleConfig ?? undefined, isActive: data.is_active, createdById: actor.id },
    });
    await recordAudit(tx, {
      action: "fhir_source_registered",
      userId: actor.id,
      metadata: { fhirSourceId: source.id, name: source.name, baseUrl: source.baseUrl, auth: source.authType, mode: source.mode, resourceTypes: data.resource_types, schedule: schedule.scheduleType },
      meta,
    });
    return source;
  });

  return fhirSourceDto(created);
}

export async function updateFhirSource(actor: TActor, id: string, input: unknown, meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });
  const data: TFhirSourceChange = parseOrThrow(ZFhirSourceChange, input, "Invalid FHIR source change");
  const existing = await getFhirSourceOrThrow(id);
  if (data.base_url) await assertOutboundTarget(data.base_url, "base_url");
  const authData = data.auth ? await authColumns(data.auth) : {};
  const isScheduleChanged = data.schedule_type !== undefined || data.schedule_config !== undefined;
  const schedule = isScheduleChanged ? scheduleColumns(data.schedule_type === undefined ? existing.scheduleType : data.schedule_type, data.schedule_config ?? existing.scheduleConfig) : null;
  const changed = Object.keys(data).filter((key) => data[key as keyof TFhirSourceChange] !== undefined);

  const updated = await prisma.$transaction(async (tx) => {
    const source = await tx.fhirSource.update({
      where: { id },
      data: {
        ...(data.base_url ? { baseUrl: data.base_url } : {}),
        ...authData,
        ...(data.mode ? { mode: data.mode } : {}),
        ...(data.resource_types ? { resourceTypes: data.resource_types } : {}),
        ...(schedule ? { scheduleType: schedule.scheduleType, scheduleConfig: schedule.scheduleConfig ?? undefined, nextSyncAt: schedule.nextSyncAt } : {}),
        ...(data.is_active !== undefined ? { isActive: data.is_active } : {}),
      },
    });
    // Field names only, and the auth kind: never the token or the key.
    await recordAudit(tx, { action: "fhir_source_updated", userId: actor.id, metadata: { fhirSourceId: id, name: existing.name, changed, ...(data.auth ? { auth: data.auth.type } : {}) }, meta });
    return source;
  });

  return fhirSourceDto(updated);
}

export async function removeFhirSource(actor: TActor, id: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "fhir-source.manage" }, { meta });
  const existing = await getFhirSourceOrThrow(id);
  await prisma.$transaction(async (tx) => {
    await tx.fhirSource.delete({ where: { id } });
    await recordAudit(tx, { action: "fhir_source_removed", userId: actor.id, metadata: { fhirSourceId: id, name: existing.name, baseUrl: existing.baseUrl }, meta });
  });
}
