import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BencodeError, decode, encode } from '../../../src/media/ng/bencode.ts';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('bencode', () => {
  it('encodes strings, integers, lists and dictionaries as BEP 3 spells them', () => {
    assert.equal(encode('spam').toString(), '4:spam');
    assert.equal(encode('').toString(), '0:');
    assert.equal(encode(Buffer.from([0, 255])).toString('latin1'), '2:\u0000\u00ff');
    assert.equal(encode(3).toString(), 'i3e');
    assert.equal(encode(-3).toString(), 'i-3e');
    assert.equal(encode(0).toString(), 'i0e');
    assert.equal(encode(['spam', 'eggs']).toString(), 'l4:spam4:eggse');
    assert.equal(encode({ cow: 'moo', spam: 'eggs' }).toString(), 'd3:cow3:moo4:spam4:eggse');
    assert.equal(encode({ spam: ['a', 'b'] }).toString(), 'd4:spaml1:a1:bee');
  });

  it('writes a UTF-8 string with its length in bytes, not characters', () => {
    assert.equal(encode('é').toString('utf8'), '2:é');
  });

  it('sorts dictionary keys by their raw bytes and leaves out undefined values', () => {
    assert.equal(encode({ zeta: 1, 'a-b': 2, Z: 3, ab: 4, skipped: undefined }).toString(), 'd1:Zi3e3:a-bi2e2:abi4e4:zetai1ee');
  });

  it('encodes the ng ping exactly as rtpengine expects it', () => {
    assert.equal(encode({ command: 'ping' }).toString(), 'd7:command4:pinge');
  });

  it('refuses to encode what bencode cannot carry', () => {
    assert.throws(() => encode(1.5), BencodeError);
    assert.throws(() => encode(2 ** 60), BencodeError);
    assert.throws(() => encode(null as never), /cannot encode a value of type null/);
    assert.throws(() => encode(true as never), /cannot encode a value of type boolean/);
  });

  it('decodes byte strings to Buffers, integers, lists and unsorted dictionaries', () => {
    assert.deepEqual(decode(b('4:spam')), Buffer.from('spam'));
    assert.deepEqual(decode(b('i-42e')), -42);
    assert.deepEqual(decode(b('le')), []);
    const reply = decode(b('d6:result2:ok3:sdp3:v=08:warningsli1eee'));
    assert.deepEqual({ ...(reply as object) }, { result: Buffer.from('ok'), sdp: Buffer.from('v=0'), warnings: [1] });
    // rtpengine writes keys in insertion order: "result" before "created".
    const unsorted = decode(b('d6:result2:ok7:createdi1ee')) as Record<string, unknown>;
    assert.equal(unsorted.created, 1);
  });

  it('round-trips nested values', () => {
    const value = { calls: [Buffer.from('a@b'), Buffer.from('c')], totals: { RTP: { packets: 602, bytes: 103544 } } };
    const decoded = decode(encode(value));
    assert.deepEqual(encode(decoded as never), encode(value));
  });

  it('keeps a "__proto__" key as data, never as the prototype', () => {
    const decoded = decode(b('d9:__proto__d1:xi1eee')) as Record<string, unknown>;
    assert.ok(Object.hasOwn(decoded, '__proto__'));
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  const malformed: Array<[string, string | Buffer, RegExp]> = [
    ['empty input', '', /byte 0: unexpected end of input/],
    ['an integer with a leading zero', 'i03e', /invalid integer "03"/],
    ['minus zero', 'i-0e', /invalid integer "-0"/],
    ['an integer without digits', 'ie', /invalid integer ""/],
    ['an unterminated integer', 'i12', /unterminated integer/],
    ['an integer beyond 2^53', 'i9007199254740993e', /beyond/],
    ['a string length with a leading zero', '04:spam', /invalid byte string length "04"/],
    ['a string longer than the input', '10:spam', /runs past the end/],
    ['a string without a colon', '4spam', /without ":"/],
    ['an unterminated list', 'l4:spam', /unexpected end of input/],
    ['an unterminated dictionary', 'd3:cowi1e', /unterminated dictionary/],
    ['a dictionary key that is not a string', 'di1ei2ee', /key is not a byte string/],
    ['a duplicate dictionary key', 'd1:ai1e1:ai2ee', /byte 7: duplicate dictionary key "a"/],
    ['trailing bytes', 'i1ei2e', /3 trailing byte\(s\)/],
    ['an unknown type byte', 'x', /unexpected byte 0x78/],
    ['nesting deeper than 32', 'l'.repeat(40) + 'e'.repeat(40), /nesting deeper than 32/],
  ];
  for (const [what, input, message] of malformed) {
    it(`rejects ${what} with an error naming the offset`, () => {
      assert.throws(
        () => decode(Buffer.isBuffer(input) ? input : b(input)),
        (error: unknown) => {
          assert.ok(error instanceof BencodeError);
          assert.match(error.message, /^bencode: malformed input at byte \d+: /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
