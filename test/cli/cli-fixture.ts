/**
 * What the CLI tests share: the project's Node 24 and the `callpane` entry point, a scratch folder
 * per test file, and an environment without the developer's own CALLPANE_* settings (the test
 * runner's CALLPANE_TEST_* switches stay).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const CLI = join(ROOT, 'bin/callpane.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A folder made before this file's tests and removed after them; the getter names it. */
export function scratchDirectory(prefix: string): () => string {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** This process's environment less every CALLPANE_* variable but the test runner's own. */
export function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CALLPANE_') || name.startsWith('CALLPANE_TEST_')) env[name] = value;
  return env;
}
