/**
 * T-SQL LIKE matching, which Dataverse applies to the values of `contains`, `startswith` and
 * `endswith`: `%` any run of characters, `_` one character, `[abc]` / `[a-c]` one character in
 * the set, `[^abc]` one character not in it; a wildcard in brackets (`[%]`) is literal.
 * Comparison is case-insensitive, as under Dataverse's default collation.
 * https://learn.microsoft.com/power-apps/developer/data-platform/wildcard-characters
 * https://learn.microsoft.com/sql/t-sql/language-elements/like-transact-sql#using-wildcard-characters-as-literals
 *
 * SQLite's LIKE knows neither brackets nor non-ASCII case folding, so the sandbox registers this
 * matcher as an SQL function instead.
 */

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
const CLASS_SYNTAX = /[\\\][^-]/g;
const NEVER = /(?!)/u;
const CACHE_LIMIT = 500;
const cache = new Map<string, RegExp>();

/** True when `value` matches the T-SQL LIKE `pattern`; null (SQL NULL) never matches. */
export function matchesLike(value: string | null, pattern: string | null): boolean {
  if (value === null || pattern === null) return false;
  return likeToRegExp(pattern).test(value);
}

export function likeToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const compiled = compile(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function compile(pattern: string): RegExp {
  let source = '';
  const chars = Array.from(pattern);
  let next = 0;
  for (const [i, char] of chars.entries()) {
    if (i < next) continue;
    if (char === '%') source += '[\\s\\S]*';
    else if (char === '_') source += '[\\s\\S]';
    else if (char === '[') {
      const close = chars.indexOf(']', i + 1);
      // An unclosed bracket makes the whole pattern match nothing in SQL Server (no rows).
      if (close < 0) return NEVER;
      source += characterClass(chars.slice(i + 1, close));
      next = close + 1;
    } else source += char.replace(SYNTAX, '\\$&');
  }
  return new RegExp(`^${source}$`, 'iu');
}

function characterClass(body: string[]): string {
  const negated = body[0] === '^';
  const items = negated ? body.slice(1) : body;
  if (items.length === 0) return negated ? '[\\s\\S]' : '(?!)';
  let cls = '';
  for (let j = 0; j < items.length; j += 1) {
    const [from = '', dash, to] = items.slice(j, j + 3);
    if (dash === '-' && to !== undefined && to >= from) {
      cls += `${escapeInClass(from)}-${escapeInClass(to)}`;
      j += 2;
    } else cls += escapeInClass(from);
  }
  return negated ? `[^${cls}]` : `[${cls}]`;
}

function escapeInClass(char: string): string {
  return char.replace(CLASS_SYNTAX, '\\$&');
}
