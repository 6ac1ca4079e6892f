import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CALLPANE_INTEGRATION, privilegeName, type Access } from '../../../src/sandbox/dataverse/security-roles.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** The tables as the role editor names them, by logical name. */
const TABLES: Readonly<Record<string, string>> = {
  Contact: 'contact',
  Account: 'account',
  Lead: 'lead',
  User: 'systemuser',
  'User Settings': 'usersettings',
  'Security Role': 'role',
  'Activity (Phone Call)': 'phonecall',
  'Channel Integration Framework v1.0 Provider': 'msdyn_ciprovider',
};
const ACCESS: Readonly<Record<string, Access>> = { Create: 'Create', Read: 'Read', Write: 'Write', Delete: 'Delete', Append: 'Append', 'Append To': 'AppendTo', Assign: 'Assign' };

/** The application user's role as docs/admin-dynamics.md lists it: privilege names, each required or optional. */
function documentedRole(): Map<string, 'required' | 'optional'> {
  const text = readFileSync(join(ROOT, 'docs/admin-dynamics.md'), 'utf8');
  const start = text.indexOf('**Its security role, and no more**');
  assert.ok(start >= 0, "docs/admin-dynamics.md lists the application user's role");
  const lines = text
    .slice(start)
    .split('\n')
    .map((line) => line.trim());
  const header = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > header && !line.startsWith('|'));
  const privileges = new Map<string, 'required' | 'optional'>();
  for (const row of lines.slice(header + 2, end)) {
    const [tables = '', accesses = ''] = row
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    const kind = /\(optional\)/.test(accesses) ? 'optional' : 'required';
    for (const table of tables.split(/,\s*/)) {
      const logicalName = TABLES[table];
      assert.ok(logicalName, `a table the test knows: ${table}`);
      for (const access of accesses.replace(/\(optional\)/, '').split(/,\s*/)) {
        const known = ACCESS[access.trim()];
        assert.ok(known, `a privilege the test knows: ${access}`);
        privileges.set(privilegeName(known, logicalName), kind);
      }
    }
  }
  return privileges;
}

describe('the Callpane Integration role', () => {
  test('grants every privilege docs/admin-dynamics.md requires of the application user, and none it does not list', () => {
    const documented = documentedRole();
    const granted = CALLPANE_INTEGRATION.privileges === 'all' ? new Set<string>() : CALLPANE_INTEGRATION.privileges;
    const required = [...documented].filter(([, kind]) => kind === 'required').map(([name]) => name);
    assert.ok(required.includes('prvAssignActivity'), 'the journal gives each call to the agent');
    assert.deepEqual(
      required.filter((name) => !granted.has(name)),
      [],
      'required by the doc, missing from the role',
    );
    assert.deepEqual(
      [...granted].filter((name) => !documented.has(name)),
      [],
      'in the role, not in the doc',
    );
  });
});
