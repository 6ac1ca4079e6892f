/**
 * Recursive-descent parser for the `$filter` subset Dataverse documents: comparison operators
 * (eq ne gt ge lt le), logical operators (and or not), parentheses, and the string functions
 * contains / startswith / endswith. Precedence follows OData 4.01 §5.1.1.16 (not binds tighter
 * than the comparisons, so `not name eq 'x'` is a type error as in Dataverse):
 *
 *   or  <  and  <  eq ne  <  gt ge lt le  <  not  <  primary
 *
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows
 */
import { querySyntaxError } from './dataverse-error.ts';
import { syntaxError, tokenize, type Token } from './filter-tokenizer.ts';

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type StringFunction = 'contains' | 'startswith' | 'endswith';

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; integer: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'guid'; value: string }
  | { kind: 'datetime'; value: string };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; operator: ComparisonOperator; left: FilterNode; right: FilterNode }
  | { kind: 'function'; name: StringFunction; args: FilterNode[]; position: number }
  | { kind: 'property'; name: string; position: number }
  | { kind: 'literal'; literal: Literal; position: number };

const EQUALITY = new Set(['eq', 'ne']);
const RELATIONAL = new Set(['gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);

export function parseFilter(text: string): FilterNode {
  if (text.trim() === '') throw querySyntaxError('The $filter query option cannot be empty.');
  const parser = new Parser(text, tokenize(text));
  const node = parser.parseOr();
  parser.expectEnd();
  return node;
}

class Parser {
  private readonly text: string;
  private readonly tokens: Token[];
  private index = 0;

  constructor(text: string, tokens: Token[]) {
    this.text = text;
    this.tokens = tokens;
  }

  parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.keyword('or')) {
      this.index += 1;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw syntaxError(token.position, this.text);
  }

  private parseAnd(): FilterNode {
    let left = this.parseEquality();
    while (this.keyword('and')) {
      this.index += 1;
      left = { kind: 'and', left, right: this.parseEquality() };
    }
    return left;
  }

  private parseEquality(): FilterNode {
    let left = this.parseRelational();
    for (let op = this.operator<ComparisonOperator>(EQUALITY); op; op = this.operator<ComparisonOperator>(EQUALITY)) {
      this.index += 1;
      left = { kind: 'compare', operator: op, left, right: this.parseRelational() };
    }
    return left;
  }

  private parseRelational(): FilterNode {
    let left = this.parseUnary();
    for (let op = this.operator<ComparisonOperator>(RELATIONAL); op; op = this.operator<ComparisonOperator>(RELATIONAL)) {
      this.index += 1;
      left = { kind: 'compare', operator: op, left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.keyword('not')) {
      this.index += 1;
      return { kind: 'not', operand: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterNode {
    const token = this.next();
    switch (token.kind) {
      case 'lparen': {
        const inner = this.parseOr();
        this.expect('rparen');
        return inner;
      }
      case 'string':
        return { kind: 'literal', literal: { kind: 'string', value: token.value }, position: token.position };
      case 'number':
        return { kind: 'literal', literal: { kind: 'number', value: token.value, integer: token.integer }, position: token.position };
      case 'guid':
        return { kind: 'literal', literal: { kind: 'guid', value: token.value }, position: token.position };
      case 'datetime':
        return { kind: 'literal', literal: { kind: 'datetime', value: token.value }, position: token.position };
      case 'identifier':
        return this.identifier(token.value, token.position);
      default:
        throw syntaxError(token.position, this.text);
    }
  }

  private identifier(name: string, position: number): FilterNode {
    if (name === 'true' || name === 'false') return { kind: 'literal', literal: { kind: 'bool', value: name === 'true' }, position };
    if (name === 'null') return { kind: 'literal', literal: { kind: 'null' }, position };
    if (this.peek().kind === 'lparen') {
      if (!FUNCTIONS.has(name)) {
        throw querySyntaxError(
          `An unknown function with name '${name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
        );
      }
      this.index += 1;
      const args: FilterNode[] = [this.parseOr()];
      while (this.peek().kind === 'comma') {
        this.index += 1;
        args.push(this.parseOr());
      }
      this.expect('rparen');
      return { kind: 'function', name: name as StringFunction, args, position };
    }
    if (EQUALITY.has(name) || RELATIONAL.has(name) || name === 'and' || name === 'or' || name === 'not') throw syntaxError(position, this.text);
    return { kind: 'property', name, position };
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.value === word;
  }

  private operator<T extends string>(set: Set<string>): T | undefined {
    const token = this.peek();
    return token.kind === 'identifier' && set.has(token.value) ? (token.value as T) : undefined;
  }

  private expect(kind: Token['kind']): void {
    const token = this.next();
    if (token.kind !== kind) throw syntaxError(token.position, this.text);
  }

  private peek(): Token {
    // The token list ends with an 'end' token, which next() never steps past.
    const token = this.tokens[this.index];
    if (token === undefined) throw new Error('the $filter parser read past its end token');
    return token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }
}
