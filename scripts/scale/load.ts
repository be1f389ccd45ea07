// The load generator of `npm run test:scale`: virtual users that send a mix of requests through
// the web instances in turn, bounded by a request count and a time limit per phase. The mix is
// what the portal's users do: therapists export reports (POST, then poll the job, then download),
// analysts export datasets (the same through /api/v1/datasets), admins page the audit trail.
// Every request is recorded (instance, operation, start, end, status); an answer other than the
// one expected, a download whose bytes do not match the job's SHA-256, or a failed job is an error.
//
// Refusals: a connection an instance no longer accepts (it is stopping) is refused, or reset
// before any answer. Such a request was never accepted: like a load balancer, the generator
// retries it on another instance and counts it apart. A request started before the instance was
// told to stop, or one that had begun to be answered, is never put in that class.
import { send, sha256, jsonOf, percentile, type THttpRequest, type THttpResult } from "./http";

export type TInstanceTarget = { name: string; baseUrl: string; isUp: boolean; signalledAt: number | null };

export type TOutcome = "ok" | "error" | "refused";

export type TSample = { phase: string; instance: string; op: string; startedAt: number; endedAt: number; status: number | null; outcome: TOutcome; detail?: string };

export type TTokens = { therapist: string; analyst: string; admin: string };

type TJob = { id: string; kind: "report" | "dataset"; status: string; sha256: string | null; downloads: number };

const REPORT_KINDS = [
  { path: "progress-report", body: (patientId: string, format: string) => ({ patient_id: patientId, start_date: "2024-01-01", end_date: "2026-12-31", format }) },
  { path: "treatment-summary", body: (patientId: string, format: string) => ({ patient_id: patientId, purpose: "records", format }) },
  { path: "insurance-report", body: (patientId: string, format: string) => ({ patient_id: patientId, start_date: "2025-01-01", end_date: "2026-12-31", format }) },
] as const;
const REPORT_FORMATS = ["pdf", "docx", "json", "csv"] as const;

export type TPhase = {
  name: string;
  /** Stops starting requests after this long... */
  durationMs: number;
  /** ...or after this many (retries of refused ones included). */
  maxRequests: number;
  users: number;
  /** Report exports this phase may start (each is a job the workers render). */
  maxReportExports: number;
  maxDatasetExports: number;
};

export class LoadGenerator {
  readonly samples: TSample[] = [];
  readonly jobs = new Map<string, TJob>();
  private turn = 0;
  private readonly inFlightOn = new Map<string, number>();
  private started = 0;
  private reportExports = 0;
  private datasetExports = 0;

  constructor(
    readonly instances: TInstanceTarget[],
    private readonly tokens: TTokens,
    private readonly patientIds: string[],
  ) {}

  /** Runs `phase` to its end; `during` runs alongside (a scenario acting while the load goes on). */
  async run(phase: TPhase, during?: () => Promise<void>) {
    this.started = 0;
    this.reportExports = 0;
    this.datasetExports = 0;
    const deadline = Date.now() + phase.durationMs;
    const user = async (index: number) => {
      while (Date.now() < deadline && this.started < phase.maxRequests) await this.step(phase, index);
    };
    const users = Array.from({ length: phase.users }, (_, index) => user(index));
    await Promise.all([...users, during?.()]);
  }

  /** Sends one request to the next instance that is up; a refused one is retried on another. */
  async request(phase: string, op: string, request: THttpRequest, accept: (result: THttpResult) => string | null): Promise<THttpResult | null> {
    for (let attempt = 0; attempt < this.instances.length; attempt += 1) {
      const up = this.instances.filter((instance) => instance.isUp);
      if (up.length === 0) throw new Error("no instance is up");
      const instance = up[this.turn++ % up.length]!;
      this.started += 1;
      this.inFlightOn.set(instance.name, this.inFlight(instance.name) + 1);
      const result = await send(instance.baseUrl, request).finally(() => this.inFlightOn.set(instance.name, this.inFlight(instance.name) - 1));
      const base = { phase, instance: instance.name, op, startedAt: result.startedAt, endedAt: result.endedAt, status: result.status };
      if (result.error && !result.didRespond && this.wasNeverAccepted(instance, result)) {
        this.samples.push({ ...base, outcome: "refused", detail: result.error });
        instance.isUp = false;
        continue;
      }
      const problem = result.error ? `network error ${result.error}${result.didRespond ? " after the answer began" : ""}` : accept(result);
      this.samples.push({ ...base, outcome: problem ? "error" : "ok", ...(problem ? { detail: problem } : {}) });

      return problem ? null : result;
    }

    return null;
  }

  /** Requests sent to `instance` and not yet answered. */
  inFlight(instance: string) {
    return this.inFlightOn.get(instance) ?? 0;
  }

