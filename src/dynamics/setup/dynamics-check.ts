/**
 * `callpane dynamics check`: what the server-side path needs of the org, one line each, ok or
 * what to fix, in the order a new installation meets them — a token from Entra ID, the org
 * answering WhoAmI, the application user and its security roles, a Dynamics user for every
 * extension (by e-mail, as the journal maps agents: src/dynamics/journal/dynamics-users.ts) and
 * the channel provider record pointing at this Callpane. A step that fails stops the ones that
 * need it. Plain data out; the CLI prints it.
 * Application users: https://learn.microsoft.com/power-platform/admin/manage-application-users
 */
import type { DynamicsConnection } from '../../config/dynamics-config.ts';
import { WebApiErrorCode } from '../dynamics-errors.ts';
import type { TokenSource } from '../web-api/token-source.ts';
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { WebApiError } from '../web-api/web-api-error.ts';
import { allRows } from './all-rows.ts';
import { callpaneChannelUrl, CIF_API_VERSION_1_0, pointsAtCallpane } from './channel-provider-record.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckLine {
  status: CheckStatus;
  /** What was checked: `token`, `org`, `application user`, `roles`, `extension 1001`, `channel provider`. */
  subject: string;
  /** What was found, or what to fix. */
  detail: string;
}

export interface CheckExtension {
  number: string;
  displayName: string;
  email: string | null;
}

export interface CheckInput {
  connection: DynamicsConnection;
  tokens: TokenSource;
  client: WebApiClient;
  extensions: readonly CheckExtension[];
  /** This Callpane's URL as Dynamics frames it (http.publicUrl); undefined: the Channel URL cannot be judged. */
  paneUrl: string | undefined;
  signal?: AbortSignal;
}

interface UserRow {
  systemuserid: string;
  fullname: string | null;
  internalemailaddress: string | null;
  domainname: string | null;
}

export async function checkDynamics(input: CheckInput): Promise<CheckLine[]> {
  const { connection, client, signal } = input;
  const lines: CheckLine[] = [];
  const line = (status: CheckStatus, subject: string, detail: string) => lines.push({ status, subject, detail });

  try {
    await input.tokens.token(signal);
    line('ok', 'token', `issued by ${connection.tokenUrl} for ${connection.url}/.default`);
  } catch (error) {
    const refused = error instanceof WebApiError && error.code === WebApiErrorCode.TOKEN_REFUSED;
    line(
      'fail',
      'token',
      `${messageOf(error)}${refused ? ` — check dynamics.tenantId, dynamics.clientId and the credential against the app registration in the Entra admin center` : ''}`,
    );
    return lines;
  }

  let userId: string;
  try {
    const answer = await client.request({ method: 'GET', path: 'WhoAmI' }, signal);
    const body = answer.body as { UserId?: string; OrganizationId?: string };
    userId = String(body.UserId);
    line('ok', 'org', `${connection.url} answers WhoAmI (organization ${body.OrganizationId}, user ${userId})`);
  } catch (error) {
    const unauthorized = error instanceof WebApiError && (error.code === WebApiErrorCode.UNAUTHORIZED || error.status === 403);
    line(
      'fail',
      'org',
      unauthorized
        ? `${connection.url} does not know the app ${connection.clientId}: add it as an application user (Power Platform admin center → the environment → Settings → Users + permissions → Application users → New app user) with a security role`
        : messageOf(error),
    );
    return lines;
  }

  try {
    const user = (await client.request({ method: 'GET', path: `systemusers(${userId})?$select=fullname,applicationid,isdisabled` }, signal)).body as {
      fullname?: string;
      applicationid?: string | null;
      isdisabled?: boolean;
    };
    if (user.isdisabled) line('fail', 'application user', `${user.fullname ?? userId} is disabled: enable it in the Power Platform admin center (Application users)`);
    else line('ok', 'application user', `${user.fullname ?? userId}${user.applicationid ? ` (application id ${user.applicationid})` : ''}`);
    const roles = await allRows(client, `systemusers(${userId})/systemuserroles_association?$select=name`, signal);
    const names = roles.map((role) => String(role.name)).sort();
    if (names.length === 0) line('fail', 'roles', 'the application user has no security role: give it one with the privileges docs/admin-dynamics.md lists (Callpane Integration)');
    else line('ok', 'roles', names.join(', '));
  } catch (error) {
    line('fail', 'application user', readRefusal(error, 'systemusers and their roles', 'Read on User and Security Role'));
    return lines;
  }

  let users: UserRow[];
  try {
    users = (await allRows(client, 'systemusers?$select=systemuserid,fullname,internalemailaddress,domainname&$filter=isdisabled eq false', signal)) as unknown as UserRow[];
  } catch (error) {
    line('fail', 'extensions', readRefusal(error, 'systemusers', 'Read on User'));
    return lines;
  }
  lines.push(...extensionLines(input.extensions, users));
  lines.push(...(await channelProviderLines(input)));
  return lines;
}

