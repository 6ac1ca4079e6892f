import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { DYNAMICS_ORIGIN_PATTERNS } from '../../src/server/pane/crm-origin.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-config-crm-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(options: LoadConfigOptions = {}) {
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, ...options });
}

function fileWith(value: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function problemsOf(options: LoadConfigOptions): readonly string[] {
  return problemsOfRefused(() => load(options));
}

test('by default the pane may be framed by Dynamics 365 in every cloud and reads numbers as US ones', () => {
  assert.deepEqual(load().crm, { allowedOrigins: [...DYNAMICS_ORIGIN_PATTERNS], defaultRegion: 'US' });
});

test('allowed origins and the region come from the file or from variables', () => {
  const fromFile = load({ argvConfigPath: fileWith({ crm: { allowedOrigins: ['https://*.crm4.dynamics.com', 'https://crm.example.test:8443'], defaultRegion: 'DE' } }) });
  assert.deepEqual(fromFile.crm, { allowedOrigins: ['https://*.crm4.dynamics.com', 'https://crm.example.test:8443'], defaultRegion: 'DE' });

  const fromEnv = load({ env: { CALLPANE_CRM_ALLOWED_ORIGINS: 'https://*.crm.dynamics.com, http://127.0.0.1:9000', CALLPANE_CRM_DEFAULT_REGION: 'CN' } });
  assert.deepEqual(fromEnv.crm, { allowedOrigins: ['https://*.crm.dynamics.com', 'http://127.0.0.1:9000'], defaultRegion: 'CN' });
});

test('a malformed origin pattern is refused at load, naming the key and why', () => {
  for (const bad of ['*.crm.dynamics.com', 'https://*.crm.dynamics.com/path', 'ftp://crm.example.test', 'https://org.*.dynamics.com', 'https://a..b']) {
    const problems = problemsOf({ argvConfigPath: fileWith({ crm: { allowedOrigins: ['https://*.crm.dynamics.com', bad] } }) });
    assert.equal(problems.length, 1, bad);
    assert.match(itemAt(problems, 0), /^crm\.allowedOrigins \(CALLPANE_CRM_ALLOWED_ORIGINS\) = .*: must be a non-empty list of origin patterns/, bad);
  }
  assert.match(itemAt(problemsOf({ env: { CALLPANE_CRM_ALLOWED_ORIGINS: 'javascript:alert(1)' } }), 0), /is not an origin pattern/);
});

test('an empty list of origins and a region that is not a country code are refused', () => {
  assert.match(itemAt(problemsOf({ argvConfigPath: fileWith({ crm: { allowedOrigins: [] } }) }), 0), /^crm\.allowedOrigins .*: must be a non-empty list/);
  for (const region of ['us', 'USA', 'XX', '']) {
    const problems = problemsOf({ argvConfigPath: fileWith({ crm: { defaultRegion: region } }) });
    assert.match(itemAt(problems, 0), /^crm\.defaultRegion \(CALLPANE_CRM_DEFAULT_REGION\) = .*: must be an ISO 3166-1 alpha-2 country code/, region);
  }
});
