import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChannelProvider, callpaneChannelUrl } from '../../../src/dynamics/setup/channel-provider-record.ts';
import { checkDynamics, extensionLines, type CheckExtension, type CheckLine } from '../../../src/dynamics/setup/dynamics-check.ts';
import { applicationUserId } from '../../../src/sandbox/dataverse/application-users.ts';
import { SALESPERSON } from '../../../src/sandbox/dataverse/security-roles.ts';
import { APP } from '../web-api/sandbox-org.ts';
import { startSetupFixture, type SetupFixture } from './setup-fixture.ts';

const PANE = 'https://pbx.example.com';
const EXTENSIONS: CheckExtension[] = [
  { number: '1001', displayName: 'Alex Agent', email: 'alex.agent@sandbox.example' },
  { number: '1003', displayName: '李娜', email: 'LI.NA@sandbox.example' },
];

let fixture: SetupFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function start(options: Parameters<typeof startSetupFixture>[0] = {}): Promise<SetupFixture> {
  fixture = await startSetupFixture(options);
  return fixture;
}

function run(f: SetupFixture, options: { paneUrl?: string } = { paneUrl: PANE }): Promise<CheckLine[]> {
  return checkDynamics({ connection: f.connection, tokens: f.tokens, client: f.client, extensions: EXTENSIONS, paneUrl: options.paneUrl });
}

const summary = (lines: CheckLine[]) => lines.map((line) => `${line.status} ${line.subject}`);

describe('callpane dynamics check against the sandbox org', () => {
  test('a complete setup is ok on every line: token, org, application user, roles, each extension, channel provider', async () => {
    const f = await start();
    await applyChannelProvider(f.client, f.org.origin, { channelUrl: callpaneChannelUrl(PANE, f.org.origin), label: 'Callpane', order: 1, roleIds: [SALESPERSON.id] });
    const lines = await run(f);
    assert.deepEqual(summary(lines), ['ok token', 'ok org', 'ok application user', 'ok roles', 'ok extension 1001', 'ok extension 1003', 'ok channel provider']);
    const detail = (subject: string) => lines.find((line) => line.subject === subject)?.detail ?? '';
    assert.match(detail('org'), new RegExp(`user ${applicationUserId(APP.clientId)}`));
    assert.equal(detail('roles'), 'Callpane Integration');
    assert.equal(detail('extension 1003'), '李娜 is 李娜 (LI.NA@sandbox.example)');
    assert.equal(detail('channel provider'), `Callpane → ${PANE}/dyncrm?base=${f.org.origin}`);
  });

  test('an extension without e-mail or without a Dynamics user is a line to fix, saying what happens to its calls', () => {
    const lines = extensionLines(
      [
        { number: '1002', displayName: 'Dana Desk', email: null },
        { number: '1004', displayName: 'Nobody', email: 'nobody@sandbox.example' },
      ],
      [{ systemuserid: 'x', fullname: 'Alex Agent', internalemailaddress: 'alex.agent@sandbox.example', domainname: 'alex@contoso.example' }],
    );
    assert.deepEqual(summary(lines), ['fail extension 1002', 'fail extension 1004']);
    assert.match(lines[0]?.detail ?? '', /no e-mail address: .*callpane ext email 1002 <e-mail>.*journaled as the application user/);
    assert.match(lines[1]?.detail ?? '', /no enabled Dynamics user has the e-mail or user name nobody@sandbox\.example/);
    assert.deepEqual(
      summary(
        extensionLines(
          [{ number: '1001', displayName: 'A', email: 'Alex@Contoso.example' }],
          [{ systemuserid: 'x', fullname: 'Alex', internalemailaddress: null, domainname: 'alex@contoso.example' }],
        ),
      ),
      ['ok extension 1001'],
    );
  });

  test('no channel provider record, or one for another Callpane, is to fix with the setup command; without http.publicUrl it is a warning', async () => {
    const f = await start();
    assert.deepEqual((await run(f)).at(-1), {
      status: 'fail',
      subject: 'channel provider',
      detail: `no active CIF 1.0 channel provider record, so Dynamics shows no panel: run callpane dynamics setup (Channel URL ${PANE}/dyncrm?base=${f.org.origin}), or make it by hand (callpane dynamics setup --help)`,
    });
    await applyChannelProvider(f.client, f.org.origin, { channelUrl: callpaneChannelUrl('https://old-pbx.example.com', f.org.origin), label: 'Old', order: 1, roleIds: [] });
    const elsewhere = (await run(f)).at(-1);
    assert.equal(elsewhere?.status, 'fail');
    assert.match(elsewhere?.detail ?? '', /no record's Channel URL is this Callpane .*Old → https:\/\/old-pbx\.example\.com\/dyncrm/);
    assert.equal((await run(f, {})).at(-1)?.status, 'warn');
  });

  test("a wrong secret stops at the token, with Entra's reason and what to check", async () => {
    const f = await start({ clientSecret: 'wrong' });
    const lines = await run(f);
    assert.deepEqual(summary(lines), ['fail token']);
    assert.match(lines[0]?.detail ?? '', /AADSTS7000215.*check dynamics\.tenantId, dynamics\.clientId and the credential/);
  });

  test('an org that does not know the app (401 with a fresh token) says how to add the application user', async () => {
    const f = await start();
    f.org.faults.push({ status: 401, body: '' }, { status: 401, body: '' });
    const lines = await run(f);
    assert.deepEqual(summary(lines), ['ok token', 'fail org']);
    assert.match(lines[1]?.detail ?? '', /does not know the app .*Application users → New app user/);
  });

  test('an application user without a security role is to fix', async () => {
    const f = await start();
    f.org.dataverse.setUserRoles(applicationUserId(APP.clientId), []);
    const lines = await run(f);
    assert.deepEqual(summary(lines).slice(0, 3), ['ok token', 'ok org', 'fail application user']);
    assert.match(lines[2]?.detail ?? '', /may not read systemusers and their roles: its security role needs Read on User and Security Role/);
  });
});
