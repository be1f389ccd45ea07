import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { placeFileWithoutOverwrite, suffixedPath } from './place-file-without-overwrite';

let dir = '';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function place(name: string, content: string, partialName = `${name}.${content.length}.${Math.random()}.partial`) {
  const partialPath = path.join(dir, partialName);
  await writeFile(partialPath, content);
  try {
    return await placeFileWithoutOverwrite({ partialPath, targetPath: path.join(dir, name), sha256: sha256(content) });
  } finally {
    await rm(partialPath, { force: true });
  }
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'careexport-place-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('placeFileWithoutOverwrite', () => {
  it('never replaces a file: a taken name gets the next free suffix', async () => {
    expect(await place('report_2026-12-01.pdf', 'first')).toEqual({ path: path.join(dir, 'report_2026-12-01.pdf'), isAlreadyPresent: false });
    expect((await place('report_2026-12-01.pdf', 'second')).path).toBe(path.join(dir, 'report_2026-12-01-2.pdf'));
    expect((await place('report_2026-12-01.pdf', 'third')).path).toBe(path.join(dir, 'report_2026-12-01-3.pdf'));

    expect(await readFile(path.join(dir, 'report_2026-12-01.pdf'), 'utf8')).toBe('first');
    expect(await readFile(path.join(dir, 'report_2026-12-01-2.pdf'), 'utf8')).toBe('second');
    expect(await readFile(path.join(dir, 'report_2026-12-01-3.pdf'), 'utf8')).toBe('third');
  });

  it('keeps every file when many deliveries of the same name race', async () => {
    const contents = Array.from({ length: 12 }, (_, i) => `delivery ${i}`);

    const placed = await Promise.all(contents.map((content) => place('bundle.zip', content)));

    expect(new Set(placed.map((p) => p.path)).size).toBe(contents.length);
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(contents.length);
    const kept = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
    expect(kept.sort()).toEqual([...contents].sort());
  });

  it('does not copy a file again when the same bytes already have the name (a repeated delivery)', async () => {
    await place('report.pdf', 'first');
    await place('report.pdf', 'second');

    expect(await place('report.pdf', 'second')).toEqual({ path: path.join(dir, 'report-2.pdf'), isAlreadyPresent: true });
    expect((await readdir(dir)).sort()).toEqual(['report-2.pdf', 'report.pdf']);
  });

  it('gives up, without writing, when every suffix is taken', async () => {
    await writeFile(path.join(dir, 'a.pdf'), 'x');
    await writeFile(path.join(dir, 'a-2.pdf'), 'y');
    const partialPath = path.join(dir, 'new.partial');
    await writeFile(partialPath, 'z');

    await expect(placeFileWithoutOverwrite({ partialPath, targetPath: path.join(dir, 'a.pdf'), sha256: sha256('z'), maxSuffix: 2 })).rejects.toThrow(/already exist/);
    expect(await readFile(path.join(dir, 'a.pdf'), 'utf8')).toBe('x');
  });

  it('puts the suffix before the extension', () => {
    expect(suffixedPath('/d/careexport_anon_20261201_020000.zip', 2)).toBe('/d/careexport_anon_20261201_020000-2.zip');
    expect(suffixedPath('/d/noext', 3)).toBe('/d/noext-3');
  });
});
