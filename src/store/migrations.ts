/**
 * The database schema as numbered steps. A step, once released, never changes: later issues
 * append new ones. Tables are STRICT so SQLite enforces the declared types as PostgreSQL would.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'extensions, registrations and meta',
    sql: `
      CREATE TABLE extensions (
        number TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        email TEXT COLLATE NOCASE UNIQUE,
        password_hash TEXT NOT NULL,
        sip_secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      -- RFC 3261 §10.3: the location service, one row per (address-of-record, contact URI).
      CREATE TABLE registrations (
        aor TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        contact TEXT NOT NULL,
        contact_uri TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        call_id TEXT NOT NULL,
        cseq INTEGER NOT NULL,
        transport TEXT NOT NULL CHECK (transport IN ('UDP', 'TCP', 'TLS', 'WS', 'WSS')),
        source_address TEXT NOT NULL,
        source_port INTEGER NOT NULL,
        flow_id TEXT,
        instance_id TEXT,
        reg_id INTEGER,
        q REAL,
        user_agent TEXT,
        path TEXT,
        PRIMARY KEY (aor, contact_uri)
      ) STRICT;
      CREATE INDEX registrations_expires_at ON registrations (expires_at);
      CREATE INDEX registrations_flow_id ON registrations (flow_id) WHERE flow_id IS NOT NULL;

      -- Facts about this installation, such as whether the demo extensions were ever created.
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