  private wasNeverAccepted(instance: TInstanceTarget, result: THttpResult) {
    if (result.error === "ECONNREFUSED") return true;
    // Reset before any answer, on a connection opened once the instance was told to stop.
    return instance.signalledAt !== null && result.startedAt >= instance.signalledAt && (result.error === "ECONNRESET" || result.error === "EPIPE");
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(Math.random() * items.length)]!;
  }

  private jobsWhere(kind: TJob["kind"], isDone: boolean) {
    return [...this.jobs.values()].filter((job) => job.kind === kind && (job.status === "completed") === isDone && job.status !== "failed");
  }

  private async step(phase: TPhase, index: number) {
    const pendingReports = this.jobsWhere("report", false);
    const doneReports = this.jobsWhere("report", true);
    const pendingDatasets = this.jobsWhere("dataset", false);
    const doneDatasets = this.jobsWhere("dataset", true);
    const choices: Array<[() => Promise<unknown>, number]> = [
      [() => this.createReport(phase.name), this.reportExports < phase.maxReportExports ? 3 : 0],
      [() => this.pollJob(phase.name, this.pick(pendingReports)), pendingReports.length ? 3 : 0],
      [() => this.download(phase.name, this.pick(doneReports)), doneReports.length ? 3 : 0],
      [() => this.listPatients(phase.name), 1],
      [() => this.createDataset(phase.name), this.datasetExports < phase.maxDatasetExports ? 1 : 0],
      [() => this.pollJob(phase.name, this.pick(pendingDatasets)), pendingDatasets.length ? 1 : 0],
      [() => this.download(phase.name, this.pick(doneDatasets)), doneDatasets.length ? 1 : 0],
      [() => this.auditPage(phase.name, index), 3],
    ];
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = Math.random() * total;
    for (const [action, weight] of choices) {
      roll -= weight;
      if (roll < 0) {
        await action();
        return;
      }
    }
  }

  private expectStatus(expected: number) {
    return (result: THttpResult) => (result.status === expected ? null : `HTTP ${result.status}: ${result.body.toString("utf8").slice(0, 200)}`);
  }

  async createReport(phase: string) {
    this.reportExports += 1;
    const kind = this.pick([...REPORT_KINDS]);
    const format = this.pick([...REPORT_FORMATS]);
    const result = await this.request(phase, "report.create", { method: "POST", path: `/api/v1/export/${kind.path}`, token: this.tokens.therapist, body: kind.body(this.pick(this.patientIds), format) }, this.expectStatus(202));
    if (result) this.track(jsonOf<{ job_id: string }>(result).job_id, "report");
  }

  async createDataset(phase: string) {
    this.datasetExports += 1;
    const result = await this.request(phase, "dataset.create", { method: "POST", path: "/api/v1/datasets/exports", token: this.tokens.analyst, body: { tier: "anon", attestation: true } }, this.expectStatus(202));
    if (result) this.track(jsonOf<{ job_id: string }>(result).job_id, "dataset");

    return result ? jsonOf<{ job_id: string }>(result).job_id : null;
  }

  track(id: string, kind: TJob["kind"]) {
    this.jobs.set(id, { id, kind, status: "pending", sha256: null, downloads: 0 });
  }

  private jobPath(job: TJob) {
    return job.kind === "report" ? `/api/v1/export/jobs/${job.id}` : `/api/v1/datasets/exports/${job.id}`;
  }

  downloadPath(job: Pick<TJob, "id" | "kind">) {
    return job.kind === "report" ? `/api/v1/export/download/${job.id}` : `/api/v1/datasets/exports/${job.id}/download`;
  }

  private tokenFor(job: TJob) {
    return job.kind === "report" ? this.tokens.therapist : this.tokens.analyst;
  }

  async pollJob(phase: string, job: TJob) {
    const result = await this.request(phase, `${job.kind}.status`, { path: this.jobPath(job), token: this.tokenFor(job) }, (answer) => {
      if (answer.status !== 200) return `HTTP ${answer.status}`;
      const view = jsonOf<{ status: string; error: string | null }>(answer);
      return view.status === "failed" ? `job ${job.id} failed: ${view.error}` : null;
    });
    if (!result) return;
    const view = jsonOf<{ status: string; sha256: string | null }>(result);
    job.status = view.status;
    job.sha256 = view.sha256;
  }

  async download(phase: string, job: TJob) {
    job.downloads += 1;
    await this.request(phase, `${job.kind}.download`, { path: this.downloadPath(job), token: this.tokenFor(job) }, (answer) => {
      if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body.toString("utf8").slice(0, 200)}`;
      const bytes = sha256(answer.body);
      if (bytes !== job.sha256 || bytes !== answer.headers["x-content-sha256"]) return `download of ${job.id}: SHA-256 ${bytes} is not the job's ${job.sha256}`;
      return null;
    });
  }

  async listPatients(phase: string) {
    await this.request(phase, "patients.list", { path: "/api/v1/patients?page_size=20", token: this.tokens.therapist }, this.expectStatus(200));
  }

  async auditPage(phase: string, index: number) {
    const page = 1 + ((index + this.samples.length) % 5);
    const filter = page % 2 === 0 ? "&action=downloaded" : "";
    await this.request(phase, "audit.page", { path: `/api/v1/audit?page=${page}&page_size=50${filter}`, token: this.tokens.admin }, this.expectStatus(200));
  }
}

export type TLatencySummary = { count: number; p50: number; p95: number; max: number };

export function summarize(samples: TSample[]): TLatencySummary {
  const sorted = samples.map((sample) => sample.endedAt - sample.startedAt).sort((a, b) => a - b);

  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 };
}
