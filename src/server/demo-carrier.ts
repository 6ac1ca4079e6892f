/**
 * The demo carrier: a trunk and a DID that exist by default in the demo, so that one person with
 * one browser can place an inbound call end to end from the sandbox's customer phone page
 * (src/sandbox/customer-phone/). It is a `ws` trunk without host — a browser page that connects
 * to /sip and proves itself with match.username/password (docs/pbx-trunks.md) — and an
 * inbound route from its DID to the first demo extension.
 *
 * It is derived at start-up, next to the demo extensions, and only while the demo is on
 * (demo.seedExtensions) and the sandbox runs (sandbox.enabled): production configurations turn
 * the sandbox off (demo.seedExtensions follows it unless set) and never see it. It is not part of `loadConfig`, because it needs a secret kept in
 * the data directory and loading a configuration must not write files (`callpane config check`).
 * The file's own trunks and routes win: a trunk already named `demo-carrier`, or already using
 * that username, leaves the demo carrier out; a configured inbound route that already takes the
 * demo DID keeps it (no demo route is added, it could never match); otherwise the demo route
 * comes after every configured one (first match wins).
 * The password is generated at the first start and kept in `{dataDir}/demo-carrier.json` (0600);
 * it is never logged.
 */
import type { Config } from '../config/load-config.ts';
import { routeInbound } from '../pbx/routing/inbound-router.ts';
import type { Trunk } from '../pbx/routing/trunk.ts';
import { keptDemoSecret } from './demo-secret.ts';

export const DEMO_CARRIER_TRUNK = 'demo-carrier';
/** The company number the customer phone calls (a 555-01xx number, reserved for fiction). */
export const DEMO_CARRIER_DID = '+14155550199';
export const DEMO_CARRIER_EXTENSION = '1001';
export const DEMO_CARRIER_COUNTRY = 'US';
export const DEMO_CARRIER_FILE = 'demo-carrier.json';
/** The port the configuration loader gives a trunk without one (it is unused: the trunk has no host). */
const DEFAULT_PORT = 5060;

/** The demo carrier exists only in a demo with its sandbox. */
export function demoCarrierApplies(config: Config): boolean {
  return config.demo.seedExtensions && config.sandbox.enabled;
}

/** The trunk the customer phone plays, with the given password. */
export function demoCarrierTrunk(password: string): Trunk {
  return {
    name: DEMO_CARRIER_TRUNK,
    port: DEFAULT_PORT,
    transport: 'ws',
    match: { username: DEMO_CARRIER_TRUNK, password },
    country: DEMO_CARRIER_COUNTRY,
    // The customer phone is a browser page: ICE and DTLS-SRTP, not a trunk's default plain RTP,
    // or the relay would answer its WebRTC offer with RTP/AVP and the call would have no audio.
    media: 'webrtc',
  };
}

/**
 * The configuration with the demo carrier merged in after the configured trunks and inbound
 * routes; the same object when it does not apply or the file already uses its name or username.
 */
export function withDemoCarrier(config: Config, password: string): Config {
  if (!demoCarrierApplies(config)) return config;
  const taken = config.trunks.some((trunk) => trunk.name === DEMO_CARRIER_TRUNK || trunk.match.username === DEMO_CARRIER_TRUNK);
  if (taken) return config;
  const didTaken = routeInbound(config.routes, DEMO_CARRIER_DID) !== undefined;
  const inbound = didTaken ? config.routes.inbound : [...config.routes.inbound, { did: DEMO_CARRIER_DID, extension: DEMO_CARRIER_EXTENSION }];
  return { ...config, trunks: [...config.trunks, demoCarrierTrunk(password)], routes: { ...config.routes, inbound } };
}

/** The demo carrier's trunk in a running configuration, when it is there. */
export function findDemoCarrier(config: Config): Trunk | undefined {
  return config.trunks.find(
    (trunk) => trunk.name === DEMO_CARRIER_TRUNK && trunk.transport === 'ws' && trunk.match.username === DEMO_CARRIER_TRUNK && trunk.match.password !== undefined,
  );
}

/** The password kept in the data directory, generated (and kept) the first time. */
export function demoCarrierPassword(dataDir: string): string {
  return keptDemoSecret(dataDir, DEMO_CARRIER_FILE, 'password', { trunk: DEMO_CARRIER_TRUNK });
}
