/**
 * Write side of the sandbox Dataverse: Create (POST), Update/Upsert (PATCH) and Delete, each in
 * one transaction so a refused write changes nothing.
 * - Create honours a client-chosen primary key; an existing key fails with 0x80040237 (412)
 *   (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/create-entity-web-api).
 * - PATCH to a missing id creates the record (upsert); `If-Match: *` makes it update-only (404),
 *   `If-None-Match: *` create-only (412); `If-Match: W/"…"` is optimistic concurrency
 *   (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api).
 * - Delete removes an activity's parties with it and the activities regarding a deleted record;
 *   other lookups to a deleted record are cleared.
 */
import { randomUUID } from 'node:crypto';
import { DataverseError, DataverseErrorCode, duplicateRecord, payloadError, recordNotFound, versionMismatch } from './dataverse-error.ts';
import { ENTITIES, entityByLogicalName, lookupValueProperty, type EntityDef } from './entity-schema.ts';
import { etagOf } from './record-format.ts';
import { lookupTypeColumn, type RecordStore, type Row } from './record-store.ts';
import { applyCreateState, checkUpdateState } from './state-rules.ts';
import { formatDateTime } from './value-format.ts';
import { readPayload, type Dialect, type PartyInput, type RecordReference, type WritePayload } from './write-payload.ts';

export interface WriteOptions {
  /** Which navigation names the caller may use; HTTP is always 'webapi'. */
  dialect?: Dialect;
  /** The systemuser making the write: a record it creates without `ownerid@odata.bind` is owned by it. */
  callerId?: string;
}

export interface UpsertOptions extends WriteOptions {
  /** The If-Match header: '*' (must exist) or an ETag (must be the current version). */
  ifMatch?: string;
  /** The If-None-Match header: '*' (must not exist). */
  ifNoneMatch?: string;
}

export interface WriteResult {
  entity: EntityDef;
  id: string;
  created: boolean;
}

/** Writes the platform makes itself (seeding) may touch read-only sets and choose timestamps. */
export interface SystemWrite {
  system?: boolean;
  at?: Date;
}

export class RecordWriter {
  private readonly store: RecordStore;
  private readonly now: () => Date;

  constructor(store: RecordStore, now: () => Date) {
    this.store = store;
    this.now = now;
  }

  create(entity: EntityDef, body: unknown, options: WriteOptions & SystemWrite = {}): WriteResult {
    this.assertWritable(entity, 'POST', options);
    return this.store.transaction(() => {
      const payload = this.payload(entity, body, options);
      const id = payload.id ?? randomUUID();
      if (this.store.find(entity, id)) throw duplicateRecord();
      this.insert(entity, id, payload, options.at ?? this.now(), options.callerId);
      return { entity, id, created: true };
    });
  }

  upsert(entity: EntityDef, id: string, body: unknown, options: UpsertOptions & SystemWrite = {}): WriteResult {
    this.assertWritable(entity, 'PATCH', options);
    return this.store.transaction(() => {
      const payload = this.payload(entity, body, options);
      if (payload.id !== undefined && payload.id !== id) throw payloadError(`The ${entity.primaryKey} in the body does not match the record addressed by the URL.`);
      const current = this.store.find(entity, id);
      if (options.ifMatch !== undefined) {
        if (!current) throw recordNotFound(entity.logicalName, id);
        if (options.ifMatch !== '*' && options.ifMatch !== etagOf(current)) throw versionMismatch();
      }
      if (options.ifNoneMatch !== undefined) {
        if (options.ifNoneMatch !== '*') throw payloadError('The sandbox supports If-None-Match: * only on PATCH.');
        if (current) throw duplicateRecord();
      }
      const at = options.at ?? this.now();
      if (!current) {
        this.insert(entity, id, payload, at, options.callerId);
        return { entity, id, created: true };
      }
      checkUpdateState(entity, current, payload.values, id, payload.parties ? ['activity parties'] : []);
      const values: Row = { ...payload.values, ...personName(entity, current, payload.values) };
      values.modifiedon = formatDateTime(at);
      values.versionnumber = this.store.nextVersion();
      this.store.update(entity, id, values);
      if (payload.parties) this.replaceParties(entity, id, payload.parties);
      return { entity, id, created: false };
    });
  }

  delete(entity: EntityDef, id: string, options: { ifMatch?: string } = {}): void {
    this.assertWritable(entity, 'DELETE', {});
    this.store.transaction(() => {
      const current = this.store.find(entity, id);
      if (!current) throw recordNotFound(entity.logicalName, id);
      if (options.ifMatch !== undefined && options.ifMatch !== '*' && options.ifMatch !== etagOf(current)) throw versionMismatch();
      this.remove(entity, id);
    });
  }

