import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBanner } from '../../src/server/banner.ts';

const base = { httpUrl: 'http://localhost:8080', publicUrl: undefined, sipUris: [], demo: [], dataDir: '/srv/data' };

const alice = { number: '1001', displayName: 'Alice Agent', email: 'alice@callpane.test', password: 'pw-alice', sipSecret: 'sip-alice' };

test('the banner names the web URL, the SIP URIs, the demo credentials and how to add extensions', () => {
  const text = formatBanner({
    ...base,
    sipUris: ['sip:192.0.2.2:5060;transport=udp', 'ws://localhost:8080/sip'],
    demo: [alice],
    showSecrets: true,
  });
  assert.match(text, /Web {8}http:\/\/localhost:8080\n/);
  assert.match(text, /SIP {8}sip:192\.0\.2\.2:5060;transport=udp\n {13}ws:\/\/localhost:8080\/sip\n/);
  assert.match(text, /1001 +Alice Agent +alice@callpane\.test +pw-alice +sip-alice/);
  assert.match(text, /callpane ext add/);
});

test('a name in Chinese characters, two terminal columns each, keeps the demo table aligned', () => {
  const li = { number: '1002', displayName: '李娜', email: 'li.na@sandbox.example', password: 'pw-li', sipSecret: 'sip-li' };
  const text = formatBanner({ ...base, demo: [alice, li] });
  // 李娜 takes 4 of the name column's 11: 7 spaces of padding and the 2 between columns.
  assert.ok(text.includes('  number  name         e-mail\n  1001    Alice Agent  alice@callpane.test\n  1002    李娜         li.na@sandbox.example\n'), text);
});

test('a public URL is shown first, the local one beside it', () => {
  const text = formatBanner({ ...base, publicUrl: 'https://pbx.example.test' });
  assert.match(text, /Web {8}https:\/\/pbx\.example\.test\n {13}\(locally http:\/\/localhost:8080\)/);
});

test('without SIP services or demo credentials the banner says so and lists no table', () => {
  const text = formatBanner({ ...base, demo: [{ number: '1002', displayName: 'Bob', email: null, password: 'pw', sipSecret: undefined }], showSecrets: true });
  assert.match(text, /SIP {8}\(no SIP transport started\)/);
  assert.match(text, /1002 +Bob +- +pw +\(changed\)/);
  assert.doesNotMatch(formatBanner(base), /Demo extensions/);
});

test('unless asked to show secrets, the banner lists the demo extensions without them and names the file that holds them', () => {
  for (const text of [formatBanner({ ...base, demo: [alice] }), formatBanner({ ...base, demo: [alice], showSecrets: false })]) {
    assert.match(text, /1001 +Alice Agent +alice@callpane\.test\n/);
    assert.ok(!text.includes('pw-alice') && !text.includes('sip-alice'), text);
    assert.match(text, /web passwords and SIP secrets are in \/srv\/data\/demo-credentials\.json \(readable by its owner only\)/);
  }
});

test('with the demo off, the warning about demo extensions still on their generated credentials is shown instead of any secret', () => {
  const warning = 'demo extensions 1001 (SIP secret) still have the credentials the demo generated, …';
  const text = formatBanner({ ...base, demoWarning: warning, showSecrets: true });
  assert.ok(text.includes(`Warning: ${warning}\n`), text);
  assert.doesNotMatch(text, /Demo extensions/);
  assert.doesNotMatch(formatBanner(base), /Warning/);
});

test('the media relay: the managed engine with its ports and public address, or each external engine and whether it answers', () => {
  const managed = {
    mode: 'managed' as const,
    ready: true,
    reason: undefined,
    managed: {
      state: 'running' as const,
      restarts: 0,
      pid: 42,
      binary: '/usr/bin/rtpengine',
      address: '10.0.0.7',
      publicAddress: '203.0.113.7',
      portMin: 20000,
      portMax: 29999,
      ng: '127.0.0.1:2230',
    },
    engines: [{ engine: '127.0.0.1:2230', up: true }],
  };
  assert.match(formatBanner({ ...base, media: managed }), /Media {6}rtpengine \(run by Callpane\), RTP 10\.0\.0\.7 ports 20000–29999, advertised as 203\.0\.113\.7\n/);
  const restarting = { ...managed, ready: false, reason: 'rtpengine exited (code 1)', managed: { ...managed.managed, state: 'restarting' as const } };
  assert.match(formatBanner({ ...base, media: restarting }), /\n {13}not running yet \(restarting\): rtpengine exited \(code 1\)\n/);
  const external = {
    mode: 'external' as const,
    ready: true,
    reason: undefined,
    managed: undefined,
    engines: [
      { engine: '10.0.0.5:2223', up: true },
      { engine: '10.0.0.6:2223', up: false, reason: 'no reply' },
    ],
  };
  assert.match(formatBanner({ ...base, media: external }), /Media {6}rtpengine at 10\.0\.0\.5:2223\n {13}rtpengine at 10\.0\.0\.6:2223 — not answering: no reply\n/);
});
