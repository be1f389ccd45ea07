import { AppError, invalidInput } from "@/lib/errors/app-error";
import { parseQueryString } from "@/lib/input/input-guards";

const MAX_FORM_BYTES = 100_000;

/**
 * The parameters of POST [type]/_search, plus any in the URL (both count, as the spec says). The
 * form gets the query string's checks (lib/input): bytes that are not UTF-8, malformed
 * percent-encoding, NUL or an unpaired surrogate in a name or value are a 400 naming the parameter.
 */
export async function readSearchForm(request: Request): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the search parameters as application/x-www-form-urlencoded");
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_FORM_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `The search form is larger than ${MAX_FORM_BYTES} bytes`);
  let text: string;
  try {
    // request.text() would quietly turn bytes that are not UTF-8 into U+FFFD.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidInput("(form)", "is not valid UTF-8");
  }
  const query = new URLSearchParams(new URL(request.url).search);
  for (const [name, values] of Object.entries(parseQueryString(text, "Invalid search form"))) {
    for (const value of Array.isArray(values) ? values : [values]) query.append(name, value);
  }

  return query;
}
