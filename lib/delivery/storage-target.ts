// Names and paths for delivered files. Every name that reaches the filesystem or an object
// key passes through here, so a hostile or malformed value is refused in one place instead
// of being trusted by each caller.

import path from 'node:path';

import { isValidTimeZone, getZonedParts } from '@/lib/schedules/time/zoned-time';

// Letters, digits, dot, underscore, hyphen; must start alphanumeric, which alone rules out
// ".", "..", hidden files and leading dashes that some tools read as flags.
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const SAFE_TOKEN = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;
const SAFE_PSEUDONYM = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
/** "pdf", or a compound one that says what the file is: "fhir.json". */
const SAFE_EXTENSION = /^[A-Za-z0-9]{1,10}(\.[A-Za-z0-9]{1,10})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Returns `name` unchanged if it is a single safe path segment; throws otherwise. */
export function assertSafeFileName(name: string): string {
  if (!SAFE_FILE_NAME.test(name)) {
    throw new Error(`Unsafe file name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" only, starting with a letter or digit`);
  }

  return name;
}

/** `YYYY/MM/DD/<fileName>` with the date taken in `tz` (the schedule's zone). */
export function buildDeliveryPath(options: { at: Date; tz: string; fileName: string }): string {
  if (!isValidTimeZone(options.tz)) {
    throw new Error(`Unknown time zone ${JSON.stringify(options.tz)}`);
  }
  const p = getZonedParts(options.at, options.tz);

  return `${p.year}/${pad2(p.month)}/${pad2(p.day)}/${assertSafeFileName(options.fileName)}`;
}

/** `careexport_<tier>_YYYYMMDD_HHMMSS.zip`, timestamp in UTC so bundles sort the same everywhere. */
export function datasetBundleName(tier: string, at: Date): string {
  assertToken(tier, 'tier');
  const iso = at.toISOString(); // 2026-03-08T07:00:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;

  return `careexport_${tier}_${stamp}.zip`;
}

/**
 * `<export_type>_<patient-pseudonym>_<YYYY-MM-DD>.<ext>`. Only the pseudonym identifies the
 * patient, never a name or record number. A Date is formatted in `tz` (default UTC).
 */
export function reportFileName(exportType: string, patientPseudonym: string, date: Date | string, ext: string, tz = 'UTC'): string {
  assertToken(exportType, 'exportType');
  if (!SAFE_PSEUDONYM.test(patientPseudonym)) {
    // "_" separates the name's fields, so it may not appear inside the pseudonym.
    throw new Error(`Unsafe patient pseudonym ${JSON.stringify(patientPseudonym)}: use letters, digits and single hyphens`);
  }
  if (!SAFE_EXTENSION.test(ext)) {
    throw new Error(`Unsafe file extension ${JSON.stringify(ext)}`);
  }

  return assertSafeFileName(`${exportType}_${patientPseudonym}_${formatDate(date, tz)}.${ext.toLowerCase()}`);
}

/**
 * Joins a relative delivery path onto `baseDir` and proves the result stays inside it.
 * Segments are checked before resolving (no "..", no absolute paths, no backslashes) and the
 * resolved path is checked again, so neither a crafted name nor a platform quirk can escape.
 */
export function resolveWithinBase(baseDir: string, relativePath: string): string {
  if (relativePath.length === 0 || relativePath.includes('\\') || relativePath.includes('\0') || path.posix.isAbsolute(relativePath)) {
    throw new Error(`Delivery path ${JSON.stringify(relativePath)} must be a relative path with "/" separators`);
  }
  for (const segment of relativePath.split('/')) {
    assertSafeFileName(segment);
  }

  const base = path.resolve(baseDir);
  const target = path.resolve(base, ...relativePath.split('/'));
  const fromBase = path.relative(base, target);
  if (fromBase === '' || fromBase.startsWith('..') || path.isAbsolute(fromBase)) {
    throw new Error(`Delivery path ${JSON.stringify(relativePath)} escapes the base directory`);
  }

  return target;
}

function assertToken(value: string, field: string): void {
  if (!SAFE_TOKEN.test(value)) {
    throw new Error(`Unsafe ${field} ${JSON.stringify(value)}: use lower-case letters, digits and "_"`);
  }
}

function formatDate(date: Date | string, tz: string): string {
  if (typeof date === 'string') {
    if (!ISO_DATE.test(date)) {
      throw new Error(`Date ${JSON.stringify(date)} must be YYYY-MM-DD`);
    }

    return date;
  }
  const p = getZonedParts(date, tz);

  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
