/**
 * The sandbox Dataverse: one implementation of Dataverse's query and write semantics, used by
 * the Web API routes (routes.ts) and by the CIF emulation alike. Entity sets are addressed by
 * their Web API names ("contacts"); every failure is a DataverseError carrying the HTTP status
 * and the `{"error":{"code","message"}}` body Dataverse would answer with.
 */
import { applicationUserId, applicationUserRecord } from './application-users.ts';
import { collectionCondition } from './collection-link.ts';
import { DataverseError, DataverseErrorCode, querySyntaxError, segmentNotFound } from './dataverse-error.ts';
import { entityByLogicalName, entityBySet, ENTITIES, queryableProperty, type EntityDef } from './entity-schema.ts';
import { parseQueryString, type QueryParams } from './query-options.ts';
import { quickFindFilter } from './quick-find.ts';
import { RecordReader, type QueryResult, type ReadOptions, type RetrieveResult } from './record-reader.ts';
import { RecordStore } from './record-store.ts';
import { ChangeTracking } from './change-tracking.ts';
import { RecordWriter, type UpsertOptions, type WriteOptions, type WriteResult } from './record-writer.ts';
import { RequestThrottle, type Admission, type ThrottleLimits } from './request-throttle.ts';
import { seedData } from './seed-data.ts';
import { CALLPANE_INTEGRATION, ROLE_DEFINITIONS } from './security-roles.ts';
import { parseGuid } from './value-format.ts';

export interface DataverseOptions {
  /** SQLite database file, or ':memory:'. */
  path: string;
  /** Load the seed when the database has no records yet (default true). */
  seed?: boolean;
  /** Clock for createdon/modifiedon, throttling windows and token lifetimes (default: the system clock). */
  now?: () => Date;
  /**
   * Days a change tracking delta token stays good (Organization.ExpireChangeTrackingInDays:
   * 0..365, default 7); an older one is refused with ExpiredVersionStamp (change-tracking.ts).
   */
  changeTrackingRetentionDays?: number;
}

/** When the seed records were made, so a reset restores identical rows. */
const SEED_TIME = new Date('2024-01-15T09:00:00Z');

export class Dataverse {
  private readonly store: RecordStore;
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;
  private readonly clock: () => Date;
  private readonly throttler = new RequestThrottle();

  constructor(options: DataverseOptions) {
    this.clock = options.now ?? (() => new Date());
    this.store = new RecordStore(options.path, this.clock);
    this.reader = new RecordReader(this.store, new ChangeTracking(this.store, this.clock, options.changeTrackingRetentionDays));
    this.writer = new RecordWriter(this.store, this.clock);
    if (options.seed !== false) {
      if (this.isEmpty()) this.loadSeed();
      else this.addMissingSeedRoles();
    }
  }

  /** Entity set names, as the service document lists them. */
  get entitySets(): string[] {
    return ENTITIES.map((entity) => entity.setName);
  }

  /** The entity behind a set name; 404 "Resource not found for the segment" when unknown (names are case-sensitive). */
  entity(setName: string): EntityDef {
    const entity = entityBySet(setName);
    if (!entity) throw segmentNotFound(setName);
    return entity;
  }

  /** The entity set of a logical name ("contact" → "contacts"), for callers that speak logical names (CIF). */
  entitySetFor(logicalName: string): string {
    const entity = entityByLogicalName(logicalName);
    if (!entity) throw segmentNotFound(logicalName);
    return entity.setName;
  }

  /** GET {set}?$select…: `query` is a query string ("?$select=…") or already-parsed parameters. */
  retrieveMultiple(setName: string, query: string | QueryParams = {}, options: ReadOptions = {}): QueryResult {
    return this.reader.retrieveMultiple(this.entity(setName), params(query), options);
  }

  /**
   * Quick find (list search boxes, the search page of renderSearchPage): `text` begins one of
   * the table's find columns, `*` a wildcard (quick-find.ts); `query` adds $select, $orderby,
   * $top and a $filter that must hold too. Runs through retrieveMultiple.
   */
  quickFind(setName: string, text: string, query: string | QueryParams = {}, options: ReadOptions = {}): QueryResult {
    const entity = this.entity(setName);
    const merged: Record<string, string | readonly string[] | undefined> = { ...params(query) };
    const filter = quickFindFilter(entity, text);
    const own = merged.$filter;
    if (filter !== undefined) merged.$filter = own === undefined ? filter : typeof own === 'string' ? `(${filter}) and (${own})` : own;
    return this.reader.retrieveMultiple(entity, merged, options);
  }

