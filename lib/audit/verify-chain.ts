import { GENESIS_HASH } from "@/lib/audit/hash";
import { createChainVerifier, type TVerifyResult } from "@/lib/audit/verify";
import { prisma } from "@/lib/db/client";

const BATCH = 5_000;

const CHAIN_SELECT = {
  seq: true, action: true, outcome: true, userId: true, actorLabel: true, exportJobId: true, patientId: true, dataset: true,
  templateId: true, scheduleId: true, ipAddress: true, userAgent: true, requestId: true, metadata: true, createdAt: true, prevHash: true, hash: true,
} as const;

/** Streams the whole trail in sequence order through the pure verifier, from the latest checkpoint. */
export async function verifyAuditChain(): Promise<TVerifyResult & { checkpointSeq: number }> {
  const checkpoint = await prisma.auditCheckpoint.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const start = checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  const verifier = createChainVerifier(start);

  let after = start.seq;
  for (;;) {
    const rows = await prisma.exportAuditLog.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: BATCH, select: CHAIN_SELECT });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (!verifier.push(row)) return { ...verifier.result(), checkpointSeq: start.seq };
    }
    after = rows.at(-1)!.seq;
  }

  return { ...verifier.result(), checkpointSeq: start.seq };
}
