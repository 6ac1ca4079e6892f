import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registrar, type RegistrarPolicy } from '../../src/pbx/registrar.ts';
import { LocationService } from '../../src/pbx/location-service.ts';
import type { BindingStore } from '../../src/pbx/binding.ts';
import { getHeader, getHeaders, parseMessage } from '../../src/sip/message/index.ts';
import type { SipRequest, SipResponse } from '../../src/sip/message/types.ts';
import { createFlow, type Flow, type TransportProtocol } from '../../src/sip/transport/flow.ts';
import { openDatabase } from '../../src/store/database.ts';
import { createExtensionRepository } from '../../src/store/extension-repository.ts';
import { createRegistrationRepository } from '../../src/store/registration-repository.ts';
import { MemoryBindingStore } from '../support/memory-binding-store.ts';
import { itemAt } from '../support/item-at.ts';

const POLICY: RegistrarPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 600 };
const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const INSTANCE = '"<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf6>"';

interface RegisterOptions {
  to?: string;
  contacts?: string[];
  expires?: number;
  callId?: string;
  cseq?: number;
  userAgent?: string;
}

function registerRequest(options: RegisterOptions = {}): SipRequest {
  const lines = [
    'REGISTER sip:pbx.test SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg',
    'Max-Forwards: 70',
    'From: <sip:1001@pbx.test>;tag=from-1',
    `To: ${options.to ?? '<sip:1001@pbx.test>'}`,
    `Call-ID: ${options.callId ?? 'call-1'}`,
    `CSeq: ${options.cseq ?? 1} REGISTER`,
    ...(options.contacts ?? ['<sip:1001@127.0.0.1:5070>']).map((contact) => `Contact: ${contact}`),
    ...(options.expires === undefined ? [] : [`Expires: ${options.expires}`]),
    ...(options.userAgent === undefined ? [] : [`User-Agent: ${options.userAgent}`]),
    'Content-Length: 0',
    '',
    '',
  ];
  const message = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.equal(message.type, 'request');
  return message;
}

