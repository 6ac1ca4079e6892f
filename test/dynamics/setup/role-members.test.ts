import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeExtensions, roleMembers, type RoleMember } from '../../../src/dynamics/setup/role-members.ts';
import { SEED } from '../../../src/sandbox/dataverse/index.ts';
import { startSetupFixture, type SetupFixture } from './setup-fixture.ts';

let fixture: SetupFixture;
before(async () => {
  fixture = await startSetupFixture();
});
after(() => fixture.close());

describe('the users holding a security role', () => {
  test("are read through the role's systemuserroles_association, by role name", async () => {
    const found = await roleMembers(fixture.client, 'Salesperson');
    assert.equal(found.roleIds.length, 1);
    assert.deepEqual(
      found.members.map((member) => [member.fullname, member.email]),
      [
        ['Alex Agent', 'alex.agent@sandbox.example'],
        ['李娜', 'li.na@sandbox.example'],
      ],
    );
    assert.deepEqual(found.skipped, []);
    assert.equal(found.members[0]?.systemuserid, SEED.agentEnglish);
  });

  test('leave out the application user, and find no role of an unknown name', async () => {
    const integration = await roleMembers(fixture.client, 'Callpane Integration');
    assert.deepEqual(integration.members, []);
    assert.deepEqual(
      integration.skipped.map((skipped) => skipped.reason),
      ['an application user'],
    );
    assert.deepEqual(await roleMembers(fixture.client, "O'Brien's role"), { roleIds: [], members: [], skipped: [] });
  });
});

describe('extensions proposed for role members', () => {
  const members: RoleMember[] = [
    { systemuserid: 'a', fullname: 'Alex Agent', email: 'alex.agent@sandbox.example' },
    { systemuserid: 'b', fullname: 'Blair Ames', email: 'blair@sandbox.example' },
    { systemuserid: 'c', fullname: 'Casey Cole', email: 'casey@sandbox.example' },
  ];

  test('number from the start upwards, skip numbers in use and members who already have an extension by e-mail', () => {
    const proposal = proposeExtensions(
      members,
      [
        { number: '1001', email: 'ALEX.AGENT@sandbox.example' },
        { number: '2001', email: null },
      ],
      2000,
    );
    assert.deepEqual(proposal.rows, [
      { number: '2000', name: 'Blair Ames', email: 'blair@sandbox.example' },
      { number: '2002', name: 'Casey Cole', email: 'casey@sandbox.example' },
    ]);
    assert.deepEqual(proposal.existing, [{ name: 'Alex Agent', email: 'alex.agent@sandbox.example', number: '1001' }]);
  });
});
