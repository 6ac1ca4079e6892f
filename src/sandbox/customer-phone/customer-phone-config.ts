/**
 * What the customer phone page and the sandbox server exchange: the page configuration written
 * into the HTML (the company's demo number and the seed contacts' numbers, nothing secret), and
 * the demo carrier's connection details the page asks for when it calls (same-origin, loopback
 * only: they are the trunk's credentials).
 */

export const CUSTOMER_PHONE_CONFIG_ELEMENT_ID = 'customer-phone-config';

/** A number the page offers as caller id. */
export interface CustomerNumber {
  /** The contact's full name. */
  name: string;
  /** Which of the contact's phones: Business, Mobile. */
  kind: string;
  /** As stored on the contact, e.g. 619-555-0129. */
  number: string;
}

export interface CustomerPhoneConfig {
  /** The company's demo number (DID) the page calls. */
  did: string;
  contacts: CustomerNumber[];
}

/** The demo carrier as the page's SIP user agent needs it. */
export interface CustomerPhoneSetup {
  /** Callpane's SIP over WebSocket endpoint, e.g. ws://localhost:8080/sip. */
  wsUrl: string;
  /** The SIP domain (host of every URI the page sends). */
  domain: string;
  /** The trunk's match.username and match.password (digest credentials, RFC 3261 §22). */
  username: string;
  password: string;
  did: string;
}

/** Error codes of the setup endpoint. */
export const CustomerPhoneErrorCode = {
  NOT_LOOPBACK: 'CustomerPhoneNotLoopback',
  NOT_SAME_ORIGIN: 'CustomerPhoneNotSameOrigin',
  NO_DEMO_CARRIER: 'CustomerPhoneNoDemoCarrier',
} as const;
