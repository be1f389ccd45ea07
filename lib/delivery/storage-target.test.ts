import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { assertSafeFileName, buildDeliveryPath, datasetBundleName, reportFileName, resolveWithinBase } from './storage-target';

describe('names', () => {
  it('builds dataset bundle names from the UTC time', () => {
    expect(datasetBundleName('pseudonymized', new Date('2026-03-08T07:04:09.512Z'))).toBe('careexport_pseudonymized_20260308_070409.zip');
    expect(() => datasetBundleName('../x', new Date())).toThrow(/Unsafe tier/);
  });

  it('builds report file names', () => {
    expect(reportFileName('progress_note', 'PSN-4F2A', '2026-03-08', 'pdf')).toBe('progress_note_PSN-4F2A_2026-03-08.pdf');
    // 23:30 UTC on the 7th is already the 8th in Berlin.
    expect(reportFileName('care_summary', 'PSN-4F2A', new Date('2026-03-07T23:30:00Z'), 'DOCX', 'Europe/Berlin')).toBe(
      'care_summary_PSN-4F2A_2026-03-08.docx',
    );
    expect(() => reportFileName('progress_note', 'Jane Doe', '2026-03-08', 'pdf')).toThrow(/pseudonym/);
    expect(() => reportFileName('progress_note', 'PSN_1', '2026-03-08', 'pdf')).toThrow(/pseudonym/);
    expect(() => reportFileName('progress_note', 'PSN-1', '2026-3-8', 'pdf')).toThrow(/YYYY-MM-DD/);
    expect(() => reportFileName('progress_note', 'PSN-1', '2026-03-08', 'pdf/../x')).toThrow(/extension/);
  });
});

describe('buildDeliveryPath', () => {
  it('uses the date in the given zone', () => {
    const at = new Date('2026-12-31T23:30:00Z');
    expect(buildDeliveryPath({ at, tz: 'UTC', fileName: 'a.zip' })).toBe('2026/12/31/a.zip');
    expect(buildDeliveryPath({ at, tz: 'Europe/Berlin', fileName: 'a.zip' })).toBe('2027/01/01/a.zip');
  });

  it('refuses names that are not a single safe segment', () => {
    for (const fileName of ['../a.zip', 'a/b.zip', '.hidden', '..', '', 'a\\b.zip', 'a\0.zip', '-rf']) {
      expect(() => buildDeliveryPath({ at: new Date(), tz: 'UTC', fileName })).toThrow(/Unsafe file name/);
    }
  });
});

describe('resolveWithinBase', () => {
  const base = path.resolve('/srv/careexport/deliveries');

  it('resolves delivery paths under the base', () => {
    expect(resolveWithinBase(base, '2026/12/31/a.zip')).toBe(path.join(base, '2026', '12', '31', 'a.zip'));
    expect(assertSafeFileName('careexport_identified_20260308_070409.zip')).toBe('careexport_identified_20260308_070409.zip');
  });

  it('never lets a path escape', () => {
    for (const rel of ['../etc/passwd', '2026/../../x', '/etc/passwd', '2026//a', '2026/./a', '..\\x', '', 'a/..']) {
      expect(() => resolveWithinBase(base, rel)).toThrow();
    }
  });
});