/** Each extension's Dynamics user: the enabled user whose primary e-mail or user name is the extension's e-mail. */
export function extensionLines(extensions: readonly CheckExtension[], users: readonly UserRow[]): CheckLine[] {
  const byAddress = new Map<string, UserRow>();
  for (const user of users) {
    for (const address of [user.internalemailaddress, user.domainname]) if (address) byAddress.set(address.trim().toLowerCase(), user);
  }
  return extensions.map((extension) => {
    const subject = `extension ${extension.number}`;
    if (!extension.email) {
      return {
        status: 'fail',
        subject,
        detail: `${extension.displayName} has no e-mail address: set the agent's Dynamics e-mail (callpane ext email ${extension.number} <e-mail>); until then its calls are journaled as the application user`,
      };
    }
    const user = byAddress.get(extension.email.trim().toLowerCase());
    if (!user) {
      return {
        status: 'fail',
        subject,
        detail: `${extension.displayName}: no enabled Dynamics user has the e-mail or user name ${extension.email}; its calls are journaled as the application user, the agent named in the description`,
      };
    }
    return { status: 'ok', subject, detail: `${extension.displayName} is ${user.fullname ?? user.systemuserid} (${extension.email})` };
  });
}

async function channelProviderLines({ client, connection, paneUrl, signal }: CheckInput): Promise<CheckLine[]> {
  const subject = 'channel provider';
  let records: Record<string, unknown>[];
  try {
    records = await allRows(
      client,
      'msdyn_ciproviders?$select=msdyn_name,msdyn_label,msdyn_landingurl,msdyn_ciproviderapiversion&$filter=statecode eq 0&$orderby=msdyn_sortorder asc',
      signal,
    );
  } catch (error) {
    if (error instanceof WebApiError && error.status === 404) {
      return [
        {
          status: 'fail',
          subject,
          detail:
            'the org has no msdyn_ciproviders table: Channel Integration Framework 1.0 is not installed (it comes with Dynamics 365 Customer Service; docs/admin-dynamics.md)',
        },
      ];
    }
    return [{ status: 'fail', subject, detail: readRefusal(error, 'msdyn_ciproviders', 'Read on Channel Integration Framework v1.0 Provider') }];
  }
  const setup =
    paneUrl === undefined
      ? `callpane dynamics setup --channel-url <Callpane URL>/dyncrm?base=${connection.url}`
      : `callpane dynamics setup (Channel URL ${callpaneChannelUrl(paneUrl, connection.url)})`;
  const cif1 = records.filter((record) => (record.msdyn_ciproviderapiversion ?? CIF_API_VERSION_1_0) === CIF_API_VERSION_1_0);
  if (cif1.length === 0)
    return [
      {
        status: 'fail',
        subject,
        detail: `no active CIF 1.0 channel provider record, so Dynamics shows no panel: run ${setup}, or make it by hand (callpane dynamics setup --help)`,
      },
    ];
  const describe = (record: Record<string, unknown>) => `${String(record.msdyn_label ?? record.msdyn_name)} → ${String(record.msdyn_landingurl)}`;
  if (paneUrl === undefined) {
    return [{ status: 'warn', subject, detail: `${cif1.map(describe).join('; ')}: set http.publicUrl so the check can tell whether it is this Callpane` }];
  }
  const ours = cif1.find((record) => typeof record.msdyn_landingurl === 'string' && pointsAtCallpane(record.msdyn_landingurl, paneUrl, connection.url));
  if (ours) return [{ status: 'ok', subject, detail: describe(ours) }];
  return [
    {
      status: 'fail',
      subject,
      detail: `no record's Channel URL is this Callpane (${callpaneChannelUrl(paneUrl, connection.url)}): ${cif1.map(describe).join('; ')}; run ${setup}`,
    },
  ];
}

function readRefusal(error: unknown, what: string, privilege: string): string {
  if (error instanceof WebApiError && error.status === 403) return `the application user may not read ${what}: its security role needs ${privilege}`;
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
