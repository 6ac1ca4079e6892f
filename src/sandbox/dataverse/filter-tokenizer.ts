/**
 * Splits an OData `$filter` expression into tokens (OData 4.01 ABNF, the subset Dataverse
 * documents at https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows).
 * String literals are single-quoted with `''` for a quote inside; GUIDs, numbers and
 * DateTimeOffset values are bare literals.
 */
import { querySyntaxError, type DataverseError } from './dataverse-error.ts';

export type Token =
  | { kind: 'lparen' | 'rparen' | 'comma'; position: number }
  | { kind: 'identifier'; value: string; position: number }
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; integer: boolean; position: number }
  | { kind: 'guid'; value: string; position: number }
  | { kind: 'datetime'; value: string; position: number }
  | { kind: 'end'; position: number };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})(?![\w:])/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/;
const IDENTIFIER = /^[A-Za-z_][\w]*(?:[/.][A-Za-z_][\w]*)*/;

/** Dataverse's wording for a malformed filter (the OData library's "Syntax error at position …"). */
export function syntaxError(position: number, text: string): DataverseError {
  return querySyntaxError(`Syntax error at position ${position} in '${text}'.`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      i += 1;
      continue;
    }
    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char === '(' ? 'lparen' : char === ')' ? 'rparen' : 'comma', position: i });
      i += 1;
      continue;
    }
    if (char === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) {
          throw querySyntaxError(`There is an unterminated literal at position ${text.length} in '${text}'.`);
        }
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += text[i];
        i += 1;
      }
      tokens.push({ kind: 'string', value, position: start });
      continue;
    }
    const rest = text.slice(i);
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ kind: 'guid', value: guid[0].toLowerCase(), position: i });
      i += guid[0].length;
      continue;
    }
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      tokens.push({ kind: 'datetime', value: datetime[0], position: i });
      i += datetime[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) throw syntaxError(i, text);
      tokens.push({ kind: 'number', value, integer: /^-?\d+$/.test(number[0]), position: i });
      i += number[0].length;
      continue;
    }
    const identifier = IDENTIFIER.exec(rest);
    if (identifier) {
      tokens.push({ kind: 'identifier', value: identifier[0], position: i });
      i += identifier[0].length;
      continue;
    }
    throw syntaxError(i, text);
  }
  tokens.push({ kind: 'end', position: text.length });
  return tokens;
}
