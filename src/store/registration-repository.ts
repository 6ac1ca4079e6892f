/**
 * Registrar bindings (RFC 3261 §10.3) persisted so that UDP and TCP registrations survive a
 * restart. The registrar's Binding (src/pbx/binding.ts) is this shape; the store knows nothing of
 * the PBX.
 * Bindings with a flow id belong to a WebSocket connection (RFC 7118 §5): when the process
 * restarts those connections are gone, so `removeConnectionBound` wipes them at start-up.
 */
import type { Database } from './database.ts';

export type BindingTransport = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

export interface RegistrationBinding {
  /** The extension number (address-of-record user part). */
  aor: string;
  /** The Contact value as registered. */
  contact: string;
  /** The contact URI as text: the key within the AOR. */
  contactUri: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER really came from; requests to this contact go there (RFC 5626 flow). */
  transport: BindingTransport;
  sourceAddress: string;
  sourcePort: number;
  /** Set for connection-oriented flows; a WebSocket binding lives and dies with its connection. */
  flowId?: string;
  instanceId?: string;
  regId?: number;
  q?: number;
  userAgent?: string;
  /** The Path header value (RFC 3327), as received. */
  path?: string;
  /**
   * The web session (first 16 hex characters of its id) whose pane credential made or last
   * refreshed the binding; the binding ends with that session. Unset for an extension's own secret.
   */
  sessionTag?: string;
}

export interface RegistrationRepository {
  /** Inserts or replaces the binding of (aor, contactUri). */
  upsert(binding: RegistrationBinding): void;
  /** True when a binding was removed. */
  remove(aor: string, contactUri: string): boolean;
  removeAll(aor: string): number;
  /** Unexpired bindings of one AOR, highest q first. */
  listForAor(aor: string, now: number): RegistrationBinding[];
  /** Unexpired bindings of every AOR. */
  listAll(now: number): RegistrationBinding[];
  /** Number of unexpired bindings, for the registrations gauge. */
  countActive(now: number): number;
  removeExpired(now: number): number;
  removeByFlow(flowId: string): number;
  /** Removes every binding tied to a connection; run at start-up when no connection survives. */
  removeConnectionBound(): number;
}

interface RegistrationRow {
  aor: string;
  contact: string;
  contact_uri: string;
  expires_at: number;
  call_id: string;
  cseq: number;
  transport: BindingTransport;
  source_address: string;
  source_port: number;
  flow_id: string | null;
  instance_id: string | null;
  reg_id: number | null;
  q: number | null;
  user_agent: string | null;
  path: string | null;
  session_tag: string | null;
}

function fromRow(row: RegistrationRow): RegistrationBinding {
  const binding: RegistrationBinding = {
    aor: row.aor,
    contact: row.contact,
    contactUri: row.contact_uri,
    expiresAt: row.expires_at,
    callId: row.call_id,
    cseq: row.cseq,
    transport: row.transport,
    sourceAddress: row.source_address,
    sourcePort: row.source_port,
  };
  if (row.flow_id !== null) binding.flowId = row.flow_id;
  if (row.instance_id !== null) binding.instanceId = row.instance_id;
  if (row.reg_id !== null) binding.regId = row.reg_id;
  if (row.q !== null) binding.q = row.q;
  if (row.user_agent !== null) binding.userAgent = row.user_agent;
  if (row.path !== null) binding.path = row.path;
  if (row.session_tag !== null) binding.sessionTag = row.session_tag;
  return binding;
}

const COLUMNS = 'aor, contact, contact_uri, expires_at, call_id, cseq, transport, source_address, source_port, flow_id, instance_id, reg_id, q, user_agent, path, session_tag';
const ORDER = 'ORDER BY aor, q DESC NULLS LAST, expires_at DESC, contact_uri';

export function createRegistrationRepository(db: Database): RegistrationRepository {
  const upsert = db.prepare(`
    INSERT INTO registrations (${COLUMNS})
    VALUES (:aor, :contact, :contactUri, :expiresAt, :callId, :cseq, :transport, :sourceAddress, :sourcePort,
            :flowId, :instanceId, :regId, :q, :userAgent, :path, :sessionTag)
    ON CONFLICT (aor, contact_uri) DO UPDATE SET
      contact = excluded.contact, expires_at = excluded.expires_at, call_id = excluded.call_id, cseq = excluded.cseq,
      transport = excluded.transport, source_address = excluded.source_address, source_port = excluded.source_port,
      flow_id = excluded.flow_id, instance_id = excluded.instance_id, reg_id = excluded.reg_id, q = excluded.q,
      user_agent = excluded.user_agent, path = excluded.path, session_tag = excluded.session_tag`);
  const deleteOne = db.prepare('DELETE FROM registrations WHERE aor = ? AND contact_uri = ?');
  const deleteAor = db.prepare('DELETE FROM registrations WHERE aor = ?');
  const selectAor = db.prepare(`SELECT ${COLUMNS} FROM registrations WHERE aor = ? AND expires_at > ? ${ORDER}`);
  const selectAll = db.prepare(`SELECT ${COLUMNS} FROM registrations WHERE expires_at > ? ${ORDER}`);
  const countLive = db.prepare('SELECT COUNT(*) AS count FROM registrations WHERE expires_at > ?');
  const deleteExpired = db.prepare('DELETE FROM registrations WHERE expires_at <= ?');
  const deleteFlow = db.prepare('DELETE FROM registrations WHERE flow_id = ?');
  const deleteConnectionBound = db.prepare('DELETE FROM registrations WHERE flow_id IS NOT NULL');

  return {
    upsert(binding) {
      upsert.run({
        aor: binding.aor,
        contact: binding.contact,
        contactUri: binding.contactUri,
        expiresAt: binding.expiresAt,
        callId: binding.callId,
        cseq: binding.cseq,
        transport: binding.transport,
        sourceAddress: binding.sourceAddress,
        sourcePort: binding.sourcePort,
        flowId: binding.flowId ?? null,
        instanceId: binding.instanceId ?? null,
        regId: binding.regId ?? null,
        q: binding.q ?? null,
        userAgent: binding.userAgent ?? null,
        path: binding.path ?? null,
        sessionTag: binding.sessionTag ?? null,
      });
    },
    remove: (aor, contactUri) => Number(deleteOne.run(aor, contactUri).changes) > 0,
    removeAll: (aor) => Number(deleteAor.run(aor).changes),
    listForAor: (aor, now) => (selectAor.all(aor, now) as unknown as RegistrationRow[]).map(fromRow),
    listAll: (now) => (selectAll.all(now) as unknown as RegistrationRow[]).map(fromRow),
    countActive: (now) => (countLive.get(now) as { count: number }).count,
    removeExpired: (now) => Number(deleteExpired.run(now).changes),
    removeByFlow: (flowId) => Number(deleteFlow.run(flowId).changes),
    removeConnectionBound: () => Number(deleteConnectionBound.run().changes),
  };
}
