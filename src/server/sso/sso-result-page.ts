/**
 * What the popup shows at the end of a sign-in, and how it nudges the pane. The page carries the
 * result as JSON data (never executed, and holding no secret: the pane claims the session itself,
 * sso-handoffs.ts); /dyncrm/sso/result.js, our only script, posts it to `window.opener` with our
 * own origin as the target (so only a window of our origin, the pane that opened the popup, can
 * read it) and closes the popup after a success. A failure stays on screen so the agent can read
 * it. When an identity provider's Cross-Origin-Opener-Policy has cut the popup off from the pane,
 * there is no opener: the pane learns the outcome by claiming it, and a success still closes the
 * popup. CSP allows that one script and nothing else.
 */
import { escapeHtml, scriptJson } from '../../security/html-escape.ts';

export const SSO_RESULT_SCRIPT_PATH = '/dyncrm/sso/result.js';

/** The message the pane receives (`event.data`), `type` telling it apart from CIF's messages. */
export type SsoResultMessage =
  | { type: 'callpane-sso'; ok: true; extension: { number: string; displayName: string } }
  | { type: 'callpane-sso'; ok: false; code: string; message: string };

export const SSO_RESULT_POLICY = "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const SSO_RESULT_SCRIPT = `const result = JSON.parse(document.getElementById('sso-result').textContent);
if (window.opener) window.opener.postMessage(result, window.location.origin);
if (result.ok) window.close();
`;

export function renderSsoResult(result: SsoResultMessage): string {
  const heading = result.ok ? 'Signed in' : 'Sign-in failed';
  const text = result.ok ? `Signed in as ${result.extension.displayName} (${result.extension.number}). You can close this window.` : result.message;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Callpane: ${heading}</title>
</head>
<body>
<h1>${heading}</h1>
<p id="sso-message">${escapeHtml(text)}</p>
<script id="sso-result" type="application/json">${scriptJson(result)}</script>
<script src="${SSO_RESULT_SCRIPT_PATH}"></script>
</body>
</html>
`;
}
