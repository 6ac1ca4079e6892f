import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { routeInbound } from '../../src/pbx/routing/inbound-router.ts';
import { routeOutbound } from '../../src/pbx/routing/outbound-router.ts';
import { itemAt } from '../support/item-at.ts';

const DOC = resolve(import.meta.dirname, '../../docs/pbx-trunks.md');

let dir: string;
let fileCount = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-trunks-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function withFile(value: unknown, options: LoadConfigOptions = {}) {
  const path = join(dir, `config-${++fileCount}.json`);
  writeFileSync(path, JSON.stringify(value));
  return loadConfig({ env: {}, cwd: dir, interfaces: {}, argvConfigPath: path, ...options });
}

function problemsOf(value: unknown, options: LoadConfigOptions = {}): readonly string[] {
  try {
    withFile(value, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const carrier = { name: 'carrier', host: 'sip.carrier.example', match: { addresses: ['203.0.113.0/24'] } };

describe('defaults', () => {
  test('no trunks and no routes, so the demo runs without any', () => {
    const config = loadConfig({ env: {}, cwd: dir, interfaces: {} });
    assert.deepEqual(config.trunks, []);
    assert.deepEqual(config.routes, { inbound: [], outbound: [], callerIds: {} });
  });

  test('a trunk gets UDP on 5060, or 5061 when it uses TLS', () => {
    const config = withFile({ trunks: [carrier, { ...carrier, name: 'secure', transport: 'tls' }, { ...carrier, name: 'custom', port: 5080 }] });
    assert.deepEqual(
      config.trunks.map((trunk) => [trunk.name, trunk.transport, trunk.port]),
      [
        ['carrier', 'udp', 5060],
        ['secure', 'tls', 5061],
        ['custom', 'udp', 5080],
      ],
    );
  });
});

describe('the example in docs/pbx-trunks.md', () => {
  function example() {
    const json = /```json\n([\s\S]*?)\n```/.exec(readFileSync(DOC, 'utf8'))?.[1];
    assert.ok(json, 'the doc has a json example');
    return withFile(JSON.parse(json));
  }

  test('loads as written', () => {
    const config = example();
    assert.ok(config.trunks.length >= 2);
    assert.ok(config.routes.inbound.length > 0 && config.routes.outbound.length > 0);
    assert.ok(config.trunks.some((trunk) => trunk.match.addresses) && config.trunks.some((trunk) => trunk.match.username));
  });

  test('routes the calls the doc walks through as it says', () => {
    const { trunks, routes } = example();
    const national = routeOutbound(routes, trunks, '030 1234567', '1002');
    assert.deepEqual([national?.trunk.name, national?.number, national?.callerId], ['carrier', '+49301234567', '+493012345620']);
    assert.equal(routeOutbound(routes, trunks, '0044 20 7946 0000', '1002')?.number, '+442079460000');
    const office = routeOutbound(routes, trunks, '8123', '1002');
    assert.deepEqual([office?.trunk.name, office?.number], ['office-pbx', '123']);
    assert.equal(routeInbound(routes, '+49 30 1234 5612')?.extension, '1001');
    assert.equal(routeInbound(routes, '+493012345677')?.extension, '1000');
  });
});

describe('problems', () => {
  test('name the list item, the value and what is allowed', () => {
    assert.deepEqual(problemsOf({ trunks: [carrier, { ...carrier, name: 'Bad Name' }] }), [
      'trunks[1].name = "Bad Name": must be a name of 1 to 63 characters a-z, 0-9 and - (not first)',
    ]);
  });

  test('a trunk without match is refused unless it registers, naming what identifies a trunk', () => {
    assert.deepEqual(problemsOf({ trunks: [{ name: 'x', host: 'h.example' }] }), [
      'trunks[0].match = (not set): must name addresses, or a username and password, or both (or the trunk must register): otherwise nothing identifies the trunk',
    ]);
  });

  test('a bad CIDR is refused with the item and the block probably meant', () => {
    assert.deepEqual(problemsOf({ trunks: [{ ...carrier, match: { addresses: ['203.0.113.0/24', '198.51.100.7/24'] } }] }), [
      'trunks[0].match.addresses[1] = "198.51.100.7/24": must be an IP address or CIDR block such as 192.0.2.10, 192.0.2.0/24 or 2001:db8::/32: has bits set past the /24 prefix (did you mean 198.51.100.0/24?)',
    ]);
    assert.match(
      itemAt(problemsOf({ trunks: [{ ...carrier, match: { addresses: ['carrier.example'] } }] }), 0),
      /^trunks\[0\]\.match\.addresses\[0\] = "carrier\.example": .*is not an IPv4 or IPv6 address/,
    );
    assert.match(itemAt(problemsOf({ trunks: [{ ...carrier, match: { addresses: [] } }] }), 0), /^trunks\[0\]\.match\.addresses = \[\]: must be a non-empty list/);
  });

  test('a bad country is refused', () => {
    assert.deepEqual(problemsOf({ trunks: [{ ...carrier, country: 'Germany' }] }), [
      'trunks[0].country = "Germany": must be an ISO 3166-1 alpha-2 country code in capitals, such as US or DE',
    ]);
    assert.equal(problemsOf({ trunks: [{ ...carrier, country: 'de' }] }).length, 1);
  });

  test('duplicate trunk names are refused', () => {
    assert.deepEqual(problemsOf({ trunks: [carrier, carrier] }), ['trunks[1].name = "carrier": must be unique: trunks[0] has the same name']);
  });

  test('an outbound route naming an unknown trunk is refused', () => {
    assert.deepEqual(problemsOf({ trunks: [carrier], routes: { outbound: [{ pattern: '_0.', trunk: 'carier', strip: 1 }] } }), [
      'routes.outbound[0].trunk = "carier": must name one of carrier',
    ]);
  });

  test('a bad dial pattern is refused saying what and where', () => {
    assert.deepEqual(problemsOf({ trunks: [carrier], routes: { outbound: [{ pattern: '_0[1-9.', trunk: 'carrier' }] } }), [
      'routes.outbound[0].pattern = "_0[1-9.": must be a number such as 911 or a dial pattern starting with _ (see docs/pbx-trunks.md): "." at position 7 is not allowed in a [set] (digits, ranges such as 2-5, * and #)',
    ]);
    assert.match(
      itemAt(problemsOf({ routes: { inbound: [{ did: '+49 30 1234', extension: '1001' }] } }), 0),
      /^routes\.inbound\[0\]\.did = "\+49 30 1234": must be a number such as \+493012345600 .*" " at position 4/,
    );
  });

  test('a route that can never match is refused', () => {
    assert.deepEqual(
      problemsOf({
        routes: {
          inbound: [
            { did: '_X.', extension: '1001' },
            { did: '+4930', extension: '1002' },
          ],
        },
      }),
      ['routes.inbound[1].did = "+4930": can never match: routes.inbound[0] ("_X.") comes first and matches every number this one does'],
    );
  });

  test('inbound routes must ring an extension number', () => {
    assert.deepEqual(problemsOf({ routes: { inbound: [{ did: '+4930', extension: 'alice' }] } }), [
      'routes.inbound[0].extension = "alice": must be an extension number (2 to 10 digits)',
    ]);
  });

  test('caller ids are keyed by extension number and hold numbers', () => {
    assert.deepEqual(problemsOf({ routes: { callerIds: { alice: '+4930', '1001': '+49 30' } } }), [
      'routes.callerIds["1001"] = "+49 30": must be a number of digits, * and # with an optional leading +, such as +4930123456',
      'routes.callerIds.alice = "+4930": the key must be an extension number (2 to 10 digits)',
    ]);
  });

  test('strip and prepend must leave a dialable number', () => {
    assert.deepEqual(problemsOf({ trunks: [carrier], routes: { outbound: [{ pattern: '_0XX', trunk: 'carrier', strip: 3 }] } }), [
      'routes.outbound[0].strip = 3: must leave something to dial: "_0XX" matches numbers as short as 3 characters',
    ]);
  });

  test('shape problems and cross-entry problems are each reported in one go', () => {
    assert.equal(problemsOf({ trunks: [{ ...carrier, port: 0, transport: 'sctp', maxCalls: -1 }] }).length, 3);
    assert.equal(problemsOf({ trunks: [carrier, carrier, { ...carrier, name: 'other', host: undefined }], routes: { outbound: [{ pattern: '1', trunk: 'x' }] } }).length, 3);
  });
});

describe('secrets', () => {
  const password = 'hunter2-trunk-secret';

  test('a refused password is never shown', () => {
    const problems = problemsOf({ trunks: [{ ...carrier, outbound: { username: 'acct', password: 'x'.repeat(300) + password } }] });
    assert.equal(problems.length, 1);
    assert.equal(problems[0], 'trunks[0].outbound.password = "[redacted]": must be a non-empty string of at most 256 characters');
  });

  test('a misspelt password key is refused without showing its value', () => {
    const problems = problemsOf({ trunks: [{ ...carrier, match: { username: 'peer', pasword: password } }] });
    assert.ok(
      problems.some((problem) => problem.startsWith('trunks[0].match.pasword = "[redacted]": unknown key (allowed here: addresses, username, password)')),
      problems.join('\n'),
    );
    assert.ok(!problems.join('\n').includes(password));
  });

  test('an object shown in a problem has its secrets masked', () => {
    const problems = problemsOf({ trunks: [{ ...carrier, outbound: { username: 'acct', password, fromDomain: 'bad domain!' } }], routes: 5 });
    assert.ok(!problems.join('\n').includes(password), problems.join('\n'));
    const objectProblems = problemsOf({ trunks: [{ ...carrier, bogus: { password } }] });
    assert.ok(!objectProblems.join('\n').includes(password), objectProblems.join('\n'));
    assert.match(itemAt(objectProblems, 0), /^trunks\[0\]\.bogus = \{"password":"\[redacted\]"\}: unknown key/);
  });

  test('trunks and routes cannot come from variables, and the variable is not echoed', () => {
    const value = JSON.stringify([{ ...carrier, match: { username: 'peer', password } }]);
    const problems = problemsOf({}, { env: { CALLPANE_TRUNKS: value, CALLPANE_ROUTES_CALLER_IDS: '{"1001":"+4930"}' } });
    assert.deepEqual(problems, [
      'trunks (CALLPANE_TRUNKS) is set: trunks can be set only in the configuration file',
      'routes.callerIds (CALLPANE_ROUTES_CALLER_IDS) is set: routes.callerIds can be set only in the configuration file',
    ]);
  });

  test('problems inside trunks do not name a variable that cannot set them', () => {
    const [problem] = problemsOf({ trunks: 'carrier' });
    assert.equal(problem, 'trunks = "carrier": must be a list of trunks (see docs/pbx-trunks.md)');
  });
});

describe("a trunk's media profile", () => {
  test('is rtp, srtp or webrtc, absent meaning plain RTP; anything else is refused by its key', () => {
    const config = withFile({
      trunks: [
        { ...carrier, media: 'srtp' },
        { ...carrier, name: 'plain' },
      ],
    });
    assert.deepEqual(
      config.trunks.map((trunk) => trunk.media),
      ['srtp', undefined],
    );
    const problem = itemAt(problemsOf({ trunks: [{ ...carrier, media: 'zrtp' }] }), 0);
    assert.match(problem, /^trunks\[0\]\.media.*rtp.*srtp.*webrtc/);
  });
});
