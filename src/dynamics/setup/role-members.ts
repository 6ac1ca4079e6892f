/**
 * `callpane dynamics users --role NAME`: the Dynamics users who hold a security role, proposed as
 * extensions in the CSV `callpane ext import` reads (number,name,email; src/cli/extension-import.ts).
 * Roles are looked up by name — each business unit has its own copy of a role, so every role of
 * that name counts — and their users through the systemuserroles_association relationship
 * (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/role).
 * Disabled users, application users and users without an e-mail address are left out (single
 * sign-on and the journal find an agent by e-mail); so is anyone who already has an extension.
 */
import type { WebApiClient } from '../web-api/web-api-client.ts';
import { allRows } from './all-rows.ts';
import { odataString } from './odata-string.ts';

export interface RoleMember {
  systemuserid: string;
  fullname: string;
  email: string;
}

export interface RoleMembers {
  /** The role ids of that name (empty: no such role). */
  roleIds: string[];
  members: RoleMember[];
  /** Users holding the role but left out, with why. */
  skipped: { name: string; reason: string }[];
}

interface UserRow {
  systemuserid?: string;
  fullname?: string | null;
  internalemailaddress?: string | null;
  isdisabled?: boolean | null;
  applicationid?: string | null;
}

export async function roleMembers(client: WebApiClient, roleName: string, signal?: AbortSignal): Promise<RoleMembers> {
  const roles = await allRows(client, `roles?$select=roleid,name&$filter=${encodeURIComponent(`name eq ${odataString(roleName)}`)}`, signal);
  const roleIds = roles.map((role) => String(role.roleid));
  const seen = new Set<string>();
  const members: RoleMember[] = [];
  const skipped: RoleMembers['skipped'] = [];
  for (const roleId of roleIds) {
    const users = (await allRows(
      client,
      `roles(${roleId})/systemuserroles_association?$select=systemuserid,fullname,internalemailaddress,isdisabled,applicationid`,
      signal,
    )) as UserRow[];
    for (const user of users) {
      const id = String(user.systemuserid);
      if (seen.has(id)) continue;
      seen.add(id);
      const name = (user.fullname ?? '').trim() || id;
      if (user.isdisabled) skipped.push({ name, reason: 'disabled' });
      else if (user.applicationid) skipped.push({ name, reason: 'an application user' });
      else if (!user.internalemailaddress) skipped.push({ name, reason: 'no primary e-mail address' });
      else members.push({ systemuserid: id, fullname: name, email: user.internalemailaddress.trim() });
    }
  }
  members.sort((a, b) => a.fullname.localeCompare(b.fullname) || a.email.localeCompare(b.email));
  return { roleIds, members, skipped };
}

export interface ExistingExtension {
  number: string;
  email: string | null;
}

export interface ProposedExtensions {
  rows: { number: string; name: string; email: string }[];
  /** Members who already have an extension (by e-mail), with its number. */
  existing: { name: string; email: string; number: string }[];
}

/** Numbers for the members without an extension (by e-mail): from `start` upwards, skipping numbers in use. */
export function proposeExtensions(members: readonly RoleMember[], extensions: readonly ExistingExtension[], start: number): ProposedExtensions {
  const taken = new Set(extensions.map((extension) => extension.number));
  const byEmail = new Map<string, string>();
  for (const { email, number } of extensions) if (email) byEmail.set(email.toLowerCase(), number);
  const rows: ProposedExtensions['rows'] = [];
  const existing: ProposedExtensions['existing'] = [];
  let next = start;
  for (const member of members) {
    const number = byEmail.get(member.email.toLowerCase());
    if (number !== undefined) {
      existing.push({ name: member.fullname, email: member.email, number });
      continue;
    }
    while (taken.has(String(next))) next++;
    rows.push({ number: String(next), name: member.fullname, email: member.email });
    taken.add(String(next));
    next++;
  }
  return { rows, existing };
}
