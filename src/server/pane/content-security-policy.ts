/**
 * The Content-Security-Policy of the pane's pages (docs/cif-contract.md §10). The shell may run scripts
 * only from us and from the Dynamics org in `base` (its CIF library), may be framed only by
 * that org (frame-ancestors, CSP Level 3: https://www.w3.org/TR/CSP3/#directive-frame-ancestors),
 * and may connect only to us, WebSockets included. `base` is a checked canonical origin and the
 * WebSocket origin a checked host, so neither can add a directive.
 */

export interface ShellPolicyInput {
  /** The checked Dynamics 365 origin. */
  base: string;
  /** ws(s)://host of this server as the browser reached it; omitted when unknown ('self' covers it in CSP3). */
  webSocketOrigin: string | undefined;
}

export function shellPolicy({ base, webSocketOrigin }: ShellPolicyInput): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${base}`,
    `connect-src 'self'${webSocketOrigin ? ` ${webSocketOrigin}` : ''}`,
    `frame-ancestors ${base}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The refusal page loads nothing and runs nothing; it may be framed by any allowed org (origin
 * patterns are valid CSP host sources), so an administrator who mistyped `base` sees it inside
 * the Dynamics channel panel.
 */
export function refusalPolicy(styleHash: string, frameAncestors: readonly string[]): string {
  return [
    "default-src 'none'",
    `style-src '${styleHash}'`,
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
