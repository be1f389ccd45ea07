import { AppError } from "@/lib/errors/app-error";

const MAX_FORM_BYTES = 100_000;

/** The parameters of POST [type]/_search, plus any in the URL (both count, as the spec says). */
export async function readSearchForm(request: Request): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the search parameters as application/x-www-form-urlencoded");
  }
  const text = await request.text();
  if (text.length > MAX_FORM_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `The search form is larger than ${MAX_FORM_BYTES} bytes`);
  const query = new URLSearchParams(new URL(request.url).search);
  for (const [name, value] of new URLSearchParams(text)) query.append(name, value);

  return query;
}
