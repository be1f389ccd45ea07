// Why a sync run failed, in words an admin can act on: the source's URL path and HTTP status,
// never a response body (a source's error text can quote patient data).
import { PermanentJobError } from "@/lib/jobs/job-types";

/** Retrying will not help (refused credentials, a request the source rejects, a bad file). */
export class SyncRefusedError extends PermanentJobError {}

/** Worth another attempt with backoff (the source down, a timeout, a 5xx). */
export class SyncUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncUnavailableError";
  }
}

/** The error for an unexpected HTTP answer: 5xx and 429 are transient, other statuses are not. */
export function httpFailure(what: string, url: string, status: number): Error {
  const message = `${what}: ${pathOf(url)} answered HTTP ${status}`;

  return status >= 500 || status === 429 ? new SyncUnavailableError(message) : new SyncRefusedError(message);
}

/** A URL as error messages show it: host and path, no query (a query can carry search values). */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
