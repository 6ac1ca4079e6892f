/** A registered contact of an extension (RFC 3261 §10: the AOR → contact binding). */
export interface Binding {
  /** The address-of-record's user part: the extension number. */
  aor: string;
  /** The Contact header value as registered, without the expires parameter. */
  contact: string;
  /** The contact URI as text: the binding's key within its AOR. */
  contactUri: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER really came from; requests to this contact go there (RFC 5626 flow). */
  transport: 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';
  sourceAddress: string;
  sourcePort: number;
  /** Set for connection-oriented flows; a WebSocket binding lives and dies with its connection. */
  flowId?: string;
  instanceId?: string;
  regId?: number;
  q?: number;
  userAgent?: string;
  /**
   * The web session (first 16 hex characters of its id) whose pane credential made or last
   * refreshed the binding; the binding ends with that session. Unset for an extension's own secret.
   */
  sessionTag?: string;
}

/** Persistence of bindings; the SQLite repository implements it. */
export interface BindingStore {
  upsert(binding: Binding): void;
  remove(aor: string, contactUri: string): void;
  removeAll(aor: string): void;
  listAll(now: number): Binding[];
  removeExpired(now: number): number;
  removeByFlow(flowId: string): number;
}