  /** GET {set}({id}) with $select/$expand. */
  retrieve(setName: string, id: string, query: string | QueryParams = {}, options: ReadOptions = {}): RetrieveResult {
    const entity = this.entity(setName);
    return this.reader.retrieve(entity, this.key(id), params(query), options);
  }

  /**
   * GET {set}({id})/{collection}: the records a collection-valued navigation property holds
   * (`systemusers(…)/systemuserroles_association`), with the query options a set takes.
   */
  retrieveRelated(setName: string, id: string, navigation: string, query: string | QueryParams = {}, options: ReadOptions = {}): QueryResult {
    const entity = this.entity(setName);
    const key = this.key(id);
    const link = entity.collections?.[navigation];
    if (!link) {
      const known = queryableProperty(entity, navigation) !== undefined || entity.lookups.some((lookup) => lookup.navigation[navigation] !== undefined);
      if (known) throw new DataverseError(501, DataverseErrorCode.None, `The sandbox Dataverse does not support navigation or property segments ('/${navigation}').`);
      throw segmentNotFound(navigation);
    }
    this.reader.retrieve(entity, key, { $select: entity.primaryKey });
    const target = entityByLogicalName(link.target) as EntityDef;
    // The related keys, as a $filter the caller's own $filter must hold with.
    const ids = this.store.select(target, { where: collectionCondition(target, link, key) }).map((row) => `${target.primaryKey} eq ${String(row[target.primaryKey])}`);
    const within = ids.length === 0 ? `${target.primaryKey} eq null` : ids.join(' or ');
    const merged: Record<string, string | readonly string[] | undefined> = { ...params(query) };
    const own = merged.$filter;
    merged.$filter = own === undefined ? within : typeof own === 'string' ? `(${within}) and (${own})` : own;
    return this.reader.retrieveMultiple(target, merged, options);
  }

  /** POST {set}: a client-chosen primary key in the body is honoured; an existing one fails (412). */
  create(setName: string, body: unknown, options: WriteOptions = {}): WriteResult {
    return this.writer.create(this.entity(setName), body, { dialect: options.dialect, callerId: options.callerId });
  }

  /** PATCH {set}({id}): update, or create when missing (upsert), limited by If-Match / If-None-Match. */
  upsert(setName: string, id: string, body: unknown, options: UpsertOptions = {}): WriteResult {
    const entity = this.entity(setName);
    return this.writer.upsert(entity, this.key(id), body, { dialect: options.dialect, callerId: options.callerId, ifMatch: options.ifMatch, ifNoneMatch: options.ifNoneMatch });
  }

  /** PATCH with If-Match: * — update only. */
  update(setName: string, id: string, body: unknown, options: WriteOptions = {}): WriteResult {
    return this.upsert(setName, id, body, { ...options, ifMatch: '*' });
  }

  /** DELETE {set}({id}). */
  delete(setName: string, id: string, options: { ifMatch?: string } = {}): void {
    const entity = this.entity(setName);
    this.writer.delete(entity, this.key(id), options);
  }

  /** The primary name of a record ("fullname", "name", "subject"), or null. */
  nameOf(logicalName: string, id: string): string | null {
    return this.reader.nameOf(logicalName, id);
  }

  /**
   * The application user of the app registration `clientId` (its systemuserid): added with the
   * Callpane Integration role when the organization has none yet (application-users.ts); an
   * existing one is left as it is, roles included.
   */
  ensureApplicationUser(clientId: string): string {
    const id = applicationUserId(clientId);
    const users = this.entity('systemusers');
    if (this.store.find(users, id)) return id;
    this.store.transaction(() => {
      const system = { system: true };
      const roles = this.entity('roles');
      if (!this.store.find(roles, CALLPANE_INTEGRATION.id)) this.writer.create(roles, { roleid: CALLPANE_INTEGRATION.id, name: CALLPANE_INTEGRATION.name }, system);
      this.writer.create(users, applicationUserRecord(clientId), system);
      this.writer.create(this.entity('systemuserrolescollection'), { systemuserid: id, roleid: CALLPANE_INTEGRATION.id }, system);
    });
    return id;
  }

