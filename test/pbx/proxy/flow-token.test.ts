import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowTokens, type FlowTarget } from '../../../src/pbx/proxy/flow-token.ts';

const PHONE: FlowTarget = { transport: 'TCP', address: '192.168.1.5', port: 40000, flowId: 'tcp:10.0.0.1:5060>192.168.1.5:40000#12', cseqOffset: 1 };
const CALLED_TRUNK: FlowTarget = {
  transport: 'UDP',
  address: '203.0.113.7',
  port: 5060,
  trunk: { called: { from: '<sip:+14155550199@pbx.example>', to: '<sip:+14155550123@203.0.113.7>' } },
};

describe('flow tokens', () => {
  it('name the leg they were made for, and nothing in them can be read without the key', () => {
    const tokens = new FlowTokens();
    const token = tokens.encode(PHONE);
    assert.deepEqual(tokens.decode(token), PHONE);
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'URL-safe, unreserved in a SIP user part');
    const readable = Buffer.from(token, 'base64url').toString('latin1');
    for (const secret of ['192.168.1.5', '40000', 'TCP', '#12']) assert.ok(!readable.includes(secret), `the token shows ${secret}`);
  });

  it('keep what a trunk we called was shown, and say which legs are trunks', () => {
    const tokens = new FlowTokens();
    assert.deepEqual(tokens.decode(tokens.encode(CALLED_TRUNK)), { ...CALLED_TRUNK, flowId: undefined, cseqOffset: undefined });
    assert.deepEqual(tokens.decode(tokens.encode({ ...PHONE, trunk: {} }))?.trunk, {});
    assert.equal(tokens.decode(tokens.encode(PHONE))?.trunk, undefined);
  });

  it('refuse a token altered in one character, made under another key, or of another kind', () => {
    const tokens = new FlowTokens();
    const token = tokens.encode(PHONE);
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    assert.equal(tokens.decode(flipped), undefined);
    assert.equal(new FlowTokens().decode(token), undefined);
    assert.equal(tokens.decode(tokens.encodeContact('sip:1001@192.168.1.5:5060')), undefined, 'a Contact token routes nowhere');
    assert.equal(tokens.decodeContact(token), undefined);
    assert.equal(tokens.decode('not a token!'), undefined);
  });

  it('carry a phone Contact URI sealed', () => {
    const tokens = new FlowTokens();
    const token = tokens.encodeContact('sip:1001@192.168.1.5:5060;transport=tcp');
    assert.equal(tokens.decodeContact(token), 'sip:1001@192.168.1.5:5060;transport=tcp');
    assert.ok(!Buffer.from(token, 'base64url').toString('latin1').includes('1001'));
  });

  it('hide a Call-ID as the same word every time and reveal only their own', () => {
    const tokens = new FlowTokens();
    const hidden = tokens.hideCallId('a84b4c76e66710@192.168.1.5');
    assert.equal(tokens.hideCallId('a84b4c76e66710@192.168.1.5'), hidden, 'a trunk keys its dialog by it');
    assert.notEqual(tokens.hideCallId('a84b4c76e66710@192.168.1.6'), hidden);
    assert.match(hidden, /^[A-Za-z0-9_-]+$/, 'a Call-ID word (RFC 3261 §25.1)');
    assert.ok(!Buffer.from(hidden, 'base64url').toString('latin1').includes('192.168'));
    assert.equal(tokens.revealCallId(hidden), 'a84b4c76e66710@192.168.1.5');
    assert.equal(tokens.revealCallId('carrier-call-1@203.0.113.7'), undefined, "a trunk's own Call-ID stays as it is");
    assert.equal(tokens.revealCallId(tokens.encodeContact('sip:x@y')), undefined);
  });
});
