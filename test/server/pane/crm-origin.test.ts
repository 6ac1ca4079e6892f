import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCrmOrigin, DYNAMICS_ORIGIN_PATTERNS, parseOriginPattern } from '../../../src/server/pane/crm-origin.ts';

const PATTERNS = [...DYNAMICS_ORIGIN_PATTERNS, 'http://127.0.0.1:8081'].map(parseOriginPattern);
const check = (raw: string | undefined) => checkCrmOrigin(raw, PATTERNS);

describe('the base parameter of the Channel URL', () => {
  it('accepts Dynamics 365 org origins in every region and sovereign cloud, and the sandbox', () => {
    for (const [raw, origin] of [
      ['https://org1234.crm.dynamics.com', 'https://org1234.crm.dynamics.com'],
      ['https://ORG1234.CRM4.dynamics.com/', 'https://org1234.crm4.dynamics.com'],
      ['https://contoso.crm21.dynamics.com', 'https://contoso.crm21.dynamics.com'],
      ['https://agency.crm.microsoftdynamics.us', 'https://agency.crm.microsoftdynamics.us'],
      ['https://org.crm.dynamics.cn', 'https://org.crm.dynamics.cn'],
      ['https://org.crm.dynamics.com:443', 'https://org.crm.dynamics.com'],
      ['http://127.0.0.1:8081', 'http://127.0.0.1:8081'],
      // Percent-encoding in the host is decoded by the URL parser: only the canonical origin is used.
      ['https://org%2ecrm.dynamics.com', 'https://org.crm.dynamics.com'],
    ]) {
      assert.deepEqual(check(raw), { ok: true, origin }, raw);
    }
  });

  for (const [raw, problem] of [
    [undefined, /missing/],
    ['', /missing/],
    ['org.crm.dynamics.com', /not an absolute URL/],
    ['javascript:alert(1)', /https:\/\//],
    ['data:text/html,<script>alert(1)</script>', /https:\/\//],
    ['http://org.crm.dynamics.com', /not an allowed/],
    ['https://evil.example', /not an allowed/],
    ['https://org.crm.dynamics.com.evil.example', /not an allowed/],
    ['https://a.b.crm.dynamics.com', /not an allowed/],
    ['https://crm.dynamics.com', /not an allowed/],
    ['https://org.crm1.dynamics.com', /not an allowed/],
    ['https://org.crm.dynamics.com:8443', /not an allowed/],
    ['https://org.crm.dynamics.com@evil.example', /user name or password/],
    ['https://user:pw@org.crm.dynamics.com', /user name or password/],
    // WHATWG URL reads the backslash as a path separator: the host is evil.example.
    ['https://evil.example\\@org.crm.dynamics.com', /origin only/],
    ['https://org.crm.dynamics.com/main.aspx', /origin only/],
    ['https://org.crm.dynamics.com/?x=1', /origin only/],
    ['https://org.crm.dynamics.com/#frag', /origin only/],
    ['http://127.0.0.1:8082', /not an allowed/],
    ['https://*.crm.dynamics.com', /one concrete origin: the host \*\.crm\.dynamics\.com holds "\*"/],
    ['https://org?.crm.dynamics.com', /origin only/],
    ['https://or*g.crm4.dynamics.com', /one concrete origin/],
    ['https://org_1.crm.dynamics.com', /one concrete origin/],
  ] as const) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      const result = check(raw);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.problem, problem);
    });
  }

  it('refuses malformed patterns at start-up, naming them', () => {
    assert.throws(() => parseOriginPattern('*.crm.dynamics.com'), /"\*\.crm\.dynamics\.com" is not an origin pattern/);
    assert.throws(() => parseOriginPattern('https://org.*.dynamics.com'), /is not an origin pattern/);
    assert.throws(() => parseOriginPattern('https://org..dynamics.com'), /a host label is empty/);
    assert.throws(() => parseOriginPattern('https://org.crm.dynamics.com/path'), /not an origin pattern/);
  });
});
