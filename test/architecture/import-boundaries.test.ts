/**
 * The layers' dependencies point one way: server → pbx → sip, store below both, media below the
 * PBX, crm pure, the widget on the server's public API only — the pure contract in src/contract/
 * is all the pane and the server share. Read from the import statements of
 * every source file, so a new import across a boundary fails here before it settles in.
 */
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { itemAt } from '../support/item-at.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

interface Import {
  /** The importing file, relative to src/. */
  file: string;
  /** What it imports: `node:fs`, a package name, or a file relative to src/ (`pbx/proxy/proxy.ts`). */
  target: string;
  /** `import type …` / `export type … from`: erased, so no code of the target runs. */
  typeOnly: boolean;
}

const STATEMENT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    const target = specifier.startsWith('.') ? relative(SRC, resolve(dirname(join(SRC, file)), specifier)) : specifier;
    found.push({ file, target, typeOnly });
  };
  for (const match of text.matchAll(STATEMENT)) add(itemAt(match, 3), match[2] !== undefined);
  for (const match of text.matchAll(DYNAMIC)) add(itemAt(match, 1), false);
  return found;
}

const ALL: Import[] = globSync('**/*.ts', { cwd: SRC }).sort().flatMap(importsOf);

const layer = (path: string) => itemAt(path.split('/'), 0);
const isFile = (target: string) => target.endsWith('.ts');
/** The neutral base of every layer's errors (src/errors/), which imports nothing itself. */
const isErrorBase = (target: string) => layer(target) === 'errors';

/** Every import of files in `from` that breaks `allowed` (the error base is allowed everywhere), as `file → target` lines. */
function violations(from: string, allowed: (target: Import) => boolean): string[] {
  return ALL.filter((entry) => layer(entry.file) === from && !isErrorBase(entry.target) && !allowed(entry)).map((entry) => `${entry.file} → ${entry.target}`);
}

describe('the layers of src/', () => {
  test('sip/ imports nothing above it: only itself, the neutral net/ helpers and error base, Node and packages', () => {
    assert.deepEqual(
      violations('sip', ({ target }) => !isFile(target) || ['sip', 'net'].includes(layer(target))),
      [],
    );
  });

  test('pbx/ never imports the web server, the application, the widget or the sandbox', () => {
    assert.deepEqual(
      violations('pbx', ({ target }) => !isFile(target) || !['server', 'app.ts', 'widget', 'sandbox', 'cli'].includes(layer(target))),
      [],
    );
  });

  test('media/ knows SDP and rtpengine, not the PBX or the web server', () => {
    assert.deepEqual(
      violations('media', ({ target }) => !isFile(target) || !['pbx', 'server', 'app.ts', 'widget', 'sandbox', 'cli'].includes(layer(target))),
      [],
    );
  });

  test('store/ is below the PBX and the server', () => {
    assert.deepEqual(
      violations('store', ({ target }) => !isFile(target) || !['pbx', 'server', 'media', 'app.ts', 'widget', 'sandbox', 'cli'].includes(layer(target))),
      [],
    );
  });

  test('crm/ is pure: no Node module, no other layer but the contract, no network', () => {
    assert.deepEqual(
      violations('crm', ({ target }) => !target.startsWith('node:') && (!isFile(target) || ['crm', 'contract'].includes(layer(target)))),
      [],
    );
    const io = globSync('crm/**/*.ts', { cwd: SRC }).filter((file) => /\b(fetch|XMLHttpRequest|WebSocket)\s*\(/.test(readFileSync(join(SRC, file), 'utf8')));
    assert.deepEqual(io, []);
  });

  test('the widget imports only the widget, crm/, the contract and browser packages: not even a type from the server, the store or the PBX', () => {
    assert.deepEqual(
      violations('widget', (entry) => (!isFile(entry.target) && !entry.target.startsWith('node:')) || ['widget', 'crm', 'contract'].includes(layer(entry.target))),
      [],
    );
  });

  test('dynamics/ (the server-side Dataverse path) never imports the web server, the PBX, the application, the widget or the sandbox', () => {
    assert.deepEqual(
      violations('dynamics', ({ target }) => !isFile(target) || !['server', 'pbx', 'app.ts', 'widget', 'sandbox', 'cli', 'media', 'sip'].includes(layer(target))),
      [],
    );
  });

  test('the contract is pure: it imports only itself and types of the pure crm/, no Node module, no package, and does no I/O', () => {
    assert.deepEqual(
      violations('contract', ({ target, typeOnly }) => isFile(target) && (layer(target) === 'contract' || (typeOnly && layer(target) === 'crm'))),
      [],
    );
    const io = globSync('contract/**/*.ts', { cwd: SRC }).filter((file) => /\b(fetch|XMLHttpRequest|WebSocket)\s*\(/.test(readFileSync(join(SRC, file), 'utf8')));
    assert.deepEqual(io, []);
  });

  test('the neutral helpers in net/ and logging/ import only Node and each other', () => {
    for (const neutral of ['net', 'logging']) {
      assert.deepEqual(
        violations(neutral, ({ target }) => !isFile(target) || ['net', 'logging'].includes(layer(target))),
        [],
        neutral,
      );
    }
  });

  test('the error base in errors/ imports nothing, so every layer may build on it', () => {
    assert.deepEqual(
      ALL.filter((entry) => layer(entry.file) === 'errors' && !isErrorBase(entry.target)).map((entry) => `${entry.file} → ${entry.target}`),
      [],
    );
  });

  test('the check reads the imports it judges', () => {
    // A guard for the reader above: it must see real edges, or every rule would pass vacuously.
    assert.ok(ALL.some((entry) => entry.file === 'pbx/sip-service.ts' && entry.target === 'sip/transport/index.ts'));
    assert.ok(ALL.some((entry) => entry.file === 'app.ts' && entry.target === 'server/http-server.ts'));
    assert.ok(ALL.some((entry) => entry.file.startsWith('widget/') && entry.typeOnly));
    assert.ok(ALL.some((entry) => entry.file.startsWith('widget/') && layer(entry.target) === 'contract'));
  });
});
