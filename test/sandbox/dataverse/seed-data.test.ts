import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { SEED } from '../../../src/sandbox/dataverse/seed-data.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callpane-dataverse-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const count = (dataverse: Dataverse, set: string) => dataverse.retrieveMultiple(set, '?$count=true&$top=0').count;

describe('the seed', () => {
  test('holds a few dozen contacts, accounts and leads, users with languages, and past calls', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      assert.ok((count(dataverse, 'contacts') ?? 0) >= 40);
      assert.ok((count(dataverse, 'accounts') ?? 0) >= 10);
      assert.ok((count(dataverse, 'leads') ?? 0) >= 15);
      assert.equal(count(dataverse, 'systemusers'), 3);
      const languages = dataverse.retrieveMultiple('usersettingscollection', '?$select=uilanguageid&$orderby=systemuserid').records.map((r) => r.uilanguageid);
      assert.deepEqual(languages, [1033, 2052, 1033]);
      const calls = dataverse.retrieveMultiple('phonecalls', '?$select=statecode,statuscode&$orderby=activityid').records.map((r) => [r.statecode, r.statuscode]);
      assert.deepEqual(calls, [[1, 4], [1, 2], [0, 1]]);
    } finally {
      dataverse.close();
    }
  });

  test('stores phone numbers as people type them, shares one number between two contacts, and has Chinese names', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      const digits = '%4%1%5%5%5%5%0%1%0%0%';
      const shared = dataverse.retrieveMultiple('contacts', `?$select=fullname&$filter=endswith(telephone1,'0100') or endswith(mobilephone,'0100')&$orderby=fullname`).records;
      assert.deepEqual(shared.map((r) => r.contactid), [SEED.contactAlexBaker, SEED.contactJordanLee]);
      const anyPunctuation = dataverse.retrieveMultiple('contacts', `?$select=telephone1&$filter=contains(telephone1,'${digits}')`).records.map((r) => r.telephone1);
      assert.ok(anyPunctuation.includes('+1 (415) 555-0100'));
      const formats = dataverse.retrieveMultiple('contacts', '?$select=telephone1&$filter=telephone1 ne null').records.map((r) => String(r.telephone1));
      for (const pattern of [/^\+\d/, /^0\d/, /^00\d/, /\(\d+\)/, /\d\.\d/, / x\d+$/, /ext\. \d+$/]) {
        assert.ok(formats.some((f) => pattern.test(f)), `no seed number matches ${pattern}`);
      }
      assert.equal(dataverse.retrieve('contacts', SEED.contactWangWei, '?$select=fullname').record.fullname, '王伟');
      const mobileOnly = dataverse.retrieve('contacts', SEED.contactMobileOnly, '?$select=telephone1,mobilephone').record;
      assert.equal(mobileOnly.telephone1, null);
      assert.ok(mobileOnly.mobilephone);
    } finally {
      dataverse.close();
    }
  });

  test('is the same on every load', () => {
    const first = new Dataverse({ path: ':memory:' });
    const second = new Dataverse({ path: ':memory:' });
    try {
      const all = (d: Dataverse) => JSON.stringify(d.retrieveMultiple('contacts').records);
      assert.equal(all(first), all(second));
    } finally {
      first.close();
      second.close();
    }
  });
});

describe('reset', () => {
  test('restores the seed: new records are gone, changed and deleted ones are back', () => {
    const dataverse = new Dataverse({ path: ':memory:' });
    try {
      const before = JSON.stringify(dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1,mobilephone').records.map(({ '@odata.etag': _, ...r }) => r));
      dataverse.create('contacts', { lastname: 'Temporary' });
      dataverse.update('contacts', SEED.contactAlexBaker, { telephone1: 'changed' });
      dataverse.delete('contacts', SEED.contactJordanLee);
      dataverse.create('phonecalls', { subject: 'new call' });
      dataverse.reset();
      const after = JSON.stringify(dataverse.retrieveMultiple('contacts', '?$select=fullname,telephone1,mobilephone').records.map(({ '@odata.etag': _, ...r }) => r));
      assert.equal(after, before);
      assert.equal(count(dataverse, 'phonecalls'), 3);
    } finally {
      dataverse.close();
    }
  });

  test('a database file keeps changes across reopening and is not reseeded', () => {
    const path = join(dir, 'dataverse.db');
    const first = new Dataverse({ path });
    first.create('contacts', { contactid: 'cccccccc-0000-4000-8000-0000000000a1', lastname: 'Persisted' });
    const contacts = count(first, 'contacts');
    first.close();
    const second = new Dataverse({ path });
    try {
      assert.equal(count(second, 'contacts'), contacts);
      assert.equal(second.retrieve('contacts', 'cccccccc-0000-4000-8000-0000000000a1').record.fullname, 'Persisted');
    } finally {
      second.close();
    }
  });
});
