/**
 * The two demo extensions a fresh installation starts with, so that `npm start` gives a person
 * something to log in and register with. They are created on the first start only: the fact
 * is remembered in the database, so an administrator who deletes them does not see them return.
 * Their generated credentials are kept in `{dataDir}/demo-credentials.json` (0600) to be shown
 * again at every start, but only while they are still the ones in use. With the demo off, demo
 * extensions that still have them are named in a warning instead (`leftoverDemoExtensions`).
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, generateSecret, verifyPassword } from '../security/password-hash.ts';
import { inTransaction, type Database } from '../store/database.ts';
import type { ExtensionRepository } from '../store/extension-repository.ts';
import type { MetaRepository } from '../store/meta-repository.ts';

/**
 * The sandbox's two agents (src/sandbox/dataverse/seed-data.ts), with the names and e-mail
 * addresses of their Dynamics users: the server-side journal maps an extension to its Dynamics
 * user by e-mail, so in the demo a call is owned by the agent who took it, not by the application
 * user.
 */
export const DEMO_EXTENSIONS = [
  { number: '1001', displayName: 'Alex Agent', email: 'alex.agent@sandbox.example' },
  { number: '1002', displayName: '李娜', email: 'li.na@sandbox.example' },
] as const;

export const DEMO_SEEDED_KEY = 'demo.seeded';
export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';

export interface DemoCredential {
  number: string;
  displayName: string;
  email: string;
  password: string;
  sipSecret: string;
}

/** What may be shown of a demo extension: each credential only while it is still valid. */
export interface DemoCredentialView {
  number: string;
  displayName: string;
  email: string | null;
  password: string;
  sipSecret: string | undefined;
}

export interface DemoStore {
  dataDir: string;
  db: Database;
  extensions: ExtensionRepository;
  meta: MetaRepository;
}

/**
 * Creates the demo extensions unless this installation ever did; a number or e-mail address
 * already in use is left alone. Returns the credentials of the extensions created now.
 */
export async function seedDemoExtensions({ dataDir, db, extensions, meta }: DemoStore): Promise<DemoCredential[]> {
  if (meta.get(DEMO_SEEDED_KEY) !== undefined) return [];
  const candidates = await Promise.all(
    DEMO_EXTENSIONS.map(async (demo) => {
      const password = generateSecret(12);
      return { credential: { ...demo, password, sipSecret: generateSecret(18) }, passwordHash: await hashPassword(password) };
    }),
  );
  const created = inTransaction(db, () => {
    if (meta.get(DEMO_SEEDED_KEY) !== undefined) return [];
    const added: DemoCredential[] = [];
    for (const { credential, passwordHash } of candidates) {
      if (extensions.exists(credential.number) || extensions.getByEmail(credential.email)) continue;
      extensions.add({ number: credential.number, displayName: credential.displayName, email: credential.email, passwordHash, sipSecret: credential.sipSecret });
      added.push(credential);
    }
    meta.set(DEMO_SEEDED_KEY, new Date().toISOString());
    return added;
  });
  if (created.length > 0) {
    const path = join(dataDir, DEMO_CREDENTIALS_FILE);
    writeFileSync(path, `${JSON.stringify({ extensions: created }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return created;
}

function readCredentialFile(path: string): DemoCredential[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
  const list = (parsed as { extensions?: unknown }).extensions;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (entry): entry is DemoCredential =>
      typeof entry === 'object' &&
      entry !== null &&
      ['number', 'displayName', 'email', 'password', 'sipSecret'].every((key) => typeof (entry as Record<string, unknown>)[key] === 'string'),
  );
}

/**
 * The demo credentials that still work: an entry is shown only while its web password verifies
 * against the stored hash, and its SIP secret only while it is the stored one.
 */
export async function currentDemoCredentials(dataDir: string, extensions: ExtensionRepository): Promise<DemoCredentialView[]> {
  const views: DemoCredentialView[] = [];
  for (const entry of readCredentialFile(join(dataDir, DEMO_CREDENTIALS_FILE))) {
    const extension = extensions.get(entry.number);
    if (!extension || !(await verifyPassword(entry.password, extension.passwordHash))) continue;
    views.push({
      number: extension.number,
      displayName: extension.displayName,
      email: extension.email,
      password: entry.password,
      sipSecret: extension.sipSecret === entry.sipSecret ? entry.sipSecret : undefined,
    });
  }
  return views;
}

/** A demo extension that still has a credential the demo generated. */
export interface DemoLeftover {
  number: string;
  webPassword: boolean;
  sipSecret: boolean;
}

/**
 * The extensions the demo created that still exist with a credential it generated (the web
 * password still verifies, or the SIP secret is still the stored one). Asked when the demo is
 * off: earlier versions printed those credentials in the start banner, which a service manager
 * keeps in its log, so such an extension is open to whoever reads that log.
 */
export async function leftoverDemoExtensions(dataDir: string, extensions: ExtensionRepository): Promise<DemoLeftover[]> {
  const leftovers: DemoLeftover[] = [];
  for (const entry of readCredentialFile(join(dataDir, DEMO_CREDENTIALS_FILE))) {
    const extension = extensions.get(entry.number);
    if (!extension) continue;
    const webPassword = await verifyPassword(entry.password, extension.passwordHash);
    const sipSecret = extension.sipSecret === entry.sipSecret;
    if (webPassword || sipSecret) leftovers.push({ number: extension.number, webPassword, sipSecret });
  }
  return leftovers;
}

/** The one line the log and the start banner show about them: which, why it matters, what to do. */
export function demoLeftoverWarning(leftovers: readonly DemoLeftover[]): string {
  const which = leftovers.map(({ number, webPassword, sipSecret }) => `${number} (${[webPassword && 'web password', sipSecret && 'SIP secret'].filter(Boolean).join(' and ')})`);
  const first = leftovers[0]?.number ?? '<number>';
  return (
    `demo extension${leftovers.length === 1 ? '' : 's'} ${which.join(', ')} still ${leftovers.length === 1 ? 'has' : 'have'} the credentials the demo generated, ` +
    `which earlier versions printed into the service log, while the demo is off (demo.seedExtensions): ` +
    `remove ${leftovers.length === 1 ? 'it' : 'them'} (callpane ext rm ${first}) or change ${leftovers.length === 1 ? 'its' : 'their'} secrets (callpane ext passwd ${first} --sip)`
  );
}
