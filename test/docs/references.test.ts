/**
 * Every document the repository cites must be in the repository: a comment that names a `.md`
 * file (with a `§N` section, that section; with a `#fragment`, that heading), and every relative
 * link in README.md and docs/ — inline, reference-style or an HTML `href`/`src` — (with a
 * `#fragment`, that heading, by GitHub's anchor rules), and every source path those pages name in
 * backticks. A reference into a folder outside the repository, such as a team's shared notes, or a
 * `file:` link, fails even when the file exists there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { itemAt } from '../support/item-at.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CODE_FOLDERS = ['src', 'bin', 'bench', 'scripts', 'test'];
const CODE_FILE = /\.(?:[cm]?[jt]s|tsx|sh)$/;
const SKIP_FOLDERS = new Set(['node_modules', 'vectors', 'fixtures']);
const THIS_FILE = relative(ROOT, import.meta.filename);

/** A `.md` path as code comments write it: `docs/dataverse.md`, `../README.md`, `README.md`. */
const MD_REFERENCE = /(?<![\w/.-])((?:\.{1,2}\/)*[\w-]+(?:\/[\w.-]+)*\.md)\b(?:#([\w-]+))?((?:\s*§\s*\d+(?:\s*(?:,|and|to|-|–)\s*§?\s*\d+)*)?)/g;
const URL = /\b(?:https?|file):\/\/\S+/g;

function filesUnder(folder: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_FOLDERS.has(entry.name)) found.push(...filesUnder(path, keep));
    } else if (keep(path)) {
      found.push(path);
    }
  }
  return found;
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): Array<{ line: string; number: number }> {
  const lines: Array<{ line: string; number: number }> = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line, number: index + 1 });
  });
  return lines;
}

/** The anchor GitHub gives a heading's text: lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a Markdown file, repeated headings numbered `-1`, `-2` as GitHub does. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The numbers of a Markdown file's numbered headings (`## 3. Events` → 3). */
function numberedSections(markdown: string): Set<number> {
  const numbers = new Set<number>();
  for (const { line } of proseLines(markdown)) {
    const number = /^#{1,6}\s+(\d+)\./.exec(line)?.[1];
    if (number !== undefined) numbers.add(Number(number));
  }
  return numbers;
}

function insideRepository(path: string): boolean {
  const fromRoot = relative(ROOT, path);
  return fromRoot !== '' && !fromRoot.startsWith(`..${sep}`) && fromRoot !== '..';
}

/** Problems with the document references in one source file's text. */
export function codeReferenceProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(URL, '');
    const where = `${relative(ROOT, file)}:${index + 1}`;
    if (/\.\.\/shared\b/.test(line)) problems.push(`${where} points into ../shared, outside the repository`);
    for (const match of line.matchAll(MD_REFERENCE)) {
      const [, , fragment, sections] = match;
      const reference = itemAt(match, 1);
      const candidates = [resolve(ROOT, reference), resolve(dirname(file), reference)].filter(insideRepository);
      const target = candidates.find((path) => existsSync(path) && statSync(path).isFile());
      if (target === undefined) {
        problems.push(`${where} cites ${reference}, which is not in the repository`);
        continue;
      }
      if (fragment !== undefined && !headingAnchors(readFileSync(target, 'utf8')).has(fragment.toLowerCase())) {
        problems.push(`${where} cites ${reference}#${fragment}, but ${reference} has no heading with that anchor`);
      }
      const wanted = [...(sections ?? '').matchAll(/\d+/g)].map(([number]) => Number(number));
      if (wanted.length === 0) continue;
      const present = numberedSections(readFileSync(target, 'utf8'));
      for (const number of wanted) {
        if (!present.has(number)) problems.push(`${where} cites ${reference} §${number}, which has no heading "${number}."`);
      }
    }
  });
  return problems;
}

/** The targets a line of Markdown links to: inline links and images, reference definitions, HTML href and src. */
function linkTargets(prose: string): string[] {
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)];
  const definition = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g)];
  const html = [...prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)];
  return [...inline, ...definition, ...html].map(([, target]) => target ?? '');
}

/** Problems with the relative links of one Markdown file. */
export function markdownLinkProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { line, number } of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const target of linkTargets(prose)) {
      const where = `${relative(ROOT, file)}:${number}`;
      // A file: link names a path on the writer's machine, which a reader of the repository does not have.
      if (/^file:/i.test(target)) {
        problems.push(`${where} links to ${target}, outside the repository`);
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
      const path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
      if (!insideRepository(path)) {
        problems.push(`${where} links to ${target}, outside the repository`);
        continue;
      }
      if (!existsSync(path)) {
        problems.push(`${where} links to ${target}, which does not exist`);
        continue;
      }
      if (fragment === undefined || !path.endsWith('.md')) continue;
      if (!headingAnchors(readFileSync(path, 'utf8')).has(decodeURIComponent(fragment).toLowerCase())) {
        problems.push(`${where} links to ${target}, but ${relative(ROOT, path)} has no heading with that anchor`);
      }
    }
  }
  return problems;
}

