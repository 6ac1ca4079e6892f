import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvOverrides } from '../../src/config/environment.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { configSchema } from '../../src/config/schema.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-trust-proxy-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): readonly string[] {
  return problemsOfRefused(() => loadConfig({ env, cwd: dir, interfaces: {} }));
}

function trustProxyOf(value: unknown): unknown {
  return configSchema.parse({ http: { trustProxy: value } }).http.trustProxy;
}

describe('http.trustProxy', () => {
  test('trusts no proxy by default', () => {
    assert.equal(configSchema.parse({}).http.trustProxy, false);
  });

  test('accepts a list of IPv4 and IPv6 addresses and CIDR blocks, written back in plain form', () => {
    assert.deepEqual(trustProxyOf(['127.0.0.1', '10.0.0.0/8', '2001:DB8:0:0::1', 'fd00::/8', '::ffff:192.0.2.0/120']), [
      '127.0.0.1',
      '10.0.0.0/8',
      '2001:db8::1',
      'fd00::/8',
      '192.0.2.0/24',
    ]);
  });

  test('a configuration with a list of proxies loads', () => {
    assert.doesNotThrow(() => loadConfig({ env: { CALLPANE_HTTP_TRUST_PROXY: '127.0.0.1, 10.1.0.0/16' }, cwd: dir, interfaces: {} }));
  });

  test('the variable reads a comma-separated list, and false as off', () => {
    assert.deepEqual(itemAt(readEnvOverrides({ CALLPANE_HTTP_TRUST_PROXY: '127.0.0.1, ::1 ,10.0.0.0/8' }), 0).value, ['127.0.0.1', '::1', '10.0.0.0/8']);
    assert.equal(itemAt(readEnvOverrides({ CALLPANE_HTTP_TRUST_PROXY: 'false' }), 0).value, false);
  });

  test('refuses garbage naming the key, its variable, the value and what is allowed', () => {
    const [line = '', ...rest] = problemsOf({ CALLPANE_HTTP_TRUST_PROXY: 'banana' });
    assert.deepEqual(rest, []);
    assert.match(line, /^http\.trustProxy \(CALLPANE_HTTP_TRUST_PROXY\) = "banana": must be false, or a non-empty list of the reverse proxies' IP addresses or CIDR blocks/);
    assert.match(line, /"banana" is not an IPv4 or IPv6 address/);
  });

  test('refuses true, because anyone could then forge X-Forwarded-For', () => {
    const line = itemAt(problemsOf({ CALLPANE_HTTP_TRUST_PROXY: 'true' }), 0);
    assert.match(line, /^http\.trustProxy \(CALLPANE_HTTP_TRUST_PROXY\) = "true": must be false, or a non-empty list .*never true: anyone could then forge X-Forwarded-For/);
    assert.equal(configSchema.safeParse({ http: { trustProxy: true } }).success, false);
  });

  test('refuses a block of every address, which is true by another name', () => {
    for (const block of ['0.0.0.0/0', '::/0']) {
      const line = itemAt(problemsOf({ CALLPANE_HTTP_TRUST_PROXY: block }), 0);
      assert.match(line, new RegExp(`"${block.replace(/[./]/g, '\\$&')}" is every address`), line);
    }
  });

  test('refuses blocks wider than any private range, which together cover everyone as well', () => {
    for (const [block, widest] of [
      ['0.0.0.0/1', 8],
      ['128.0.0.0/7', 8],
      ['2000::/3', 7],
    ] as const) {
      const line = itemAt(problemsOf({ CALLPANE_HTTP_TRUST_PROXY: block }), 0);
      assert.match(line, new RegExp(`"${block.replace(/[./]/g, '\\$&')}" is wider than /${widest}`), line);
    }
    assert.equal(configSchema.safeParse({ http: { trustProxy: ['10.0.0.0/8', 'fc00::/7'] } }).success, true);
  });

  test('refuses a block with host bits set, naming the block that was probably meant', () => {
    const line = itemAt(problemsOf({ CALLPANE_HTTP_TRUST_PROXY: '127.0.0.1,10.0.0.1/8' }), 0);
    assert.match(line, /"10\.0\.0\.1\/8" has bits set past the \/8 prefix \(did you mean 10\.0\.0\.0\/8\?\)/);
  });

  test('refuses an empty list and a single string in the file', () => {
    assert.equal(configSchema.safeParse({ http: { trustProxy: [] } }).success, false);
    assert.equal(configSchema.safeParse({ http: { trustProxy: '127.0.0.1' } }).success, false);
  });
});
