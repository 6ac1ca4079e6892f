/**
 * The shapes of the server's public HTTP/WebSocket API the pane uses. Where the server defines a
 * wire type, it is imported from there type-only — erased from the bundle, so the widget still
 * reaches the server only over HTTP and WebSocket (README.md, "How the pane talks to the server"), but each shape has one
 * definition and the compiler holds both ends to it. The rest are declared here.
 */
import type { RecordRef } from '../../contract/crm-record.ts';
import type { PhoneMatch } from '../../crm/phone-match.ts';
import type { NormalizedPhone } from '../../crm/phone-number.ts';
import type { PhoneSearchQuery, RecordPhone } from '../../crm/phone-search.ts';
import type { CallRecord } from '../../store/call-record-repository.ts';

/** The signed-in agent: number, display name, e-mail. */
export type { SessionUser as SessionExtension } from '../../contract/session.ts';

/** GET /api/session; a sign-in or a refresh (LoginAnswer) adds the access token and its expiry. */
export type { AccessAnswer as LoginAnswer, SessionView } from '../../contract/session.ts';

/** GET /api/sso/providers: one sign-in button each. */
export type { SsoButton } from '../../server/sso/sso-api-routes.ts';

/** GET /api/sip/credentials: what JsSIP registers with. Never shown, never stored. */
export type { SipCredentials } from '../../server/api/sip-credential-routes.ts';

/** A Dynamics record as pane and server name it to each other. */
export type { CrmEntity, RecordRef } from '../../contract/crm-record.ts';

/** The user's Dynamics integration settings (docs/settings.md §2), GET/PUT /api/settings, and their defaults. */
export type {
  ApplyTo,
  LanguageChoice,
  LogSettings,
  OpenRecordWhen,
  SeveralMatches,
  UnknownNumberAction,
  UserSettings as PaneSettings,
} from '../../contract/user-settings.ts';
export { DEFAULT_SUBJECT_TEMPLATE, defaultUserSettings as defaultSettings } from '../../contract/user-settings.ts';

/**
 * The call event vocabulary the server pushes on /api/events: its one definition, imported as
 * types only (nothing of the server reaches the bundle).
 */
export type { CallDirection, CallDisposition, CallEvent, CallParty } from '../../contract/call-event.ts';
export type LogState = 'logged' | 'failed' | 'skipped';

/** What /api/events sends. */
export type { EventChannelMessage } from '../../contract/event-channel.ts';

/** GET /api/calls and /api/calls/:id: the record as the server keeps it (types only). */
export type { CallRecord, CallRecordCrm, CallRecordParty } from '../../store/call-record-repository.ts';

export interface CallPage {
  calls: CallRecord[];
  nextCursor: string | null;
}

/** PUT /api/calls/:id/crm. */
export interface CrmLogReport {
  activityId: string;
  logState: LogState;
  matched?: RecordRef;
  notes?: string;
}

/** What the shell page hands the pane in `<script id="pane-config" type="application/json">`. */
export interface PaneConfig {
  /** The Dynamics 365 origin from `?base=`, already checked by the server. */
  base: string;
  /** ISO 3166-1 alpha-2 region for national numbers (absent when the configured one is not known). */
  defaultRegion: string | undefined;
  version: string;
}

/** How the server reads a number (POST /api/phone/normalize, /lookup; src/server/api/phone-routes.ts). */
export interface PhoneFacts {
  raw: string;
  phone: NormalizedPhone;
  /** `+1 415 555 0100`, international numbers only. */
  international?: string;
}

export interface PhoneLookupAnswer {
  number: PhoneFacts;
  queries: PhoneSearchQuery[];
}

export interface PhoneRankAnswer {
  matches: PhoneMatch<RecordPhone>[];
}
