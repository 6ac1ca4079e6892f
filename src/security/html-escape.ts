/**
 * Text from a request or from configuration placed into the HTML Callpane and its sandbox serve:
 * escaped so that no value can add markup, end an element or run a script (OWASP's XSS
 * prevention rules: https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html).
 */

/** Text inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * JSON inside a script element: `<`, `>` and `&` as \u escapes so no value can end the element
 * or open a comment, and the two line separators JavaScript once refused in strings.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
