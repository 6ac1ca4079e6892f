/**
 * A small, known data set for query and write tests, independent of the seed: an empty in-memory
 * sandbox Dataverse with a fixed clock (or the test's own) and a handful of contacts, an account
 * and a lead.
 */
import assert from 'node:assert/strict';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { DataverseError } from '../../../src/sandbox/dataverse/dataverse-error.ts';

export const FIXED_NOW = new Date('2025-06-01T12:00:00.000Z');

export const IDS = {
  account: 'aaaaaaaa-0000-4000-8000-000000000001',
  alex: 'cccccccc-0000-4000-8000-000000000001',
  jordan: 'cccccccc-0000-4000-8000-000000000002',
  wang: 'cccccccc-0000-4000-8000-000000000003',
  percent: 'cccccccc-0000-4000-8000-000000000004',
  nophone: 'cccccccc-0000-4000-8000-000000000005',
  lead: 'eeeeeeee-0000-4000-8000-000000000001',
} as const;

/** `now` replaces the fixed clock, for tests of time windows and token lifetimes. */
export function fixtureDataverse(now: () => Date = () => FIXED_NOW): Dataverse {
  const dataverse = new Dataverse({ path: ':memory:', seed: false, now });
  dataverse.create('accounts', { accountid: IDS.account, name: 'Contoso Ltd', telephone1: '+1 (415) 555-0199' });
  dataverse.create('contacts', {
    contactid: IDS.alex,
    firstname: 'Alex',
    lastname: 'Baker',
    telephone1: '+1 (415) 555-0100',
    mobilephone: '619-555-0129',
    'parentcustomerid_account@odata.bind': `/accounts(${IDS.account})`,
  });
  dataverse.create('contacts', { contactid: IDS.jordan, firstname: 'Jordan', lastname: "O'Brien", telephone1: '415.555.0101', mobilephone: '(415) 555-0100' });
  dataverse.create('contacts', { contactid: IDS.wang, lastname: '王伟', telephone1: '+86 10 6552 9988' });
  dataverse.create('contacts', { contactid: IDS.percent, firstname: 'Percy', lastname: '100% Sure_Ltd', telephone1: '+44 20 7946 0958 x123' });
  dataverse.create('contacts', { contactid: IDS.nophone, firstname: 'Nadia', lastname: 'Nophone' });
  dataverse.create('leads', { leadid: IDS.lead, subject: 'Enquiry', firstname: 'Robin', lastname: 'Carter', mobilephone: '+1 646 555 0142' });
  return dataverse;
}

/** Asserts that `work` fails with the given HTTP status and Dataverse code; returns the error for further checks. */
export function expectDataverseError(work: () => unknown, status: number, code: string, message?: RegExp): DataverseError {
  let caught: unknown;
  try {
    work();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DataverseError, `expected a DataverseError, got ${String(caught)}`);
  assert.equal(caught.status, status, caught.message);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}
