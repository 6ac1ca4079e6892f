/**
 * The customer phone on the sandbox's site: a page that plays a customer calling the company's
 * demo number through the demo carrier (src/server/demo-carrier.ts), so one person with one
 * browser can try an inbound call end to end.
 * - GET /customer-phone: the page, with the seed contacts' numbers to call from;
 * - GET /_sandbox/customer-phone.js: its script (bundled with JsSIP, src/sandbox/ui-bundle.ts);
 * - POST /_sandbox/customer-phone/setup: the demo carrier's credentials and Callpane's /sip URL.
 * The credentials are a trunk's: they are handed only to the sandbox's own page (Origin), reached
 * on a loopback address by a loopback client (a Host check too, so a rebound DNS name is refused),
 * and only while the demo carrier exists.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dataverse } from './dataverse/index.ts';
import { renderCustomerPhonePage, CUSTOMER_PHONE_PATHS } from './customer-phone/customer-phone-page.ts';
import { CustomerPhoneErrorCode, type CustomerNumber, type CustomerPhoneConfig, type CustomerPhoneSetup } from './customer-phone/customer-phone-config.ts';

export interface CustomerPhoneOptions {
  dataverse: Dataverse;
  /** The page's script, once built. */
  script(): string;
  /** The demo carrier's details; undefined when there is none (not a demo, or a trunk of the file took its name). */
  setup(): CustomerPhoneSetup | undefined;
  /** The company number shown on the page. */
  did: string;
}

/** The contact phones offered, in the order forms show them. */
const PHONES = [
  ['telephone1', 'Business'],
  ['mobilephone', 'Mobile'],
] as const;
const MAX_CONTACTS = 50;

export function registerCustomerPhoneRoutes(app: FastifyInstance, options: CustomerPhoneOptions): void {
  app.get(CUSTOMER_PHONE_PATHS.page, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "frame-ancestors 'self'")
      .send(renderCustomerPhonePage(customerPhoneConfig(options))),
  );
  app.get(CUSTOMER_PHONE_PATHS.script, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(options.script()));
  app.post(CUSTOMER_PHONE_PATHS.setup, async (request, reply) => {
    const refusal = refuse(request);
    if (refusal) return fail(reply, 403, refusal.code, refusal.message);
    const setup = options.setup();
    if (!setup) return fail(reply, 404, CustomerPhoneErrorCode.NO_DEMO_CARRIER, 'there is no demo carrier: it exists only while demo.seedExtensions and the sandbox are on');
    return reply.header('cache-control', 'no-store').send(setup);
  });
}

export function customerPhoneConfig(options: Pick<CustomerPhoneOptions, 'dataverse' | 'did'>): CustomerPhoneConfig {
  const rows = options.dataverse.retrieveMultiple('contacts', `?$select=fullname,${PHONES.map(([column]) => column).join(',')}&$orderby=fullname&$top=${MAX_CONTACTS}`).records;
  const contacts: CustomerNumber[] = [];
  for (const row of rows) {
    for (const [column, kind] of PHONES) {
      const number = row[column];
      if (typeof number === 'string' && number.trim() !== '') contacts.push({ name: (row.fullname as string | null) ?? '', kind, number });
    }
  }
  return { did: options.did, contacts };
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } });
}

function refuse(request: FastifyRequest): { code: string; message: string } | undefined {
  if (!isLoopbackAddress(request.socket.remoteAddress ?? '') || !isLoopbackHost(request.hostname)) {
    return { code: CustomerPhoneErrorCode.NOT_LOOPBACK, message: 'the demo carrier is handed out only on a loopback address, to this machine' };
  }
  const own = `${request.protocol}://${request.host}`;
  const fetchSite = request.headers['sec-fetch-site'];
  if (request.headers.origin !== own || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
    return { code: CustomerPhoneErrorCode.NOT_SAME_ORIGIN, message: 'only the customer phone page itself may ask for the demo carrier' };
  }
  return undefined;
}

export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

/** A Host that names this machine: a loopback literal or localhost (RFC 6761 §6.3). */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || isLoopbackAddress(bare);
}
