/**
 * The shapes of the server's public HTTP/WebSocket API the pane uses, as the pane names them. Each
 * is the contract's (src/contract/), which the server builds its answers from too: one definition,
 * and the compiler holds both ends to it.
 */
import type { PaneConfig as WirePaneConfig } from '../../contract/pane-config.ts';

/** The signed-in agent: number, display name, e-mail. */
export type { SessionUser as SessionExtension } from '../../contract/session.ts';

/** GET /api/session; a sign-in or a refresh (LoginAnswer) adds the access token and its expiry. */
export type { AccessAnswer as LoginAnswer, SessionView } from '../../contract/session.ts';

/** GET /api/sso/providers: one sign-in button each. */
export type { SsoButton } from '../../contract/sso.ts';

/** GET /api/sip/credentials: what JsSIP registers with. Never shown, never stored. */
export type { IceServer, SipCredentials } from '../../contract/sip-credentials.ts';

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

/** What /api/events sends. */
export type { EventChannelMessage } from '../../contract/event-channel.ts';

/** GET /api/calls and /api/calls/:id, PUT /api/calls/:id/crm. */
export type { CallPage, CallRecord, CallRecordCrm, CallRecordParty, CrmLogReport, LogState } from '../../contract/call-record.ts';

/**
 * The shell page's config (src/contract/pane-config.ts) as the pane reads it: the region is
 * absent when the configured one is not known.
 */
export type PaneConfig = Omit<WirePaneConfig, 'defaultRegion'> & { defaultRegion: string | undefined };

/** How the server reads numbers: POST /api/phone/normalize, /lookup, /rank. */
export type { PhoneFacts, PhoneLookupAnswer, PhoneNormalizeAnswer, PhoneRankAnswer } from '../../contract/phone.ts';
