// The file each compute worker thread starts from (piscina's `filename`). Plain JavaScript so that
// Node can load it under every host (next dev, next start, tsx for the CLI and `npm run worker`,
// vitest): it registers tsx's loader in this thread, with the project's tsconfig (for the `@/`
// paths and JSX), then loads the TypeScript dispatcher. The worker is started with an empty
// execArgv, so whatever loader the host process runs under is not inherited twice.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { Piscina } from "piscina";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
register({ tsconfig: path.join(root, "tsconfig.json") });

const { runWorkerTask } = await import(pathToFileURL(path.join(root, "lib/compute/worker-tasks.ts")).href);

/**
 * `started` is a port the pool listens on: the task's time limit runs from that message, sent
 * once the task's code is loaded (a fresh worker's first load is not the task's time).
 */
export default async function run({ started, ...message }) {
  const reply = await runWorkerTask(message, () => {
    started?.postMessage("started");
    started?.close();
  });
  // Buffers the task marked for moving go in piscina's transfer list (a movable reply).
  const transfer = reply.transfer;
  delete reply.transfer;
  if (!transfer?.length) return reply;

  return Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: reply });
}
