/**
 * openid-client's checks of the ID token itself (OpenID Connect Core §3.1.3.7), against ID tokens
 * the real test provider issued and then re-signed with changed claims or a key it does not
 * publish (oidc-test-provider.ts, `idTokenTampering`): a refused one answers SSO_TOKEN_REJECTED,
 * starts no session, and leaves openid-client's error code in the log. openid-client reports
 * every failed claim comparison (aud, azp, iss) with one code and message; the claim it names
 * only in the error's cause, so each test changes one claim and the first test shows that the
 * re-signing alone is accepted.
 * https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/server/logger.ts';
import type { IdTokenTampering } from './oidc-test-provider.ts';
import { SsoBrowser, resultOf } from './sso-browser.ts';
import { createSsoFixture } from './sso-fixture.ts';

/** Our client at the provider (the `entra` one), and another client the same issuer serves. */
const OUR_CLIENT = 'callpane-entra';
const OTHER_CLIENT = 'callpane-google';
/** An audience Callpane has never heard of, as another application of the tenant would be. */
const UNTRUSTED = 'some-other-application';
/** openid-client's code for a claim that is not what it expects. */
const CLAIM_COMPARISON_FAILED = 'OAUTH_JWT_CLAIM_COMPARISON_FAILED';

interface SignInOutcome {
  status: number;
  result: Record<string, unknown>;
  sessions: number;
  /** openid-client's error code for refusing the code or the token, as logged. */
  refusal: string | undefined;
}

/** Alice signs in through the Entra-style provider, whose ID token is tampered with as given. */
async function signInWith(idTokenTampering: IdTokenTampering): Promise<SignInOutcome> {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const sso = await createSsoFixture({ logger: createLogger({ level: 'info', pretty: false, destination }), providerOptions: { idTokenTampering } });
  try {
    const browser = new SsoBrowser();
    const { secret, startUrl } = sso.begin('entra');
    const response = await browser.request(await browser.authorize(startUrl, 'alice'));
    const result = resultOf(await response.text());
    // The pane claims whatever the popup ended with: only a success may start a session.
    await (await sso.claim(secret)).body?.cancel();
    return {
      status: response.status,
      result,
      sessions: (sso.db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n,
      refusal: lines.find((line) => line.msg === 'ID token or code refused')?.code as string | undefined,
    };
  } finally {
    await sso.close();
  }
}

function assertRefused(outcome: SignInOutcome, code: string): void {
  assert.equal(outcome.result.ok, false);
  assert.equal(outcome.result.code, 'SSO_TOKEN_REJECTED');
  assert.equal(outcome.status, 400);
  assert.equal(outcome.sessions, 0);
  assert.equal(outcome.refusal, code);
}

test("an ID token re-signed with the provider's own key and unchanged claims still signs in, so the refusals below are for what was changed", async () => {
  const outcome = await signInWith({});
  assert.equal(outcome.result.ok, true);
  assert.equal(outcome.status, 200);
  assert.equal(outcome.sessions, 1, "the pane's claim started the session");
  assert.equal(outcome.refusal, undefined);
});

test('an ID token the provider signed for another of its clients is refused for its audience', async () => {
  // §3.1.3.7 rule 3: aud must contain our client_id.
  assertRefused(await signInWith({ claims: { aud: OTHER_CLIENT } }), CLAIM_COMPARISON_FAILED);
});

test('an ID token for us and an untrusted audience, without azp, is refused', async () => {
  // Rule 3 also rejects a token with "additional audiences not trusted by the Client"; rule 4
  // asks for azp when there are several. openid-client (oauth4webapi) trusts no audience but its
  // own, so any second audience without azp is refused, not merely one it cannot vouch for.
  assertRefused(await signInWith({ claims: { aud: [OUR_CLIENT, UNTRUSTED], azp: undefined } }), CLAIM_COMPARISON_FAILED);
});

test('an ID token for several audiences whose authorized party is another application is refused', async () => {
  // Rule 5: when azp is present it must be our client_id.
  assertRefused(await signInWith({ claims: { aud: [OUR_CLIENT, UNTRUSTED], azp: UNTRUSTED } }), CLAIM_COMPARISON_FAILED);
});

test('an ID token for several audiences whose authorized party is us is accepted, as OpenID Connect allows', async () => {
  // Rules 3–5 hold: aud contains us, azp is present and is us. Documents openid-client's reading.
  const outcome = await signInWith({ claims: { aud: [OUR_CLIENT, UNTRUSTED], azp: OUR_CLIENT } });
  assert.equal(outcome.result.ok, true);
  assert.equal(outcome.refusal, undefined);
});

test("an ID token naming another issuer is refused, though the configured issuer's key signed it", async () => {
  // Rule 2: iss must be exactly the issuer of the discovery document.
  assertRefused(await signInWith({ claims: { iss: 'https://login.microsoftonline.com/9f8e7d6c-5b4a-4321-8fed-cba987654321/v2.0' } }), CLAIM_COMPARISON_FAILED);
});

test('an ID token signed by a key the provider does not publish is refused, though it came straight from the token endpoint', async () => {
  // Rule 6 would let a client trust the TLS connection instead of the signature; openid-client v6
  // checks the signature only with enableNonRepudiationChecks, which oidc-clients.ts turns on.
  assertRefused(await signInWith({ foreignKey: true }), 'OAUTH_INVALID_RESPONSE');
});