  /** The ids of the security roles a user holds (systemuserroles_association). */
  rolesOf(userId: string): string[] {
    return this.store.select(this.entity('systemuserrolescollection'), { where: { sql: '"systemuserid" = ?', params: [userId] } }).map((row) => String(row.roleid));
  }

  /**
   * Gives a user exactly these security roles (by id; each must be one the sandbox defines), as an
   * administrator does under Manage security roles. For tests and demos of a missing privilege.
   */
  setUserRoles(userId: string, roleIds: readonly string[]): void {
    const links = this.entity('systemuserrolescollection');
    const roles = this.entity('roles');
    const system = { system: true };
    this.store.transaction(() => {
      if (!this.store.find(this.entity('systemusers'), userId)) throw new RangeError(`no system user ${userId}`);
      for (const row of this.store.select(links, { where: { sql: '"systemuserid" = ?', params: [userId] } })) this.store.delete(links, String(row.systemuserroleid));
      for (const roleId of new Set(roleIds)) {
        const role = ROLE_DEFINITIONS.find((r) => r.id === roleId);
        if (!role) throw new RangeError(`no security role ${roleId}`);
        if (!this.store.find(roles, role.id)) this.writer.create(roles, { roleid: role.id, name: role.name }, system);
        this.writer.create(links, { systemuserid: userId, roleid: role.id }, system);
      }
    });
  }

  /** The sandbox's clock (options.now). */
  now(): Date {
    return this.clock();
  }

  /**
   * Service protection for tests and demos: with limits, each user may make `requests` requests
   * per `windowMs` and the next one is refused 429 with Retry-After (request-throttle.ts); with
   * undefined, no limit (the default). Changing it forgets the counts so far.
   */
  throttle(limits: ThrottleLimits | undefined): void {
    this.throttler.configure(limits);
  }

  /**
   * Counts one request by the user `userId` (an application counts as its application user)
   * against the throttle: undefined when throttling is off, else what remains; throws the 429
   * DataverseError (with its Retry-After header) when the user is over the limit. The Web API
   * routes call it for every request; so should any other way into the data that a real
   * Dataverse would count (the CIF host's record calls, which Dynamics makes through the Web API).
   */
  admitRequest(userId: string): Admission | undefined {
    return this.throttler.admit(userId, this.clock().getTime());
  }

  /** Restores the seed: every record made since is gone, every seed record is back as it was. */
  reset(): void {
    this.store.transaction(() => this.store.clear());
    this.loadSeed();
  }

  close(): void {
    this.store.close();
  }

  /** A record key from a URL: a bare GUID, else "Bad Request - Error in query syntax." (400) as Dataverse answers. */
  private key(id: string): string {
    const guid = parseGuid(id);
    if (!guid) throw querySyntaxError('Bad Request - Error in query syntax.');
    return guid;
  }

  private isEmpty(): boolean {
    return ENTITIES.every((entity) => this.store.count(entity) === 0);
  }

  private loadSeed(): void {
    const seed = seedData();
    this.store.transaction(() => {
      const system = { system: true, at: SEED_TIME };
      for (const set of ['systemusers', 'usersettingscollection', 'roles', 'systemuserrolescollection', 'accounts', 'contacts', 'leads'] as const) {
        for (const record of seed[set]) this.writer.create(this.entity(set), record, system);
      }
      for (const call of seed.phonecalls) {
        const { id } = this.writer.create(this.entity('phonecalls'), call.create, system);
        if (call.complete) this.writer.upsert(this.entity('phonecalls'), id, call.complete, { ...system, ifMatch: '*' });
      }
    });
  }

  /**
   * A database seeded before the sandbox had security roles gets the seed's roles and its users'
   * role assignments (without them its users would see no channel panel); nothing else changes.
   */
  private addMissingSeedRoles(): void {
    const seed = seedData();
    const system = { system: true, at: SEED_TIME };
    this.store.transaction(() => {
      for (const set of ['roles', 'systemuserrolescollection'] as const) {
        const entity = this.entity(set);
        for (const record of seed[set]) if (!this.store.find(entity, String(record[entity.primaryKey]))) this.writer.create(entity, record, system);
      }
    });
  }
}

function params(query: string | QueryParams): QueryParams {
  return typeof query === 'string' ? parseQueryString(query) : query;
}
