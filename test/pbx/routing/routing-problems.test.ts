import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { routingProblems, type RoutingProblem } from '../../../src/pbx/routing/routing-problems.ts';
import type { OutboundRoute, Routes } from '../../../src/pbx/routing/routes.ts';
import type { Trunk } from '../../../src/pbx/routing/trunk.ts';

function trunk(overrides: Partial<Trunk> = {}): Trunk {
  return { name: 'carrier', host: 'sip.carrier.example', port: 5060, transport: 'udp', match: { addresses: ['203.0.113.0/24'] }, ...overrides };
}

function routes(overrides: Partial<Routes> = {}): Routes {
  return { inbound: [], outbound: [], callerIds: {}, ...overrides };
}

function outbound(...list: OutboundRoute[]): Routes {
  return routes({ outbound: list });
}

function lines(problems: RoutingProblem[]): string[] {
  return problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`);
}

test('a sound configuration has no problem', () => {
  const trunks = [trunk(), trunk({ name: 'browser', host: undefined, transport: 'ws', match: { username: 'demo-carrier', password: 'pw' } })];
  const sound = routes({
    inbound: [
      { did: '+493012345600', extension: '1001' },
      { did: '_+49301234560X', extension: '1002' },
    ],
    outbound: [
      { pattern: '_00.', trunk: 'carrier', strip: 2, prepend: '+' },
      { pattern: '_0.', trunk: 'carrier', strip: 1, prepend: '+49' },
      { pattern: '_+.', trunk: 'browser' },
    ],
  });
  assert.deepEqual(routingProblems(trunks, sound), []);
  assert.deepEqual(routingProblems([], routes()), []);
});

describe('trunks', () => {
  test('names must be unique', () => {
    assert.deepEqual(lines(routingProblems([trunk(), trunk({ match: { addresses: ['198.51.100.1'] } })], routes())), [
      'trunks.1.name: must be unique: trunks[0] has the same name',
    ]);
  });

  test('usernames must be unique', () => {
    const a = trunk({ name: 'a', match: { username: 'peer', password: 'x' } });
    const b = trunk({ name: 'b', match: { username: 'peer', password: 'y' } });
    assert.deepEqual(lines(routingProblems([a, b], routes())), ['trunks.1.match.username: must be unique: trunks[0] has the same username']);
  });

  test('something must identify a trunk', () => {
    assert.deepEqual(lines(routingProblems([trunk({ match: {} })], routes())), [
      'trunks.0.match: must name addresses, or a username and password, or both (or the trunk must register): otherwise nothing identifies the trunk',
    ]);
  });

  test('username and password come together', () => {
    assert.deepEqual(lines(routingProblems([trunk({ match: { username: 'peer' } })], routes())), ['trunks.0.match.password: must be set together with match.username']);
    assert.deepEqual(lines(routingProblems([trunk({ match: { addresses: ['192.0.2.1'], password: 'pw' } })], routes())), [
      'trunks.0.match.username: must be set together with match.password',
    ]);
  });

  test('a trunk without a host must register with credentials', () => {
    assert.deepEqual(lines(routingProblems([trunk({ host: undefined })], routes())), [
      'trunks.0.host: is needed unless the trunk registers with match.username and match.password (calls then go to where it registered)',
    ]);
    assert.deepEqual(routingProblems([trunk({ host: undefined, match: { username: 'peer', password: 'pw' } })], routes()), []);
  });

  test('a WebSocket trunk is reached over its registration, never at a host', () => {
    assert.deepEqual(lines(routingProblems([trunk({ transport: 'ws' })], routes())), [
      'trunks.0.host: must not be set with transport ws: a WebSocket peer is reached over the connection it registered on',
      'trunks.0.match.username: is needed with transport ws: a WebSocket peer must register to be reachable',
    ]);
  });
});

describe('outbound routes', () => {
  test('must name a configured trunk', () => {
    assert.deepEqual(lines(routingProblems([trunk()], outbound({ pattern: '_X.', trunk: 'carier' }))), ['routes.outbound.0.trunk: must name one of carrier']);
    assert.deepEqual(lines(routingProblems([], outbound({ pattern: '_X.', trunk: 'carrier' }))), [
      'routes.outbound.0.trunk: must name a configured trunk, and no trunks are configured',
    ]);
  });

  test('must leave something to dial after stripping', () => {
    assert.deepEqual(lines(routingProblems([trunk()], outbound({ pattern: '_0XX', trunk: 'carrier', strip: 3 }))), [
      'routes.outbound.0.strip: must leave something to dial: "_0XX" matches numbers as short as 3 characters',
    ]);
    assert.deepEqual(lines(routingProblems([trunk()], outbound({ pattern: '_0XX', trunk: 'carrier', strip: 4, prepend: '1' }))), [
      'routes.outbound.0.strip: must leave something to dial: "_0XX" matches numbers as short as 3 characters',
    ]);
    assert.deepEqual(routingProblems([trunk()], outbound({ pattern: '_0XX', trunk: 'carrier', strip: 3, prepend: '+4930123456' })), []);
    assert.deepEqual(routingProblems([trunk()], outbound({ pattern: '_0XX.', trunk: 'carrier', strip: 3 })), []);
  });

  test('must not prepend in front of a +', () => {
    assert.deepEqual(lines(routingProblems([trunk()], outbound({ pattern: '_+.', trunk: 'carrier', prepend: '00' }))), [
      'routes.outbound.0.prepend: would go in front of the "+" that numbers matching "_+." may start with; strip it (strip: 1) or narrow the pattern',
    ]);
    assert.deepEqual(routingProblems([trunk()], outbound({ pattern: '_+.', trunk: 'carrier', strip: 1, prepend: '00' })), []);
  });

  test('a route an earlier one fully covers can never match and is refused', () => {
    const problems = routingProblems([trunk()], outbound({ pattern: '_X.', trunk: 'carrier' }, { pattern: '_0X.', trunk: 'carrier' }, { pattern: '_+.', trunk: 'carrier' }));
    assert.deepEqual(lines(problems), ['routes.outbound.1.pattern: can never match: routes.outbound[0] ("_X.") comes first and matches every number this one does']);
  });

  test('a narrower route before a broader one is the way to write exceptions', () => {
    assert.deepEqual(routingProblems([trunk()], outbound({ pattern: '_0X.', trunk: 'carrier' }, { pattern: '_X.', trunk: 'carrier' })), []);
  });

  test('a route whose pattern the schema already refused is not checked again', () => {
    assert.deepEqual(routingProblems([trunk()], outbound({ pattern: '_[', trunk: 'carrier', strip: 9 })), []);
  });
});

describe('inbound routes', () => {
  test('a DID an earlier one covers, + or not, can never match and is refused', () => {
    const problems = routingProblems(
      [],
      routes({
        inbound: [
          { did: '_+4930123456XX', extension: '1001' },
          { did: '493012345600', extension: '1002' },
        ],
      }),
    );
    assert.deepEqual(lines(problems), ['routes.inbound.1.did: can never match: routes.inbound[0] ("_+4930123456XX") comes first and matches every number this one does']);
  });
});