function udpFlow(port = 5070): Flow {
  return createFlow('UDP', { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.1', port });
}

function fixture(store: BindingStore = new MemoryBindingStore()) {
  const clock = { now: START };
  const now = () => clock.now;
  const location = new LocationService(store, now);
  const extensions = new Set(['1001', '1002']);
  const registrar = new Registrar(POLICY, location, { exists: (number) => extensions.has(number) }, now);
  const register = (options: RegisterOptions = {}, flow: Flow = udpFlow(), authenticatedAs = '1001', sessionTag?: string): SipResponse =>
    registrar.register({ request: registerRequest(options), flow, authenticatedAs, sessionTag });
  const contactUris = (aor = '1001') =>
    location
      .lookup(aor)
      .map((b) => b.contactUri)
      .sort();
  return { clock, location, register, contactUris, store };
}

/** The `expires` parameter of each Contact in a 200, keyed by the contact URI. */
function listedExpires(response: SipResponse): Map<string, number> {
  const listed = new Map<string, number>();
  for (const value of getHeaders(response, 'Contact')) {
    const match = /^<([^>]+)>.*;expires=(\d+)$/.exec(value);
    assert.ok(match, `Contact without expires: ${value}`);
    listed.set(itemAt(match, 1), Number(match[2]));
  }
  return listed;
}

describe('a successful REGISTER (RFC 3261 §10.3 step 8)', () => {
  test('answers 200 listing every binding of the AOR with its remaining expires and a Date header', () => {
    const { clock, register } = fixture();
    assert.equal(register({ contacts: ['<sip:1001@127.0.0.1:5070>'], expires: 300, callId: 'desk' }).status, 200);
    clock.now += 100_000;
    const response = register({ contacts: ['<sip:1001@127.0.0.1:5080>'], expires: 1200, callId: 'soft' }, udpFlow(5080));
    assert.equal(response.status, 200);
    assert.deepEqual(
      listedExpires(response),
      new Map([
        ['sip:1001@127.0.0.1:5070', 200],
        ['sip:1001@127.0.0.1:5080', 1200],
      ]),
    );
    assert.equal(getHeader(response, 'Date'), new Date(clock.now).toUTCString());
  });

  test('answers a REGISTER without Contact with the current bindings and changes nothing', () => {
    const { register, contactUris } = fixture();
    register({ expires: 300 });
    const query = register({ contacts: [], cseq: 2 });
    assert.equal(query.status, 200);
    assert.deepEqual([...listedExpires(query).keys()], ['sip:1001@127.0.0.1:5070']);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070']);
  });

  test('stores the source of the request, the Call-ID, the CSeq and the User-Agent with the binding', () => {
    const { location, register } = fixture();
    register({ callId: 'ua-call', cseq: 7, userAgent: 'baresip v3.10.1 (x86_64/linux)' }, udpFlow(5090));
    const binding = itemAt(location.lookup('1001'), 0);
    assert.equal(binding.userAgent, 'baresip v3.10.1 (x86_64/linux)');
    assert.equal(binding.callId, 'ua-call');
    assert.equal(binding.cseq, 7);
    assert.equal(binding.transport, 'UDP');
    assert.equal(binding.sourceAddress, '127.0.0.1');
    assert.equal(binding.sourcePort, 5090);
    assert.equal(binding.contact, '<sip:1001@127.0.0.1:5070>');
  });

  test('stores the web session of a pane credential with the binding, and none for the own secret', () => {
    const { location, register } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>'] }, udpFlow(), '1001', '0123456789abcdef');
    register({ contacts: ['<sip:1001@127.0.0.1:5071>'] });
    const byUri = new Map(location.lookup('1001').map((b) => [b.contactUri, b]));
    assert.equal(byUri.get('sip:1001@127.0.0.1:5070')?.sessionTag, '0123456789abcdef');
    assert.equal(byUri.get('sip:1001@127.0.0.1:5071')?.sessionTag, undefined);
  });

  test('keeps the web session on a refresh with a renewed pane credential, and drops it on a refresh with the own secret', () => {
    const { location, register } = fixture();
    register({ cseq: 1 }, udpFlow(), '1001', '0123456789abcdef');
    register({ cseq: 2 }, udpFlow(), '1001', '0123456789abcdef');
    assert.equal(location.find('1001', 'sip:1001@127.0.0.1:5070')?.sessionTag, '0123456789abcdef');
    register({ cseq: 3 });
    assert.equal(location.find('1001', 'sip:1001@127.0.0.1:5070')?.sessionTag, undefined);
  });

  test('parses a valid q parameter and ignores one out of range', () => {
    const { location, register } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>;q=0.7', '<sip:1001@127.0.0.1:5071>;q=1.5'] });
    const byUri = new Map(location.lookup('1001').map((b) => [b.contactUri, b]));
    assert.equal(byUri.get('sip:1001@127.0.0.1:5070')?.q, 0.7);
    assert.equal(byUri.get('sip:1001@127.0.0.1:5071')?.q, undefined);
  });
});

describe('who may register (RFC 3261 §10.3 steps 4 and 5)', () => {
  test('rejects a To that is not a SIP URI with 400', () => {
    const { register, store } = fixture();
    const response = register({ to: '<tel:1001>' });
    assert.equal(response.status, 400);
    assert.equal((store as MemoryBindingStore).rows.size, 0);
  });

  test('answers 404 for an extension that does not exist', () => {
    const { register, contactUris } = fixture();
    assert.equal(register({ to: '<sip:4040@pbx.test>' }, udpFlow(), '4040').status, 404);
    assert.deepEqual(contactUris('4040'), []);
  });

  test('answers 403 when the authenticated extension is not the AOR', () => {
    const { register, contactUris } = fixture();
    assert.equal(register({ to: '<sip:1002@pbx.test>' }, udpFlow(), '1001').status, 403);
    assert.deepEqual(contactUris('1002'), []);
  });
});

describe('the wildcard Contact (RFC 3261 §10.3 step 6)', () => {
  test('removes every binding of the AOR when alone and with Expires: 0', () => {
    const { register, contactUris } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>'], callId: 'a' });
    register({ contacts: ['<sip:1001@127.0.0.1:5071>'], callId: 'b' });
    const response = register({ contacts: ['*'], expires: 0, callId: 'c' });
    assert.equal(response.status, 200);
    assert.deepEqual(getHeaders(response, 'Contact'), []);
    assert.deepEqual(contactUris(), []);
  });

  test('is refused with 400 without Expires: 0, and nothing is removed', () => {
    const { register, contactUris } = fixture();
    register();
    assert.equal(register({ contacts: ['*'], callId: 'c' }).status, 400);
    assert.equal(register({ contacts: ['*'], expires: 60, callId: 'c' }).status, 400);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070']);
  });

  test('is refused with 400 next to another Contact, and nothing is removed', () => {
    const { register, contactUris } = fixture();
    register();
    assert.equal(register({ contacts: ['*', '<sip:1001@127.0.0.1:5071>'], expires: 0, callId: 'c' }).status, 400);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070']);
  });

  test('is refused with 400 when its CSeq is not above a binding of the same Call-ID, and nothing is removed', () => {
    const { register, contactUris } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>'], callId: 'other' });
    register({ contacts: ['<sip:1001@127.0.0.1:5071>'], callId: 'same', cseq: 5 });
    assert.equal(register({ contacts: ['*'], expires: 0, callId: 'same', cseq: 5 }).status, 400);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070', 'sip:1001@127.0.0.1:5071']);
    assert.equal(register({ contacts: ['*'], expires: 0, callId: 'same', cseq: 6 }).status, 200);
    assert.deepEqual(contactUris(), []);
  });
});

describe('expiration intervals (RFC 3261 §10.3 step 7)', () => {
  test('answers 423 with Min-Expires for an interval below the minimum, and saves nothing', () => {
    const { register, contactUris } = fixture();
    const response = register({ expires: 30 });
    assert.equal(response.status, 423);
    assert.equal(getHeader(response, 'Min-Expires'), '60');
    assert.deepEqual(contactUris(), []);
  });

  test('removes just the one binding registered again with expires=0', () => {
    const { register, contactUris } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>', '<sip:1001@127.0.0.1:5071>'] });
    const response = register({ contacts: ['<sip:1001@127.0.0.1:5070>;expires=0'], cseq: 2 });
    assert.equal(response.status, 200);
    assert.deepEqual([...listedExpires(response).keys()], ['sip:1001@127.0.0.1:5071']);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5071']);
  });

  test('clamps an interval above the maximum to maxExpires', () => {
    const { location, register } = fixture();
    const response = register({ expires: 86_400 });
    assert.deepEqual(listedExpires(response), new Map([['sip:1001@127.0.0.1:5070', 3600]]));
    assert.equal(itemAt(location.lookup('1001'), 0).expiresAt, START + 3_600_000);
  });

  test('takes the Contact expires parameter over the Expires header, and the header over the default', () => {
    const { register } = fixture();
    const response = register({
      contacts: ['<sip:1001@127.0.0.1:5070>;expires=120', '<sip:1001@127.0.0.1:5071>'],
      expires: 900,
    });
    assert.deepEqual(
      listedExpires(response),
      new Map([
        ['sip:1001@127.0.0.1:5070', 120],
        ['sip:1001@127.0.0.1:5071', 900],
      ]),
    );
    const byDefault = register({ contacts: ['<sip:1001@127.0.0.1:5072>'], callId: 'call-2' });
    assert.equal(listedExpires(byDefault).get('sip:1001@127.0.0.1:5072'), POLICY.defaultExpires);
  });

  test('does not keep the expires parameter in the stored contact', () => {
    const { location, register } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>;expires=120;q=0.5'] });
    assert.equal(itemAt(location.lookup('1001'), 0).contact, '<sip:1001@127.0.0.1:5070>;q=0.5');
  });
});

describe('ordering and atomicity', () => {
  test('answers 400 to an out-of-order CSeq on the same Call-ID and leaves the binding as it was', () => {
    const { location, register } = fixture();
    register({ cseq: 5, expires: 300 });
    const before = location.lookup('1001');
    assert.equal(register({ cseq: 4, expires: 0 }).status, 400);
    assert.equal(register({ cseq: 5, expires: 1200 }).status, 400);
    assert.deepEqual(location.lookup('1001'), before);
  });

  test('updates a binding from a new Call-ID whatever its CSeq', () => {
    const { location, register } = fixture();
    register({ cseq: 5, expires: 300, callId: 'first' });
    assert.equal(register({ cseq: 1, expires: 1200, callId: 'second' }).status, 200);
    const binding = itemAt(location.lookup('1001'), 0);
    assert.equal(binding.callId, 'second');
    assert.equal(binding.expiresAt, START + 1_200_000);
  });

  test('saves no contact of a REGISTER that is rejected for a later contact', () => {
    const { register, store, contactUris } = fixture();
    assert.equal(register({ contacts: ['<sip:1001@127.0.0.1:5070>', '<tel:+15551001>'] }).status, 400);
    assert.equal(register({ contacts: ['<sip:1001@127.0.0.1:5070>', '<sip:1001@127.0.0.1:5071>;expires=10'] }).status, 423);
    assert.deepEqual(contactUris(), []);
    assert.equal((store as MemoryBindingStore).rows.size, 0);
  });

  test('removes nothing of a REGISTER that is out of order for a later contact', () => {
    const { register, contactUris } = fixture();
    register({ contacts: ['<sip:1001@127.0.0.1:5070>'], callId: 'a', cseq: 1 });
    register({ contacts: ['<sip:1001@127.0.0.1:5071>'], callId: 'b', cseq: 9 });
    const response = register({ contacts: ['<sip:1001@127.0.0.1:5070>;expires=0', '<sip:1001@127.0.0.1:5071>'], callId: 'b', cseq: 3 });
    assert.equal(response.status, 400);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070', 'sip:1001@127.0.0.1:5071']);
  });
});

describe('outbound registrations (RFC 5626 §6) and WebSocket flows (RFC 7118 §5)', () => {
  test('replaces the contact of the same instance and reg-id, and keeps another reg-id', () => {
    const { location, register, contactUris } = fixture();
    register({ contacts: [`<sip:1001@127.0.0.1:5070>;+sip.instance=${INSTANCE};reg-id=1`], callId: 'old' });
    register({ contacts: [`<sip:1001@127.0.0.1:5075>;+sip.instance=${INSTANCE};reg-id=2`], callId: 'second-flow' });
    const response = register({ contacts: [`<sip:1001@127.0.0.1:5071>;+sip.instance=${INSTANCE};reg-id=1`], callId: 'new' }, udpFlow(5071));
    assert.equal(response.status, 200);
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5071', 'sip:1001@127.0.0.1:5075']);
    const replaced = location.find('1001', 'sip:1001@127.0.0.1:5071');
    assert.equal(replaced?.instanceId, INSTANCE);
    assert.equal(replaced?.regId, 1);
  });

  test('keeps the contacts of different instances side by side', () => {
    const { register, contactUris } = fixture();
    const other = '"<urn:uuid:00000000-0000-1000-8000-00a0c91e6bf7>"';
    register({ contacts: [`<sip:1001@127.0.0.1:5070>;+sip.instance=${INSTANCE};reg-id=1`], callId: 'a' });
    register({ contacts: [`<sip:1001@127.0.0.1:5071>;+sip.instance=${other};reg-id=1`], callId: 'b' });
    assert.deepEqual(contactUris(), ['sip:1001@127.0.0.1:5070', 'sip:1001@127.0.0.1:5071']);
  });

  for (const transport of ['WS', 'WSS'] as const satisfies TransportProtocol[]) {
    test(`ties a binding registered over ${transport} to its flow, so that it dies with the connection`, () => {
      const { location, register } = fixture();
      const flow = createFlow(transport, { address: '127.0.0.1', port: 8443 }, { address: '127.0.0.1', port: 40000 });
      register({ contacts: ['<sip:k3j2@df7jal23ls0d.invalid;transport=ws>'] }, flow);
      const binding = itemAt(location.lookup('1001'), 0);
      assert.equal(binding.flowId, flow.id);
      assert.equal(binding.transport, transport);
      assert.equal(location.flowClosed(flow.id), 1);
    });
  }

  for (const transport of ['UDP', 'TCP'] as const satisfies TransportProtocol[]) {
    test(`stores no flow for a binding registered over ${transport}`, () => {
      const { location, register } = fixture();
      const flow = createFlow(transport, { address: '127.0.0.1', port: 5060 }, { address: '127.0.0.1', port: 40001 });
      register({}, flow);
      const binding = itemAt(location.lookup('1001'), 0);
      assert.equal(binding.flowId, undefined);
      assert.equal(binding.transport, transport);
      assert.equal(location.flowClosed(flow.id), 0);
    });
  }
});

test('keeps a UDP binding with all its fields in SQLite across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callpane-registrar-'));
  try {
    const db = openDatabase(dir);
    try {
      createExtensionRepository(db).add({ number: '1001', displayName: '1001', passwordHash: 'h', sipSecret: 's' });
      const { register } = fixture(createRegistrationRepository(db));
      register(
        {
          contacts: [`<sip:1001@127.0.0.1:5070>;q=0.5;+sip.instance=${INSTANCE};reg-id=1`],
          expires: 300,
          userAgent: 'desk phone',
          cseq: 3,
        },
        udpFlow(),
        '1001',
        '0123456789abcdef',
      );
      const restarted = new LocationService(createRegistrationRepository(db), () => START + 1000);
      const [binding] = restarted.lookup('1001');
      assert.deepEqual(
        { ...binding },
        {
          aor: '1001',
          contact: `<sip:1001@127.0.0.1:5070>;q=0.5;+sip.instance=${INSTANCE};reg-id=1`,
          contactUri: 'sip:1001@127.0.0.1:5070',
          expiresAt: START + 300_000,
          callId: 'call-1',
          cseq: 3,
          transport: 'UDP',
          sourceAddress: '127.0.0.1',
          sourcePort: 5070,
          instanceId: INSTANCE,
          regId: 1,
          q: 0.5,
          userAgent: 'desk phone',
          sessionTag: '0123456789abcdef',
        },
      );
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
