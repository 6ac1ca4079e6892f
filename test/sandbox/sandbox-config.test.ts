import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent-callpane-dir', interfaces: {} });

function problems(env: Record<string, string>): readonly string[] {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
}

test('the sandbox runs by default on 127.0.0.1:8081, another site than the pane on localhost:8080', () => {
  assert.deepEqual(load({}).sandbox, { enabled: true, host: '127.0.0.1', port: 8081, paneUrl: undefined });
});

test('CALLPANE_SANDBOX_PORT, _HOST, _ENABLED and _PANE_URL set it from the environment', () => {
  const config = load({ CALLPANE_SANDBOX_PORT: '9181', CALLPANE_SANDBOX_HOST: '::1', CALLPANE_SANDBOX_ENABLED: '0', CALLPANE_SANDBOX_PANE_URL: 'https://pbx.example.test/' });
  assert.deepEqual(config.sandbox, { enabled: false, host: '::1', port: 9181, paneUrl: 'https://pbx.example.test' });
});

test('a sandbox port equal to the HTTP port is refused while the sandbox is on', () => {
  assert.ok(problems({ CALLPANE_SANDBOX_PORT: '8080' }).some((line) => /^sandbox\.port \(CALLPANE_SANDBOX_PORT\) = "8080": must differ from http\.port \(8080\)/.test(line)));
  assert.equal(load({ CALLPANE_SANDBOX_PORT: '8080', CALLPANE_SANDBOX_ENABLED: 'false' }).sandbox.port, 8080);
});

test('bad sandbox values name their variable', () => {
  const lines = problems({ CALLPANE_SANDBOX_PORT: 'x', CALLPANE_SANDBOX_PANE_URL: 'ftp://pane', CALLPANE_SANDBOX_ENABLED: 'maybe' });
  assert.ok(
    lines.some((line) => line.startsWith('sandbox.port (CALLPANE_SANDBOX_PORT) = "x": must be an integer')),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) => line.startsWith('sandbox.paneUrl (CALLPANE_SANDBOX_PANE_URL) = "ftp://pane": must be an absolute http')),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) => line.startsWith('sandbox.enabled (CALLPANE_SANDBOX_ENABLED) = "maybe": must be true or false')),
    lines.join('\n'),
  );
});
