// Server-Sent Events for one job's progress. The event id is the job's update time, so a client
// that reconnects with Last-Event-ID gets only what changed since.
import { prisma } from "@/lib/db/client";

const POLL_MS = 400;
const MAX_STREAM_MS = 15 * 60_000;
const KEEP_ALIVE_MS = 15_000;

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "EXPIRED"]);

export type TJobEventView = (job: Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>) => Record<string, unknown>;

export function jobEventStream(jobId: string, options: { lastEventId?: string | null; signal: AbortSignal; view: TJobEventView }) {
  const encoder = new TextEncoder();
  let lastSent = Number(options.lastEventId ?? 0) || 0;
  let timer: NodeJS.Timeout | null = null;
  const startedAt = Date.now();
  let lastKeepAlive = Date.now();

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        try {
          controller.close();
        } catch {}
      };
      const send = (event: string, id: number, data: unknown) => controller.enqueue(encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      options.signal.addEventListener("abort", close);
      controller.enqueue(encoder.encode("retry: 2000\n\n"));

      const poll = async () => {
        try {
          const job = await prisma.exportJob.findUnique({ where: { id: jobId } });
          if (!job) {
            send("error", Date.now(), { status: "deleted", error: "The export was deleted." });
            return close();
          }
          const version = job.updatedAt.getTime();
          // A finished job always gets its final event, even on a resume that saw it, so the
          // client learns to stop instead of reconnecting.
          if (TERMINAL.has(job.status)) {
            send(job.status === "COMPLETED" ? "done" : "error", version, options.view(job));
            return close();
          }
          if (version > lastSent) {
            lastSent = version;
            send("progress", version, options.view(job));
          } else if (Date.now() - lastKeepAlive > KEEP_ALIVE_MS) {
            controller.enqueue(encoder.encode(": keep-alive\n\n"));
            lastKeepAlive = Date.now();
          }
          if (Date.now() - startedAt > MAX_STREAM_MS) return close();
          timer = setTimeout(poll, POLL_MS);
        } catch {
          close();
        }
      };
      void poll();
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  });

  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no", Connection: "keep-alive" },
  });
}
