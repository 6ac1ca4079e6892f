/**
 * Privilege checks for server-side callers (application users): a Web API request is refused
 * 403 unless the caller's security roles grant every privilege it needs, as Dataverse refuses it
 * (https://learn.microsoft.com/power-platform/admin/how-record-access-determined):
 * Read on the table (and on each table `$expand` reaches); Create, or Write for a PATCH to an
 * existing record, or Delete; for each `@odata.bind` (the activity's parties included) Append on
 * the table and AppendTo on the target; Assign to change a record's owner — and to create a record
 * owned by someone other than the caller: setting `ownerid` is what takes ASSIGN, while CREATE
 * (with READ) is what it takes to create a record and be its owner
 * (https://learn.microsoft.com/power-apps/developer/data-platform/security-access-rights).
 *
 * A PATCH's condition is decided before any of that: `If-None-Match: *` on a record that exists
 * (412) or `If-Match` on one that does not (404) writes nothing, so it needs no privilege to
 * write (docs/dataverse.md §6) — the journal's create-only upsert of an activity a pane already
 * made is answered 412, not refused for Write or Assign it never uses.
 *
 * The refusal names the first missing privilege the way Dataverse's security library does
 * ("Principal user (Id=…) is missing prvCreateActivity privilege", 0x80040220, as quoted in
 * https://learn.microsoft.com/troubleshoot/dynamics-365/field-service/mobile-app/newux-error-on-start-permission);
 * a user with no role at all gets "SecLib::RetrievePrivilegeForUser failed - no roles are
 * assigned to user" (0x80042f09), so `callpane dynamics check` can tell an application user
 * without its role from one whose role lacks a privilege. The sandbox's own pages act as
 * interactive users and are not checked (docs/dataverse.md §12).
 */
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { Dataverse } from './dataverse.ts';
import { entityByLogicalName, type EntityDef } from './entity-schema.ts';
import type { QueryParams } from './query-options.ts';
import type { ResourcePath } from './resource-path.ts';
import { privilegeName, rolesGrant, type Access } from './security-roles.ts';
import { parseGuid } from './value-format.ts';

interface Need {
  access: Access;
  logicalName: string;
}

const BIND = '@odata.bind';
/** The key of an owner bound as a user: `/systemusers(<id>)`, relative or absolute. */
const OWNER_USER = /(?:^|\/)systemusers\(([^)]*)\)$/;
/** -2147209463, how the security library prints 0x80042F09. */
const NO_ROLES_HRESULT = -2147209463;

/** A PATCH's conditional headers (If-Match, If-None-Match). */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export function checkPrivileges(
  dataverse: Dataverse,
  userId: string,
  method: string,
  path: ResourcePath,
  body: unknown,
  query: QueryParams,
  conditions: WriteConditions = {},
): void {
  if (path.kind === 'service' || path.kind === 'whoami') return;
  const entity = dataverse.entity(path.set);
  const needs = requiredPrivileges(dataverse, { entity, userId, method, path, body, query, conditions });
  if (needs.length === 0) return;
  const roles = dataverse.rolesOf(userId);
  if (roles.length === 0) {
    throw new DataverseError(
      403,
      DataverseErrorCode.NoRolesAssigned,
      `SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user. Returned hr = ${NO_ROLES_HRESULT}, User: ${userId}`,
    );
  }
  for (const need of needs) {
    const privilege = privilegeName(need.access, need.logicalName);
    if (rolesGrant(roles, privilege)) continue;
    throw new DataverseError(
      403,
      DataverseErrorCode.PrivilegeDenied,
      `Principal user (Id=${userId}, type=8, roleCount=${roles.length}, accessMode=${accessModeOf(dataverse, userId)}), is missing ${privilege} privilege for entity '${need.logicalName}'.`,
    );
  }
}

interface PrivilegeRequest {
  entity: EntityDef;
  userId: string;
  method: string;
  path: Exclude<ResourcePath, { kind: 'service' | 'whoami' }>;
  body: unknown;
  query: QueryParams;
  conditions: WriteConditions;
}

