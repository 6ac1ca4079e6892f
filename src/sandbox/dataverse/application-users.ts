/**
 * Application users: how a server-side caller (an app registration signing in with client
 * credentials) becomes a Dataverse user. An administrator adds the app as a `systemuser` whose
 * `applicationid` is the app's client id, with access mode 4 (Non-interactive), and gives it a
 * security role; the caller then acts as that user, with that role's privileges
 * (https://learn.microsoft.com/power-platform/admin/manage-application-users). The sandbox does
 * the administrator's part for each client it is configured with, giving the new user the
 * Callpane Integration role (security-roles.ts); ids are name-based, so the same client id is the
 * same user at every start.
 */
import { nameBasedUuid } from '../../crm/activity-id.ts';
import type { Dataverse } from './dataverse.ts';
import type { SeedRecord } from './seed-data.ts';
import type { OAuthOptions } from './token-issuer.ts';
import { parseGuid } from './value-format.ts';

/** Namespace of the sandbox's application user ids (drawn once at random; changing it orphans existing users). */
const APPLICATION_USER_NAMESPACE = '3f0b6e52-8d1c-4c3a-9a57-2f6d0c1e9b84';

/** systemuser.accessmode of an application user: Non-interactive. */
export const NON_INTERACTIVE_ACCESS_MODE = 4;

export function applicationUserId(clientId: string): string {
  return nameBasedUuid(APPLICATION_USER_NAMESPACE, `systemuser:${clientId.toLowerCase()}`);
}

/** The systemuser row an administrator would add for the app registration `clientId`. */
export function applicationUserRecord(clientId: string): SeedRecord {
  const client = clientId.toLowerCase();
  return {
    systemuserid: applicationUserId(client),
    firstname: '#',
    lastname: `Callpane (${client})`,
    domainname: `${client}@application.sandbox.example`,
    internalemailaddress: null,
    isdisabled: false,
    applicationid: client,
    accessmode: NON_INTERACTIVE_ACCESS_MODE,
    // Entra ID's object id of the app's service principal; the sandbox has no directory, so it is derived too.
    azureactivedirectoryobjectid: nameBasedUuid(APPLICATION_USER_NAMESPACE, `serviceprincipal:${client}`),
  };
}

/**
 * The OAuth options with each client acting as its application user: a client configured with
 * a userId keeps it; any other gets the application user of its client id, added when missing.
 */
export function withApplicationUsers(dataverse: Dataverse, oauth: OAuthOptions = {}): OAuthOptions {
  if (!oauth.clients) return oauth;
  return {
    ...oauth,
    clients: oauth.clients.map((client) => {
      if (client.userId !== undefined) return client;
      if (parseGuid(client.clientId) === undefined) throw new RangeError(`oauth: client id ${JSON.stringify(client.clientId)} is not a GUID, as Entra ID application ids are`);
      return { ...client, userId: dataverse.ensureApplicationUser(client.clientId) };
    }),
  };
}
