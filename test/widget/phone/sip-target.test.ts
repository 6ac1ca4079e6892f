import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sipDomain, sipTarget, sipUser } from '../../../src/widget/phone/sip-target.ts';

describe('SIP targets', () => {
  test('a number becomes a SIP URI on the PBX domain with # escaped', () => {
    assert.equal(sipTarget('+49 30 123', 'pbx.example.com'), 'sip:+4930123@pbx.example.com');
    assert.equal(sipTarget('*97#', 'pbx.example.com'), 'sip:*97%23@pbx.example.com');
    assert.equal(sipTarget('1002', 'localhost:8080'), 'sip:1002@localhost:8080');
  });

  test('nothing dialable gives no target', () => {
    assert.equal(sipTarget('abc', 'pbx.example.com'), undefined);
    assert.equal(sipTarget('+', 'pbx.example.com'), undefined);
  });

  test('a SIP URI is kept only when it points at the PBX itself', () => {
    assert.equal(sipTarget('sip:1002@pbx.example.com', 'pbx.example.com'), 'sip:1002@pbx.example.com');
    assert.equal(sipTarget('sip:victim@elsewhere.example', 'pbx.example.com'), undefined);
  });

  test('the domain and user of a SIP URI are read', () => {
    assert.equal(sipDomain('sip:1001@pbx.example.com;transport=ws'), 'pbx.example.com');
    assert.equal(sipUser('sip:%2B4930123@pbx.example.com'), '+4930123');
    assert.equal(sipUser('sip:pbx.example.com'), '');
  });
});
