/**
 * The sandbox's security roles and what they allow. Dataverse grants every table operation by a
 * privilege named `prv{Create|Read|Write|Delete|Append|AppendTo|Assign}{table}` held through a
 * security role; activities share one set (`prvCreateActivity`, …) and a user's table is `User`
 * (https://learn.microsoft.com/power-apps/developer/data-platform/security-concepts,
 * https://learn.microsoft.com/power-platform/admin/how-record-access-determined).
 * The roles are rows of `roles`, linked to users through `systemuserroles_association`; their
 * privileges live here, by role id, all at organization depth (the sandbox has one business unit).
 */

export type Access = 'Create' | 'Read' | 'Write' | 'Delete' | 'Append' | 'AppendTo' | 'Assign';

export interface RoleDefinition {
  id: string;
  name: string;
  /** Privilege names, or 'all' for System Administrator. */
  privileges: 'all' | ReadonlySet<string>;
}

/** The privilege entity of a table: activities share `Activity`, a user is `User`, others their schema name. */
const PRIVILEGE_TABLES: Readonly<Record<string, string>> = {
  contact: 'Contact',
  account: 'Account',
  lead: 'Lead',
  phonecall: 'Activity',
  activityparty: 'Activity',
  systemuser: 'User',
  usersettings: 'UserSettings',
  role: 'Role',
  systemuserroles: 'Role',
  msdyn_ciprovider: 'msdyn_ciprovider',
};

export function privilegeName(access: Access, logicalName: string): string {
  return `prv${access}${PRIVILEGE_TABLES[logicalName] ?? logicalName}`;
}

const grant = (accesses: readonly Access[], tables: readonly string[]) => tables.flatMap((table) => accesses.map((access) => privilegeName(access, table)));
const roleId = (n: number) => `201e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const SYSTEM_ADMINISTRATOR: RoleDefinition = { id: roleId(1), name: 'System Administrator', privileges: 'all' };

/** The interactive agents' role: their records and activities, and Read on the channel provider so the panel shows (docs/cif-contract.md §8). */
export const SALESPERSON: RoleDefinition = {
  id: roleId(2),
  name: 'Salesperson',
  privileges: new Set([
    ...grant(['Create', 'Read', 'Write', 'Append', 'AppendTo'], ['contact', 'account', 'lead', 'phonecall']),
    ...grant(['Read'], ['systemuser', 'usersettings', 'role', 'msdyn_ciprovider']),
  ]),
};

/**
 * What Callpane's application user needs, and no more: read the callers' records (phone index,
 * regarding) and the users and their roles (agent mapping, `callpane dynamics check`); create,
 * read and update phone calls, link them to records and users, and give them to the agent's
 * Dynamics user (Assign: a create owned by another user needs it); create and update the
 * channel provider record (`callpane dynamics setup`; an administrator may keep those two and do
 * that by hand).
 */
export const CALLPANE_INTEGRATION: RoleDefinition = {
  id: roleId(3),
  name: 'Callpane Integration',
  privileges: new Set([
    ...grant(['Read', 'AppendTo'], ['contact', 'account', 'lead']),
    ...grant(['Read', 'AppendTo'], ['systemuser']),
    ...grant(['Read'], ['role']),
    ...grant(['Create', 'Read', 'Write', 'Append', 'Assign'], ['phonecall']),
    ...grant(['Create', 'Read', 'Write'], ['msdyn_ciprovider']),
  ]),
};

export const ROLE_DEFINITIONS: readonly RoleDefinition[] = [SYSTEM_ADMINISTRATOR, SALESPERSON, CALLPANE_INTEGRATION];

/** Whether the roles (by id) grant the privilege; a role the sandbox does not define grants nothing. */
export function rolesGrant(roleIds: readonly string[], privilege: string): boolean {
  return ROLE_DEFINITIONS.some((role) => roleIds.includes(role.id) && (role.privileges === 'all' || role.privileges.has(privilege)));
}
