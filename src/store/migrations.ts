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
  {
    version: 2,
    name: 'call records',
    sql: `
      -- One row per call (the call id is the UUID every event carries). ended_at IS NULL while the
      -- call is in progress; talk_seconds and disposition are set when it ends. The crm_* columns
      -- and notes are for the Dynamics journal (matched record, Phone Call activity, log state).
      CREATE TABLE call_records (
        id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
        from_number TEXT NOT NULL,
        from_name TEXT,
        to_number TEXT NOT NULL,
        to_name TEXT,
        trunk TEXT,
        started_at INTEGER NOT NULL,
        answered_at INTEGER,
        answered_by TEXT,
        ended_at INTEGER,
        talk_seconds INTEGER CHECK (talk_seconds >= 0),
        disposition TEXT CHECK (disposition IN ('answered', 'missed', 'busy', 'failed', 'canceled')),
        end_reason TEXT,
        crm_entity TEXT,
        crm_record_id TEXT,
        crm_activity_id TEXT,
        crm_log_state TEXT,
        notes TEXT,
        CHECK ((ended_at IS NULL) = (disposition IS NULL))
      ) STRICT;
      CREATE INDEX call_records_open ON call_records (id) WHERE ended_at IS NULL;

      -- Which extensions a call belongs to: who may read it. started_at is copied from the call
      -- (it never changes) so one index serves a user's history, newest first, page by page.
      -- No foreign key to extensions: records outlive a removed extension.
      CREATE TABLE call_extensions (
        call_id TEXT NOT NULL REFERENCES call_records(id) ON DELETE CASCADE,
        extension TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        PRIMARY KEY (call_id, extension)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX call_extensions_history ON call_extensions (extension, started_at DESC, call_id DESC);
    `,
  },
  {
    version: 3,
    name: 'web sessions',
    sql: `
      -- Web-login sessions. Only the SHA-256 of a token is kept, so a copy of the database
      -- cannot be used to act as a logged-in agent.
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        extension TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      CREATE INDEX sessions_extension ON sessions (extension);
    `,
  },
  {
    version: 4,
    name: 'user settings',
    sql: `
      -- The pane's Dynamics integration settings, one JSON document per extension. Kept whole
      -- because the pane reads and writes them whole; the server validates every write, and a
      -- value an older version stored that no longer validates reads back as its default.
      CREATE TABLE user_settings (
        extension TEXT PRIMARY KEY REFERENCES extensions(number) ON DELETE CASCADE,
        settings TEXT NOT NULL CHECK (json_valid(settings)),
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'matched record names on call records',
    sql: `
      -- The matched Dynamics record's name as the pane saw it, so call history can show it
      -- without a CRM round trip per row.
      ALTER TABLE call_records ADD COLUMN crm_record_name TEXT;
    `,
  },
  {
    version: 6,
    name: 'the web session of a registration',
    sql: `
      -- Which web session's pane credential made a binding (the first 16 hex characters of the
      -- session's token hash, as in the credential's username): the binding ends with the session.
      -- NULL for a binding made with the extension's own SIP secret.
      ALTER TABLE registrations ADD COLUMN session_tag TEXT;
    `,
  },
  {
    version: 7,
    name: 'media quality on call records',
    sql: `
      -- What the media relay measured of the call's audio per direction (packets, loss,
      -- jitter, MOS) and whether it was poor, as one JSON document; NULL when none was relayed.
      ALTER TABLE call_records ADD COLUMN media_quality TEXT CHECK (media_quality IS NULL OR json_valid(media_quality));
    `,
  },
  {
    version: 8,
    name: 'journal outbox',
    sql: `
      -- The calls whose Phone Call activity the server still owes Dynamics (src/store/journal-outbox-repository.ts):
      -- written in the transaction that ends the call, drained by the journal worker. pending rows
      -- are tried at next_attempt_at (a claim moves it past the lease); parked rows wait for
      -- callpane journal retry; done rows keep their outcome. claimed_until is set while a worker holds the row.
      CREATE TABLE journal_outbox (
        call_id TEXT PRIMARY KEY REFERENCES call_records(id) ON DELETE CASCADE,
        activity_id TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'parked', 'done')),
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at INTEGER NOT NULL,
        claimed_until INTEGER,
        last_error TEXT,
        outcome TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX journal_outbox_pending ON journal_outbox (next_attempt_at) WHERE state = 'pending';
      CREATE INDEX journal_outbox_parked ON journal_outbox (updated_at) WHERE state = 'parked';
    `,
  },
  {
    version: 9,
    name: 'phone index',
    sql: `
      -- Every number of the Dynamics contacts, accounts and leads, one row per number, found by its
      -- digits read backwards: equal digits and "digits ending with" are both one index range
      -- (src/store/phone-index-repository.ts). Filled by the full sync and change tracking of
      -- src/dynamics/phone-index/; generation tells a full sync's rows from those it replaces.
      CREATE TABLE phone_index (
        entity TEXT NOT NULL CHECK (entity IN ('contact', 'account', 'lead')),
        record_id TEXT NOT NULL,
        record_name TEXT,
        field TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('international', 'national', 'short')),
        digits_reversed TEXT NOT NULL CHECK (digits_reversed <> ''),
        e164 TEXT CHECK ((e164 IS NOT NULL) = (kind = 'international')),
        extension TEXT,
        generation INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX phone_index_digits ON phone_index (digits_reversed);
      CREATE INDEX phone_index_record ON phone_index (entity, record_id);

      -- Per table: the delta link to follow next (Dataverse change tracking), what the rows were
      -- read with (default region, columns), and when the last full sync and delta ended.
      CREATE TABLE phone_index_sync (
        entity TEXT PRIMARY KEY CHECK (entity IN ('contact', 'account', 'lead')),
        state TEXT NOT NULL CHECK (state IN ('syncing', 'ready')),
        definition TEXT NOT NULL,
        generation INTEGER NOT NULL,
        delta_link TEXT,
        last_full_sync_at INTEGER,
        last_delta_at INTEGER
      ) STRICT, WITHOUT ROWID;
    `,
  },
];
