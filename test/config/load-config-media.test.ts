import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InterfaceTable } from '../../src/config/advertised-host.ts';
import { loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';
import { problemsOfRefused } from './config-problems.ts';
import { itemAt } from '../support/item-at.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-media-config-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function load(env: Record<string, string> = {}, options: LoadConfigOptions = {}) {
  return loadConfig({ env, cwd: dir, interfaces: {}, ...options });
}

function problemsOf(env: Record<string, string>, options: LoadConfigOptions = {}): readonly string[] {
  return problemsOfRefused(() => load(env, options));
}

const EXTERNAL_NIC: InterfaceTable = { eth0: [{ address: '10.0.0.7', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: '10.0.0.7/24' }] };

describe('media configuration', () => {
  test('relays every call through a managed rtpengine by default, outside the Debian service range', () => {
    assert.deepEqual(load().media, {
      relay: 'always',
      rtpengine: { engines: [], binary: 'rtpengine', address: '127.0.0.1', publicAddress: undefined, portMin: 20000, portMax: 29999, ngPort: 2230 },
      ice: { stun: [], turn: undefined, transportPolicy: 'all' },
    });
  });

  test('rtpengine binds sip.host when it is one address, else the first external IPv4 address', () => {
    assert.equal(load({ CALLPANE_SIP_HOST: '192.0.2.10' }).media.rtpengine.address, '192.0.2.10');
    assert.equal(load({}, { interfaces: EXTERNAL_NIC }).media.rtpengine.address, '10.0.0.7');
  });

  test('rtpengine advertises a public address: as configured, else sip.advertisedHost when that is another IP address', () => {
    const nat = load({ CALLPANE_MEDIA_RTPENGINE_ADDRESS: '10.0.0.7', CALLPANE_MEDIA_RTPENGINE_PUBLIC_ADDRESS: '203.0.113.7' }).media.rtpengine;
    assert.equal(nat.address, '10.0.0.7');
    assert.equal(nat.publicAddress, '203.0.113.7');
    assert.equal(load({ CALLPANE_SIP_ADVERTISED_HOST: '203.0.113.8' }, { interfaces: EXTERNAL_NIC }).media.rtpengine.publicAddress, '203.0.113.8');
    assert.equal(load({ CALLPANE_SIP_ADVERTISED_HOST: 'pbx.example.com' }).media.rtpengine.publicAddress, undefined, 'a host name is no SDP address');
  });

  test('external engines are read from a comma-separated variable, IPv6 in brackets', () => {
    const config = load({ CALLPANE_MEDIA_RTPENGINE_ENGINES: '127.0.0.1:2223, [2001:db8::5]:2224,rtp.example.com:22222' });
    assert.deepEqual(config.media.rtpengine.engines, [
      { host: '127.0.0.1', port: 2223 },
      { host: '2001:db8::5', port: 2224 },
      { host: 'rtp.example.com', port: 22222 },
    ]);
  });

  test('the relay can be turned off, and a relative binary path is resolved', () => {
    const path = join(dir, 'never.json');
    writeFileSync(path, JSON.stringify({ media: { relay: 'never', rtpengine: { binary: 'bin/rtpengine' } } }));
    const config = load({}, { argvConfigPath: path });
    assert.equal(config.media.relay, 'never');
    assert.equal(config.media.rtpengine.binary, join(dir, 'bin/rtpengine'));
  });

  test('a range overlapping the Debian service range 30000–40000 is refused, naming the key and the value', () => {
    assert.deepEqual(problemsOf({ CALLPANE_MEDIA_RTPENGINE_PORT_MAX: '35000' }), [
      'media.rtpengine.portMax (CALLPANE_MEDIA_RTPENGINE_PORT_MAX) = "35000": the RTP range 20000–35000 overlaps 30000–40000, the range of the Debian rtpengine service (rtpengine-daemon): choose a range outside it, such as 20000–29999',
    ]);
    const problem = itemAt(problemsOf({ CALLPANE_MEDIA_RTPENGINE_PORT_MIN: '39000', CALLPANE_MEDIA_RTPENGINE_PORT_MAX: '45000' }), 0);
    assert.match(problem, /^media\.rtpengine\.portMin \(CALLPANE_MEDIA_RTPENGINE_PORT_MIN\) = "39000": the RTP range 39000–45000 overlaps 30000–40000/);
  });

  test('an external engine list lifts the port rules: those engines have ranges of their own', () => {
    const config = load({ CALLPANE_MEDIA_RTPENGINE_ENGINES: '127.0.0.1:2223', CALLPANE_MEDIA_RTPENGINE_PORT_MAX: '35000' });
    assert.equal(config.media.rtpengine.engines.length, 1);
  });

  test('an empty range, the ng port or the SIP UDP port inside the range are refused', () => {
    assert.match(
      itemAt(problemsOf({ CALLPANE_MEDIA_RTPENGINE_PORT_MIN: '25000', CALLPANE_MEDIA_RTPENGINE_PORT_MAX: '25000' }), 0),
      /^media\.rtpengine\.portMin .* = "25000": must be below media\.rtpengine\.portMax \(25000\)/,
    );
    assert.match(itemAt(problemsOf({ CALLPANE_MEDIA_RTPENGINE_NG_PORT: '21000' }), 0), /^media\.rtpengine\.ngPort .* = "21000": must be outside the RTP range 20000–29999/);
    assert.match(itemAt(problemsOf({ CALLPANE_SIP_PORT: '25060' }), 0), /holds sip\.port \(25060\): both are UDP ports/);
  });

  test('bad values name the key, the value and what is allowed', () => {
    const problems = problemsOf({
      CALLPANE_MEDIA_RELAY: 'sometimes',
      CALLPANE_MEDIA_RTPENGINE_ENGINES: '127.0.0.1:2223,localhost',
      CALLPANE_MEDIA_RTPENGINE_ADDRESS: '0.0.0.0',
      CALLPANE_MEDIA_RTPENGINE_PORT_MIN: '80',
    });
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(
      problems.includes(
        `media.relay (CALLPANE_MEDIA_RELAY) = "sometimes": must be always (every call's media goes through rtpengine) or never (end to end: browser to browser on one network only)`,
      ),
    );
    assert.ok(
      problems.some(
        (p) =>
          p.startsWith('media.rtpengine.engines (CALLPANE_MEDIA_RTPENGINE_ENGINES) = "127.0.0.1:2223,localhost": must be a list of ng addresses') &&
          p.endsWith('"localhost" is not host:port'),
      ),
    );
    assert.ok(problems.includes('media.rtpengine.address (CALLPANE_MEDIA_RTPENGINE_ADDRESS) = "0.0.0.0": must be an IP address of this machine for RTP, not 0.0.0.0'));
    assert.ok(problems.includes('media.rtpengine.portMin (CALLPANE_MEDIA_RTPENGINE_PORT_MIN) = "80": must be an integer from 1024 to 65535'));
  });
});
