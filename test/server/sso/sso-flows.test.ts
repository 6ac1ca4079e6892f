import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingFrom, FLOW_LIFETIME_MS, MAX_PENDING_FLOWS, SsoFlows } from '../../../src/server/sso/sso-flows.ts';

const FLOW = { providerId: 'entra', codeVerifier: 'verifier', nonce: 'nonce', handoff: 'h', redirectUri: 'https://pbx.example.com/dyncrm/login' };

test('a flow is handed out once, to the browser that started it', () => {
  const flows = new SsoFlows();
  flows.start('state-1', 'binding-1', FLOW);
  assert.deepEqual(flows.take('state-1', 'binding-1'), FLOW);
  assert.equal(flows.take('state-1', 'binding-1'), undefined);
});

test("another browser's binding spends the flow without getting it", () => {
  const flows = new SsoFlows();
  flows.start('state-1', 'binding-1', FLOW);
  assert.equal(flows.take('state-1', 'binding-2'), undefined);
  assert.equal(flows.take('state-1', 'binding-1'), undefined);
});

test('a flow older than its lifetime is refused', () => {
  let now = 1_000_000;
  const flows = new SsoFlows(() => now);
  flows.start('state-1', 'binding-1', FLOW);
  now += FLOW_LIFETIME_MS;
  assert.equal(flows.take('state-1', 'binding-1'), undefined);
});

test('abandoned flows never exceed the bound: the oldest makes room', () => {
  const flows = new SsoFlows();
  for (let index = 0; index <= MAX_PENDING_FLOWS; index++) flows.start(`state-${index}`, 'binding', FLOW);
  assert.equal(flows.size, MAX_PENDING_FLOWS);
  assert.equal(flows.take('state-0', 'binding'), undefined);
  assert.deepEqual(flows.take(`state-${MAX_PENDING_FLOWS}`, 'binding'), FLOW);
});

test('the binding is read from its own cookie among others', () => {
  assert.equal(bindingFrom('a=1; callpane_sso=abc; callpane_session=x'), 'abc');
  assert.equal(bindingFrom('callpane_sso='), undefined);
  assert.equal(bindingFrom(undefined), undefined);
});
