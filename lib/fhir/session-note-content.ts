// The session-note attachment format (see SESSION_NOTE_CONTENT_TYPES): shared by the importer,
// which decodes it, and the demo generator, which encodes it, so the two cannot drift apart.
import { z } from "zod";

import { SESSION_NOTE_CONTENT_TYPES } from "@/lib/fhir/fhir-conventions";

export const ZSessionNoteContent = z.object({
  subjective: z.string().optional(),
  objective: z.string().optional(),
  assessment: z.string().optional(),
  plan: z.string().optional(),
  transcript: z.string().optional(),
  ai_notes: z.string().optional(),
  action_items: z.array(z.string()).optional(),
});
export type TSessionNoteContent = z.infer<typeof ZSessionNoteContent>;

// Order matters only for encoding; decoding accepts the headings in any order.
const TEXT_HEADINGS: [keyof TSessionNoteContent, string][] = [
  ["subjective", "S"],
  ["objective", "O"],
  ["assessment", "A"],
  ["plan", "P"],
  ["transcript", "Transcript"],
  ["ai_notes", "AI notes"],
  ["action_items", "Action items"],
];

export function encodeSessionNote(content: TSessionNoteContent, contentType: "json" | "text" = "json") {
  if (contentType === "json") {
    return { contentType: SESSION_NOTE_CONTENT_TYPES.json, data: Buffer.from(JSON.stringify(content), "utf8").toString("base64") };
  }
  const blocks: string[] = [];
  for (const [field, heading] of TEXT_HEADINGS) {
    const value = content[field];
    if (value === undefined) continue;
    const body = Array.isArray(value) ? value.map((item) => `- ${item}`).join("\n") : value;
    blocks.push(`${heading}:\n${body}`);
  }

  return { contentType: SESSION_NOTE_CONTENT_TYPES.text, data: Buffer.from(blocks.join("\n\n"), "utf8").toString("base64") };
}

const HEADING_RE = new RegExp(`^(${TEXT_HEADINGS.map(([, heading]) => heading).join("|")}):[ \\t]*(.*)$`, "i");

function parsePlainText(text: string): TSessionNoteContent {
  const sections = new Map<keyof TSessionNoteContent, string[]>();
  let current: string[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    const match = HEADING_RE.exec(line);
    if (match) {
      const field = TEXT_HEADINGS.find(([, heading]) => heading.toLowerCase() === match[1]!.toLowerCase())![0];
      current = [];
      sections.set(field, current);
      if (match[2]) current.push(match[2]);
      continue;
    }
    // Text before the first heading is kept as the subjective part rather than dropped.
    if (!current) {
      current = [];
      sections.set("subjective", current);
    }
    current.push(line);
  }
  const content: TSessionNoteContent = {};
  for (const [field, lines] of sections) {
    const body = lines.join("\n").trim();
    if (field === "action_items") {
      content.action_items = body
        .split("\n")
        .map((line) => line.replace(/^\s*[-*•]\s*/, "").trim())
        .filter(Boolean);
    } else if (body) {
      content[field] = body;
    }
  }

  return content;
}

export type TDecodedNote = { ok: true; content: TSessionNoteContent } | { ok: false; reason: string };

/** Decodes a note attachment; the reason is safe to show (it never quotes the note). */
export function decodeSessionNote(contentType: string | undefined, base64: string): TDecodedNote {
  if (!/^[A-Za-z0-9+/=\s_-]*$/.test(base64)) return { ok: false, reason: "attachment.data is not base64" };
  const text = Buffer.from(base64, "base64").toString("utf8");
  const type = (contentType ?? SESSION_NOTE_CONTENT_TYPES.text).split(";")[0]!.trim().toLowerCase();
  if (type === SESSION_NOTE_CONTENT_TYPES.json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, reason: "attachment.data is not valid JSON" };
    }
    const result = ZSessionNoteContent.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      return { ok: false, reason: `attachment note ${issue.path.join(".") || "(root)"}: ${issue.message}` };
    }

    return { ok: true, content: result.data };
  }
  if (type === SESSION_NOTE_CONTENT_TYPES.text) return { ok: true, content: parsePlainText(text) };

  return { ok: false, reason: `attachment.contentType ${type} is not supported (use application/json or text/plain)` };
}