function requiredPrivileges(dataverse: Dataverse, { entity, userId, method, path, body, query, conditions }: PrivilegeRequest): Need[] {
  const own = (access: Access): Need => ({ access, logicalName: entity.logicalName });
  const assignOnCreate = (): Need[] => (namesAnotherOwner(body, userId) ? [own('Assign')] : []);
  switch (method) {
    case 'GET':
      if (path.kind === 'related') {
        const target = entity.collections?.[path.navigation]?.target;
        return [own('Read'), ...(target ? [{ access: 'Read' as const, logicalName: target }] : [])];
      }
      return [own('Read'), ...expandTargets(entity, query).map((logicalName) => ({ access: 'Read' as const, logicalName }))];
    case 'POST':
      return path.kind === 'collection' ? [own('Create'), ...assignOnCreate(), ...bindNeeds(entity, body)] : [];
    case 'PATCH': {
      if (path.kind !== 'record') return [];
      const exists = recordExists(dataverse, path.set, path.key);
      // The condition fails and nothing is written: the write answers 412 or 404 (record-writer.ts).
      if (exists ? conditions.ifNoneMatch === '*' : conditions.ifMatch !== undefined) return [];
      if (!exists) return [own('Create'), ...assignOnCreate(), ...bindNeeds(entity, body)];
      const assigning = isObject(body) && Object.hasOwn(body, `ownerid${BIND}`);
      return [own('Write'), ...(assigning ? [own('Assign')] : []), ...bindNeeds(entity, body)];
    }
    case 'DELETE':
      return path.kind === 'record' ? [own('Delete')] : [];
    default:
      return [];
  }
}

/** Append on the table and AppendTo on the target for each lookup the body binds (the owner is Assign's, not Append's). */
function bindNeeds(entity: EntityDef, body: unknown): Need[] {
  if (!isObject(body)) return [];
  const needs: Need[] = [];
  const bind = (owner: EntityDef, key: string) => {
    if (!key.endsWith(BIND) || key === `ownerid${BIND}`) return;
    const navigation = key.slice(0, -BIND.length);
    const target = owner.lookups.map((lookup) => lookup.navigation[navigation]).find((name) => name !== undefined);
    if (target) needs.push({ access: 'Append', logicalName: entity.logicalName }, { access: 'AppendTo', logicalName: target });
  };
  for (const [key, value] of Object.entries(body)) {
    bind(entity, key);
    const collection = entity.collections?.[key];
    const related = collection ? entityByLogicalName(collection.target) : undefined;
    if (related && Array.isArray(value)) for (const item of value) if (isObject(item)) for (const itemKey of Object.keys(item)) bind(related, itemKey);
  }
  return needs;
}

/** Whether a create's `ownerid@odata.bind` names an owner other than the caller (a user's id, or a team). */
function namesAnotherOwner(body: unknown, userId: string): boolean {
  if (!isObject(body)) return false;
  const owner = body[`ownerid${BIND}`];
  if (owner === undefined || owner === null) return false;
  const named = typeof owner === 'string' ? OWNER_USER.exec(owner)?.[1] : undefined;
  return named === undefined || parseGuid(named) !== userId.toLowerCase();
}

/** The tables a `$expand` reaches (its top-level navigation properties). */
function expandTargets(entity: EntityDef, query: QueryParams): string[] {
  const expand = query.$expand;
  if (typeof expand !== 'string') return [];
  const names = expand
    .replace(/\([^()]*\)/g, '')
    .split(',')
    .map((name) => name.trim());
  return names.flatMap((name) => {
    const single = entity.lookups.map((lookup) => lookup.navigation[name]).find((target) => target !== undefined);
    const target = single ?? entity.collections?.[name]?.target;
    return target ? [target] : [];
  });
}

function recordExists(dataverse: Dataverse, set: string, key: string): boolean {
  try {
    dataverse.retrieve(set, key, { $select: dataverse.entity(set).primaryKey });
    return true;
  } catch (error) {
    if (error instanceof DataverseError && error.status === 404) return false;
    throw error;
  }
}

function accessModeOf(dataverse: Dataverse, userId: string): number | null {
  try {
    return dataverse.retrieve('systemusers', userId, { $select: 'accessmode' }).record.accessmode as number | null;
  } catch {
    return null;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
