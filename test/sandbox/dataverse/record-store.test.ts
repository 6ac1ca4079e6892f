import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Dataverse } from '../../../src/sandbox/dataverse/dataverse.ts';
import { SEED } from '../../../src/sandbox/dataverse/seed-data.ts';
import { SALESPERSON, SYSTEM_ADMINISTRATOR } from '../../../src/sandbox/dataverse/security-roles.ts';

const dir = mkdtempSync(join(tmpdir(), 'callpane-record-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a database from before the security roles gains the new columns and tables, its rows and the seed roles kept', () => {
  const path = join(dir, 'old.db');
  new Dataverse({ path }).close();
  // Make it look like the previous sandbox version's database.
  const db = new DatabaseSync(path);
  db.exec('DROP TABLE "role"; DROP TABLE "systemuserroles"; DROP TABLE "msdyn_ciprovider"');
  db.exec('ALTER TABLE "systemuser" DROP COLUMN "applicationid"; ALTER TABLE "systemuser" DROP COLUMN "accessmode"');
  db.exec('DROP INDEX "phonecall_ownerid"; ALTER TABLE "phonecall" DROP COLUMN "_ownerid_value"; ALTER TABLE "phonecall" DROP COLUMN "_ownerid_type"');
  db.exec(`UPDATE "contact" SET "jobtitle" = 'Kept' WHERE "contactid" = '${SEED.contactAlexBaker}'`);
  db.close();

  const dataverse = new Dataverse({ path });
  try {
    assert.equal(dataverse.retrieve('contacts', SEED.contactAlexBaker, '?$select=jobtitle').record.jobtitle, 'Kept', 'no reseed');
    assert.equal(dataverse.retrieve('systemusers', SEED.agentEnglish, '?$select=applicationid,accessmode').record.applicationid, null);
    assert.deepEqual(dataverse.rolesOf(SEED.agentEnglish), [SALESPERSON.id]);
    assert.deepEqual(dataverse.rolesOf(SEED.supervisor), [SYSTEM_ADMINISTRATOR.id]);
    const call = dataverse.retrieveMultiple('phonecalls', '?$select=_ownerid_value&$top=1').records[0];
    assert.equal(call?._ownerid_value, null);
    assert.equal(dataverse.retrieveMultiple('msdyn_ciproviders').records.length, 0);
  } finally {
    dataverse.close();
  }
});