/** Repository paths a Markdown file names in backticks (`src/crm/phone-search.ts`) that do not exist. */
export function namedPathProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { line, number } of proseLines(text)) {
    for (const match of line.matchAll(/`((?:src|test|bin|bench|scripts|docs|deploy)\/[\w./-]*[\w/])`/g)) {
      const path = itemAt(match, 1);
      if (!existsSync(join(ROOT, path))) problems.push(`${relative(ROOT, file)}:${number} names ${path}, which is not in the repository`);
    }
  }
  return problems;
}

describe('document references', () => {
  test('every .md document a source, script or test file cites is in the repository, with the section it names', () => {
    const files = CODE_FOLDERS.flatMap((folder) => filesUnder(join(ROOT, folder), (path) => CODE_FILE.test(path) && relative(ROOT, path) !== THIS_FILE));
    assert.ok(files.length > 100, `expected the repository's source files, found ${files.length}`);
    const problems = files.flatMap((file) => codeReferenceProblems(file, readFileSync(file, 'utf8')));
    assert.deepEqual(problems, []);
  });

  test('every relative link in README.md and docs/ reaches a file in the repository, and a heading when it names one', () => {
    const files = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), (path) => path.endsWith('.md'))];
    const problems = files.flatMap((file) => markdownLinkProblems(file, readFileSync(file, 'utf8')));
    assert.deepEqual(problems, []);
  });

  test('every source path README.md and docs/ name in backticks exists', () => {
    const files = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), (path) => path.endsWith('.md'))];
    const problems = files.flatMap((file) => namedPathProblems(file, readFileSync(file, 'utf8')));
    assert.deepEqual(problems, []);
  });

  test('a citation of a team document that is not in the repository, or of a missing section, is reported', () => {
    const file = join(ROOT, 'src', 'example.ts');
    const problems = codeReferenceProblems(
      file,
      ['/** Loads the library (team-notes.md §1). */', '// see ../shared/docs/notes.md', '// (docs/cif-contract.md §99)', '// (docs/cif-contract.md §1 and §9)'].join('\n'),
    );
    assert.deepEqual(problems, [
      'src/example.ts:1 cites team-notes.md, which is not in the repository',
      'src/example.ts:2 points into ../shared, outside the repository',
      'src/example.ts:2 cites ../shared/docs/notes.md, which is not in the repository',
      'src/example.ts:3 cites docs/cif-contract.md §99, which has no heading "99."',
    ]);
  });

  test('a link that leaves the repository, misses its file or its heading is reported; web links are not checked', () => {
    const file = join(ROOT, 'docs', 'example.md');
    const text = [
      '[out](../../shared/docs/notes.md) [gone](missing.md) [web](https://learn.microsoft.com/x.md)',
      '[ok](dataverse.md#5-filter-functions-and-wildcards) [bad](dataverse.md#no-such-heading)',
      '```',
      '[in a code block](nowhere.md)',
      '```',
    ].join('\n');
    assert.deepEqual(markdownLinkProblems(file, text), [
      'docs/example.md:1 links to ../../shared/docs/notes.md, outside the repository',
      'docs/example.md:1 links to missing.md, which does not exist',
      'docs/example.md:2 links to dataverse.md#no-such-heading, but docs/dataverse.md has no heading with that anchor',
    ]);
  });

  test('reference-style links, HTML href and src, and file: links are checked as well', () => {
    const file = join(ROOT, 'docs', 'example.md');
    const text = [
      '[notes]: ../../shared/docs/notes.md',
      '[ok]: dataverse.md#9-errors',
      '<a href="missing.md">gone</a> <img src="images/no-such.png">',
      '[local copy](file:///home/me/callpane/docs/dataverse.md) [web](https://learn.microsoft.com/)',
    ].join('\n');
    assert.deepEqual(markdownLinkProblems(file, text), [
      'docs/example.md:1 links to ../../shared/docs/notes.md, outside the repository',
      'docs/example.md:3 links to missing.md, which does not exist',
      'docs/example.md:3 links to images/no-such.png, which does not exist',
      'docs/example.md:4 links to file:///home/me/callpane/docs/dataverse.md, outside the repository',
    ]);
  });

  test('a comment citing a document with a #fragment must find that heading there', () => {
    const file = join(ROOT, 'src', 'example.ts');
    const problems = codeReferenceProblems(file, ['// (docs/dataverse.md#9-errors)', '// (docs/dataverse.md#no-such-heading)'].join('\n'));
    assert.deepEqual(problems, ['src/example.ts:2 cites docs/dataverse.md#no-such-heading, but docs/dataverse.md has no heading with that anchor']);
  });

  test('a source path named in backticks that does not exist is reported', () => {
    const file = join(ROOT, 'docs', 'example.md');
    assert.deepEqual(namedPathProblems(file, 'See `src/crm/phone-search.ts` and `src/crm/no-such-file.ts`; `GET /api` is not a path.'), [
      'docs/example.md:1 names src/crm/no-such-file.ts, which is not in the repository',
    ]);
  });

  test('heading anchors follow GitHub: punctuation dropped, case folded, repeats numbered', () => {
    const anchors = headingAnchors(
      ['# Single sign-on (Entra ID and Google Workspace)', '## 2. Calls, arguments and answers', '### `setMode` and the panel', '## Recipes', '## Recipes'].join('\n'),
    );
    assert.deepEqual([...anchors], ['single-sign-on-entra-id-and-google-workspace', '2-calls-arguments-and-answers', 'setmode-and-the-panel', 'recipes', 'recipes-1']);
  });
});