  private payload(entity: EntityDef, body: unknown, options: WriteOptions): WritePayload {
    return readPayload(entity, body, { dialect: options.dialect ?? 'webapi', exists: (reference) => this.exists(reference) });
  }

  private exists(reference: RecordReference): boolean {
    const entity = entityByLogicalName(reference.logicalName);
    return entity !== undefined && this.store.find(entity, reference.id) !== undefined;
  }

  private assertWritable(entity: EntityDef, method: string, options: SystemWrite): void {
    if (entity.readOnlySet && !options.system) {
      throw new DataverseError(405, DataverseErrorCode.None, `The sandbox does not support http method '${method}' on '${entity.setName}'.`);
    }
  }

  private insert(entity: EntityDef, id: string, payload: WritePayload, at: Date, callerId: string | undefined): void {
    const values: Row = { ...payload.values };
    applyCreateState(entity, values, id);
    const owner = entity.lookups.find((lookup) => lookup.name === 'ownerid');
    if (owner && callerId !== undefined && values[lookupValueProperty(owner)] === undefined) {
      // Dataverse makes the calling user the owner when the create names none.
      values[lookupValueProperty(owner)] = callerId;
      values[lookupTypeColumn(owner)] = 'systemuser';
    }
    if (entity === entityByLogicalName('phonecall')) {
      if (typeof values.subject !== 'string' || values.subject.trim() === '') {
        // docs/dataverse.md §2: subject is required. Dataverse's exact wording here is not documented.
        throw new DataverseError(400, DataverseErrorCode.InvalidArgument, "A value for the required attribute 'subject' of 'phonecall' was not supplied.");
      }
      values.activitytypecode = 'phonecall';
    }
    Object.assign(values, personName(entity, undefined, values));
    const stamp = formatDateTime(at);
    if (entity.columns.some((c) => c.name === 'createdon')) {
      values.createdon = stamp;
      values.modifiedon = stamp;
    }
    values[entity.primaryKey] = id;
    values.versionnumber = this.store.nextVersion();
    this.store.insert(entity, values);
    if (payload.parties) this.replaceParties(entity, id, payload.parties);
  }

  private replaceParties(activity: EntityDef, activityId: string, parties: readonly PartyInput[]): void {
    const party = entityByLogicalName('activityparty') as EntityDef;
    const activityLookup = party.lookups.find((l) => l.name === 'activityid');
    const partyLookup = party.lookups.find((l) => l.name === 'partyid');
    if (!activityLookup || !partyLookup) throw new Error('activityparty schema lacks its lookups');
    for (const row of this.store.referencing(party, activityLookup, activityId)) this.store.delete(party, row.activitypartyid as string);
    for (const input of parties) {
      this.store.insert(party, {
        activitypartyid: randomUUID(),
        participationtypemask: input.participationtypemask,
        addressused: input.addressused,
        [lookupValueProperty(activityLookup)]: activityId,
        [lookupTypeColumn(activityLookup)]: activity.logicalName,
        [lookupValueProperty(partyLookup)]: input.party?.id ?? null,
        [lookupTypeColumn(partyLookup)]: input.party?.logicalName ?? null,
        versionnumber: this.store.nextVersion(),
      });
    }
  }

  /** Deletes a record and applies the relationship behaviours to what refers to it. */
  private remove(entity: EntityDef, id: string): void {
    this.store.delete(entity, id);
    for (const other of ENTITIES) {
      for (const lookup of other.lookups) {
        if (!Object.values(lookup.navigation).includes(entity.logicalName)) continue;
        for (const row of this.store.referencing(other, lookup, id)) {
          if (row[lookupTypeColumn(lookup)] !== entity.logicalName) continue;
          const otherId = row[other.primaryKey] as string;
          const owned = lookup.name === 'activityid' || lookup.name === 'regardingobjectid';
          if (owned) this.remove(other, otherId);
          else {
            this.store.update(other, otherId, {
              [lookupValueProperty(lookup)]: null,
              [lookupTypeColumn(lookup)]: null,
              versionnumber: this.store.nextVersion(),
            });
          }
        }
      }
    }
  }
}

/** fullname follows firstname and lastname ("First Last", Dataverse's default format). */
function personName(entity: EntityDef, current: Row | undefined, values: Row): Row {
  if (!entity.personName || (values.firstname === undefined && values.lastname === undefined && current)) return {};
  const first = values.firstname !== undefined ? values.firstname : (current?.firstname ?? null);
  const last = values.lastname !== undefined ? values.lastname : (current?.lastname ?? null);
  const fullname = [first, last].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ');
  return { fullname: fullname === '' ? null : fullname };
}
