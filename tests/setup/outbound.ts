// Tests talk to receivers on 127.0.0.1, which the outbound guard refuses unless the operator
// allow-lists it: tests set OUTBOUND_ALLOW_HOSTS the way an operator would (the integration
// setup allows 127.0.0.1 for every file; a test that checks a refusal clears it).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { resetEnvCache } from "@/lib/env";

export function setOutboundAllowList(value: string | undefined) {
  // Unit tests have no integration setup: keep env() from writing secrets under ./data.
  process.env.DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "careexport-unit-"));
  if (value === undefined) delete process.env.OUTBOUND_ALLOW_HOSTS;
  else process.env.OUTBOUND_ALLOW_HOSTS = value;
  resetEnvCache();
}
