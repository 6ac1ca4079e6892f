import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/server/logger.ts';
import { createApiFixture, PASSWORDS, type ApiFixture } from '../api/api-fixture.ts';
import { itemAt } from '../../support/item-at.ts';

let api: ApiFixture;
let lines: Record<string, unknown>[];

beforeEach(async () => {
  lines = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  api = await createApiFixture({
    logger: createLogger({ level: 'info', pretty: false, destination }),
    sessions: { loginFailurePolicy: { limit: 3, windowMs: 60_000, banMs: 60_000 } },
  });
});
afterEach(() => api.close());

function login(login: string, password: string, remoteAddress = '192.0.2.10') {
  return api.http.app.inject({ method: 'POST', url: '/api/session', payload: { login, password }, remoteAddress });
}

const audits = () => lines.filter((line) => line.event === 'login');

test('a success is audited at info with the login, the address and the extension', async () => {
  await login('  alice@example.com ', PASSWORDS['1001']);
  const line = itemAt(audits(), 0);
  assert.equal(line.level, 30);
  assert.deepEqual(
    { event: line.event, outcome: line.outcome, login: line.login, address: line.address, reason: line.reason, extension: line.extension },
    { event: 'login', outcome: 'success', login: 'alice@example.com', address: '192.0.2.10', reason: 'password-accepted', extension: '1001' },
  );
});

test('every failure is audited at warn with its reason, locks included', async () => {
  await login('1001', 'wrong-1');
  await login('1999', 'wrong-2');
  await login('1001', 'wrong-3');
  await login('1001', PASSWORDS['1001']);
  assert.deepEqual(
    audits().map((line) => [line.level, line.outcome, line.login, line.address, line.reason]),
    [
      [40, 'failure', '1001', '192.0.2.10', 'wrong-password'],
      [40, 'failure', '1999', '192.0.2.10', 'unknown-login'],
      [40, 'failure', '1001', '192.0.2.10', 'address-limited'],
      [40, 'failure', '1001', '192.0.2.10', 'address-limited'],
    ],
  );
});

test('no audit line holds the password or the token, and the typed login is cut at 64 characters', async () => {
  const long = `${'x'.repeat(100)}@example.com`;
  await login(long, 'secret-guess-1');
  const response = await login('1001', PASSWORDS['1001'], '192.0.2.11');
  const token = response.json().token as string;
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  for (const secret of ['secret-guess-1', PASSWORDS['1001'], token]) assert.ok(!text.includes(secret), `the log holds ${secret}`);
  assert.equal(itemAt(audits(), 0).login, long.slice(0, 64));
});
