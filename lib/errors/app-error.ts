// One error type for the whole app. Services throw AppError; the transport (the route wrapper in
// lib/http, the CLI) maps the code to a status or an exit line. It lives outside lib/http so that
// domain code (audit, auth, reports...) never imports the HTTP layer to fail.

export const APP_ERROR_STATUS = {
  INVALID_INPUT: 400,
  /** No valid session or bearer token. */
  UNAUTHENTICATED: 401,
  /** A role-level refusal: the caller's role may never do this (also a cross-site request refused). */
  FORBIDDEN: 403,
  /** Missing, or not the caller's to see: the two are deliberately indistinguishable. */
  NOT_FOUND: 404,
  /** The resource exists but not this method (the FHIR API is read-only outside its operations). */
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  /** A job's file is not ready, or has expired. */
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests in the window; `retryAfterSeconds` says when to come back. */
  RATE_LIMITED: 429,
  LOCKED: 423,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type TAppErrorCode = keyof typeof APP_ERROR_STATUS;

export type TIssue = { path: string; message: string };

export class AppError extends Error {
  readonly code: TAppErrorCode;
  readonly issues?: TIssue[];
  readonly retryAfterSeconds?: number;
  /** Response headers the transport adds (the RateLimit-* headers of a 429). */
  readonly headers?: Record<string, string>;

  constructor(code: TAppErrorCode, message: string, options: { issues?: TIssue[]; retryAfterSeconds?: number; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers;
  }

  get status() {
    return APP_ERROR_STATUS[this.code];
  }
}

export function invalidInput(path: string, message: string): AppError {
  return new AppError("INVALID_INPUT", `${path}: ${message}`, { issues: [{ path, message }] });
}

export function notFound(what = "Resource"): AppError {
  return new AppError("NOT_FOUND", `${what} not found`);
}
