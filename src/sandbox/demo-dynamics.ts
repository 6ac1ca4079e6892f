/**
 * In the demo, the sandbox is Callpane's Dynamics 365 org, the way the demo carrier is its
 * carrier: Callpane's server-side path (src/dynamics/: the journal, the phone index) connects to
 * the sandbox's Web API as an app registration of its own, so a call that rang with no pane open
 * still appears on the contact's timeline. It applies only while the demo is on, the sandbox runs
 * and no org is configured (`dynamics.url`); a configured org always wins.
 *
 * The client secret is generated at the first start and kept in `{dataDir}/demo-dynamics.json`
 * (0600), as the demo carrier's password is; the sandbox's token endpoint knows it and its seed
 * makes the application user for the client id.
 */
import type { Config } from '../config/load-config.ts';
import { entraTokenUrl, type DynamicsConnection } from '../config/dynamics-config.ts';
import { keptDemoSecret } from '../server/demo-secret.ts';
import { SANDBOX_TENANT_ID } from './dataverse/token-issuer.ts';

/** The demo's app registration: a fixed client id, so the sandbox's application user keeps its id across restarts. */
export const DEMO_DYNAMICS_CLIENT_ID = 'ca11ba5e-0000-4000-8000-00000000d365';
export const DEMO_DYNAMICS_FILE = 'demo-dynamics.json';

export function demoDynamicsApplies(config: Config): boolean {
  return config.demo.seedExtensions && config.sandbox.enabled && config.dynamics.connection === undefined;
}

/** The demo client's secret, generated (and kept) the first time. */
export function demoDynamicsSecret(dataDir: string): string {
  return keptDemoSecret(dataDir, DEMO_DYNAMICS_FILE, 'clientSecret', { clientId: DEMO_DYNAMICS_CLIENT_ID });
}

/** The connection to the sandbox at `sandboxOrigin`, as `dynamics` would configure a real org. */
export function demoDynamicsConnection(sandboxOrigin: string, clientSecret: string): DynamicsConnection {
  return {
    url: sandboxOrigin,
    tenantId: SANDBOX_TENANT_ID,
    tokenUrl: entraTokenUrl(sandboxOrigin, SANDBOX_TENANT_ID),
    clientId: DEMO_DYNAMICS_CLIENT_ID,
    credential: { kind: 'secret', clientSecret },
  };
}
