/**
 * The source tree in docs/architecture.md, and the summary table in README.md, name exactly the
 * folders src/ has: a folder added, renamed or removed without the map being updated fails here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

function foldersOf(path: string): string[] {
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The fenced block under "## The source tree": each `src/…` entry with the lines that describe it. */
export function sourceTreeEntries(markdown: string): Map<string, string[]> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('The source tree'));
  const block = section === undefined ? undefined : /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  assert.ok(block, 'docs/architecture.md has a fenced source tree under "## The source tree"');
  const entries = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of block.split('\n')) {
    const top = /^(\S+)\s/.exec(line)?.[1];
    if (top !== undefined) {
      current = top.startsWith('src/') ? [] : undefined;
      if (current !== undefined) entries.set(top, current);
    }
    current?.push(line);
  }
  return entries;
}

/** Problems between a source tree and the folders of src/ (top-level folders and their subfolders). */
export function sourceTreeProblems(entries: Map<string, string[]>, folders: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [folder, subfolders] of folders) {
    const lines = entries.get(`src/${folder}/`);
    if (lines === undefined) {
      problems.push(`src/${folder}/ is not in the source tree`);
      continue;
    }
    const text = lines.join('\n');
    for (const sub of subfolders) {
      if (!new RegExp(`(?<![\\w-])${sub}/`).test(text)) problems.push(`src/${folder}/${sub}/ is not named under src/${folder}/`);
    }
    for (const [, named] of text.matchAll(/^ {2}([\w-]+)\/ /gm)) {
      if (named !== undefined && !subfolders.includes(named)) problems.push(`src/${folder}/${named}/ is in the source tree but not in src/`);
    }
  }
  for (const entry of entries.keys()) {
    const folder = /^src\/([\w-]+)\/$/.exec(entry)?.[1];
    if (folder !== undefined && !folders.has(folder)) problems.push(`${entry} is in the source tree but not in src/`);
  }
  return problems;
}

function srcFolders(): Map<string, string[]> {
  return new Map(foldersOf(join(ROOT, 'src')).map((folder) => [folder, foldersOf(join(ROOT, 'src', folder))]));
}

describe('the architecture map', () => {
  test('docs/architecture.md names every folder of src/ and its subfolders, and no folder src/ lacks', () => {
    const entries = sourceTreeEntries(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));
    assert.deepEqual(sourceTreeProblems(entries, srcFolders()), []);
    assert.ok(entries.has('src/app.ts'), 'the composition root is in the tree');
  });

  test("README.md's summary names every folder of src/", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const missing = [...srcFolders().keys()].filter((folder) => !readme.includes(`\`src/${folder}/\``));
    assert.deepEqual(missing, []);
  });

  test('a folder missing from the tree, a subfolder left unnamed and a folder src/ lacks are reported', () => {
    const entries = sourceTreeEntries(
      [
        '## The source tree',
        '',
        '```',
        'src/app.ts             root',
        'src/sip/               protocol',
        '  message/             parser',
        '  gone/                removed',
        'src/old/               removed',
        'test/                  tests',
        '```',
      ].join('\n'),
    );
    const folders = new Map([
      ['sip', ['message', 'transport']],
      ['pbx', []],
    ]);
    assert.deepEqual(sourceTreeProblems(entries, folders), [
      'src/sip/transport/ is not named under src/sip/',
      'src/sip/gone/ is in the source tree but not in src/',
      'src/pbx/ is not in the source tree',
      'src/old/ is in the source tree but not in src/',
    ]);
  });
});
