// The Liquid sandbox every template runs in. Templates are written by admins but rendered by
// the server for every export, so they get no file system, no includes/layouts, only known
// filters, a cap on rendered nodes (bounds loops), on allocations, on time and on output size.
import { createHash } from "node:crypto";

import { Liquid, Tag, type FS, type TagToken } from "liquidjs";

import type { TReportContext, TReportExportType } from "@/lib/reports/report-context.types";
import { AppError } from "@/lib/errors/app-error";
import { sampleReportContext } from "@/lib/templates/sample-context";

/** Largest rendered HTML a template may produce. */
export const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;
/** Largest template source accepted. */
export const MAX_TEMPLATE_CHARS = 256 * 1024;
/**
 * Block bodies rendered per call (each loop iteration and each taken if/else branch is one):
 * the loop guard. A 40-session report needs a few hundred; a runaway nested loop hits it fast.
 */
export const MAX_BLOCK_RENDERS = 100_000;
// Generous: a full record of a long treatment on a busy worker; a runaway loop still stops.
const RENDER_TIME_LIMIT_MS = 10_000;
const MEMORY_LIMIT = 20_000_000;

export type TTemplateIssue = { line: number; column?: number; message: string };
export type TTemplateValidation = { ok: true } | { ok: false; issues: TTemplateIssue[] };

const refusingFs: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error("templates cannot read files");
  },
  readFileSync: () => {
    throw new Error("templates cannot read files");
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Tags that would load other templates: refused at parse time, with the tag's line. */
class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: ConstructorParameters<typeof Tag>[1], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(`{% ${token.name} %} is not allowed in templates (no includes, renders or layouts)`);
  }

  render(): void {}
}

type TRenderTemplates = (templates: unknown, ctx: object, emitter?: unknown) => Generator<unknown, unknown, unknown>;

/**
 * liquidjs 10.30 declares a `templateLimit` option but does not enforce it, so the guard is
 * here: every loop iteration and branch goes through renderer.renderTemplates with the
 * render's Context, which we count. The error surfaces as a RenderError on the loop's line.
 */
function guardBlockRenders(engine: Liquid) {
  const renderer = engine.renderer as unknown as { renderTemplates: TRenderTemplates };
  const original = renderer.renderTemplates.bind(renderer);
  const counts = new WeakMap<object, number>();
  renderer.renderTemplates = function* (templates, ctx, emitter) {
    const count = (counts.get(ctx) ?? 0) + 1;
    counts.set(ctx, count);
    if (count > MAX_BLOCK_RENDERS) throw new Error(`loop limit exceeded: more than ${MAX_BLOCK_RENDERS} loop iterations or blocks`);

    return yield* original(templates, ctx, emitter);
  };
}

function createEngine(strictVariables: boolean) {
  const engine = new Liquid({
    fs: refusingFs,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
    strictFilters: true,
    strictVariables,
    ownPropertyOnly: true,
    // Values are HTML-escaped unless a template asks for `| raw`: patient text must not become markup.
    outputEscape: "escape",
    parseLimit: MAX_TEMPLATE_CHARS,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const name of ["include", "render", "layout"]) engine.registerTag(name, RefusedTag);
  guardBlockRenders(engine);

  return engine;
}

const lenientEngine = createEngine(false);
const strictEngine = createEngine(true);

/** "undefined variable: x, line:3, col:6" -> { line: 3, column: 6, message: "undefined variable: x" } */
export function toTemplateIssue(error: unknown): TTemplateIssue {
  const err = error as { message?: string; token?: { getPosition?: () => [number, number] }; originalError?: { message?: string } };
  const position = err.token?.getPosition?.();
  const message = String(err.message ?? error).replace(/,\s*line:\d+,\s*col:\d+\s*$/, "").replace(/^ENOENT: /, "");

  return position ? { line: position[0], column: position[1], message } : { line: 1, message };
}

export function templateIssueText(issue: TTemplateIssue) {
  return `line ${issue.line}${issue.column ? `, column ${issue.column}` : ""}: ${issue.message}`;
}

/** 400 naming the template_content field, the line and the reason. */
export function invalidTemplate(issues: TTemplateIssue[], field = "template_content"): AppError {
  const texts = issues.map(templateIssueText);

  return new AppError("INVALID_INPUT", `${field}: ${texts.join("; ")}`, { issues: texts.map((message) => ({ path: field, message })) });
}

type TParsedTemplate = ReturnType<Liquid["parse"]>;

/**
 * Parsed templates by engine and content hash. Every export re-renders one of a handful of stored
 * templates, and parsing is a good part of the Liquid time; a parsed template is immutable and
 * safe to render again. Bounded (least recently used out) so edited templates cannot pile up.
 * Only successful parses are kept: a broken template is re-parsed and reports its error each time.
 */
const PARSE_CACHE_SIZE = 32;
const parseCaches = new WeakMap<Liquid, Map<string, TParsedTemplate>>();

function parseCached(engine: Liquid, content: string): TParsedTemplate {
  let cache = parseCaches.get(engine);
  if (!cache) {
    cache = new Map();
    parseCaches.set(engine, cache);
  }
  const key = createHash("sha256").update(content).digest("base64");
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);

    return hit;
  }
  const parsed = engine.parse(content);
  cache.set(key, parsed);
  if (cache.size > PARSE_CACHE_SIZE) cache.delete(cache.keys().next().value!);

  return parsed;
}

async function renderWith(engine: Liquid, content: string, context: object): Promise<string> {
  if (content.length > MAX_TEMPLATE_CHARS) throw invalidTemplate([{ line: 1, message: `template is longer than ${MAX_TEMPLATE_CHARS} characters` }]);
  let html: string;
  try {
    const parsed = parseCached(engine, content);
    // Synchronous: no filter or tag here does I/O, and awaiting every node cost about a third of the
    // render time (bench:reports, Liquid p50 5.5-5.9 -> 3.7-4.1 ms).
    html = engine.renderSync(parsed, context) as string;
  } catch (error) {
    throw invalidTemplate([toTemplateIssue(error)]);
  }
  if (html.length > MAX_OUTPUT_CHARS) throw invalidTemplate([{ line: 1, message: `the rendered document is larger than ${MAX_OUTPUT_CHARS / 1024 / 1024} MB` }]);

  return html;
}

/**
 * Template + report context -> HTML. Lenient about missing values (an absent optional field
 * renders empty), strict about everything else; throws AppError INVALID_INPUT naming the line.
 */
export async function renderTemplateHtml(content: string, context: TReportContext | Record<string, unknown>): Promise<string> {
  return renderWith(lenientEngine, content, context);
}

/**
 * Save-time check: parses, then renders against the fictional sample with strict variables,
 * so a syntax error or a misspelt variable is reported with its line before the template is stored.
 */
export async function validateTemplateContent(content: string, exportType: TReportExportType = "progress_report"): Promise<TTemplateValidation> {
  try {
    await renderWith(strictEngine, content, sampleReportContext(exportType));

    return { ok: true };
  } catch (error) {
    if (error instanceof AppError && error.issues) {
      const issue = toIssueFromAppError(error);

      return { ok: false, issues: [issue] };
    }
    throw error;
  }
}

function toIssueFromAppError(error: AppError): TTemplateIssue {
  const text = error.issues?.[0]?.message ?? error.message;
  const match = /^line (\d+)(?:, column (\d+))?: ([\s\S]*)$/.exec(text);

  return match ? { line: Number(match[1]), ...(match[2] ? { column: Number(match[2]) } : {}), message: match[3]! } : { line: 1, message: text };
}
