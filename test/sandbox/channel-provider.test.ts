import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callpaneChannelUrl, landingUrlProblem, trustedOrigins } from '../../src/sandbox/channel-provider.ts';

test('the Channel URL is the pane\'s /dyncrm with the org URL as base, as an administrator pastes it', () => {
  assert.equal(callpaneChannelUrl('http://localhost:8080/', 'http://127.0.0.1:8081'), 'http://localhost:8080/dyncrm?base=http://127.0.0.1:8081');
  assert.equal(callpaneChannelUrl('https://pbx.example.test', 'https://org1.crm.dynamics.com'), 'https://pbx.example.test/dyncrm?base=https://org1.crm.dynamics.com');
});

test('the host trusts the landing URL\'s origin and the Trusted Domain, written as a URL or a host name', () => {
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm?base=https://org' }), ['https://pbx.example.test']);
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm', trustedDomain: 'https://login.example.test/path' }), [
    'https://pbx.example.test',
    'https://login.example.test',
  ]);
  assert.deepEqual(trustedOrigins({ label: 'x', clickToAct: true, landingUrl: 'https://pbx.example.test/dyncrm', trustedDomain: 'sso.example.test' }), ['https://pbx.example.test', 'https://sso.example.test']);
});

test('like Dynamics, a landing URL must be HTTPS; plain HTTP only on loopback, where browsers treat it as secure', () => {
  for (const ok of ['https://pbx.example.test/dyncrm', 'http://localhost:8080/dyncrm', 'http://127.0.0.1:9/x', 'http://[::1]:8080/']) assert.equal(landingUrlProblem(ok), undefined, ok);
  assert.match(landingUrlProblem('http://192.168.1.5:8080/dyncrm') ?? '', /only over HTTPS; http:\/\/192\.168\.1\.5:8080 is not/);
  assert.match(landingUrlProblem('http://pbx.example.test/dyncrm') ?? '', /only over HTTPS/);
  assert.match(landingUrlProblem('/dyncrm') ?? '', /not an absolute URL/);
});
