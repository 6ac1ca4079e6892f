/**
 * Turns a parsed `$filter` into an SQLite WHERE clause for one entity's table. Every value
 * travels as a bound parameter and every column name comes from the entity schema (never from
 * the request text), so nothing in a filter can change the SQL that runs.
 *
 * Semantics follow Dataverse (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows):
 * string comparisons are case-insensitive; contains/startswith/endswith are T-SQL LIKE with the
 * value's wildcards in force; a condition on NULL is not true, so `ne` and `not` leave out rows
 * whose value is null, as SQL Server does. Operand types are checked the way the OData library
 * checks them, with its messages.
 */
import { propertyNotFound, querySyntaxError, type DataverseError } from './dataverse-error.ts';
import { queryableProperty, type ColumnType, type EntityDef } from './entity-schema.ts';
import type { ComparisonOperator, FilterNode, Literal } from './filter-parser.ts';
import { normalizeDateTime, parseGuid } from './value-format.ts';

/** SQL functions the store registers: case folding and T-SQL LIKE. */
export const FOLD_FUNCTION = 'dv_fold';
export const LIKE_FUNCTION = 'dv_like';

export type SqlValue = string | number | null;

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
}

const SQL_OPERATORS: Record<ComparisonOperator, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
const OPERATOR_KINDS: Record<ComparisonOperator, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const EDM: Record<ColumnType, string> = {
  string: 'Edm.String',
  int: 'Edm.Int32',
  bool: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  guid: 'Edm.Guid',
};

interface Operand {
  /** SQL for a column, or undefined for a literal. */
  column?: string;
  type: ColumnType | 'null';
  edm: string;
  literal?: Literal;
}

export function filterToSql(entity: EntityDef, node: FilterNode): SqlCondition {
  const params: SqlValue[] = [];
  const sql = condition(entity, node, params);
  return { sql, params };
}

/** Quotes a column name taken from the schema. */
export function columnSql(name: string): string {
  return `"${name}"`;
}

function condition(entity: EntityDef, node: FilterNode, params: SqlValue[]): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${condition(entity, node.left, params)} ${node.kind.toUpperCase()} ${condition(entity, node.right, params)})`;
    case 'not':
      if (node.operand.kind === 'property' || node.operand.kind === 'literal') {
        const operand = resolve(entity, node.operand);
        throw querySyntaxError(`A unary operator with an incompatible type was detected. Found operand type '${operand.edm}' for operator kind 'Not'.`);
      }
      return `(NOT ${condition(entity, node.operand, params)})`;
    case 'compare':
      return comparison(entity, node.operator, node.left, node.right, params);
    case 'function':
      return stringFunction(entity, node, params);
    default:
      throw notBoolean();
  }
}

function comparison(entity: EntityDef, operator: ComparisonOperator, leftNode: FilterNode, rightNode: FilterNode, params: SqlValue[]): string {
  for (const side of [leftNode, rightNode]) {
    // A condition as an operand: report its own type error first (e.g. `not name eq 'x'`).
    if (!isValue(side)) {
      condition(entity, side, []);
      throw notPropertyComparison();
    }
  }
  if (!isValue(leftNode) || !isValue(rightNode)) throw notPropertyComparison();
  const left = resolve(entity, leftNode);
  const right = resolve(entity, rightNode);
  if (left.column === undefined && right.column === undefined) throw notPropertyComparison();
  if (left.type === 'null' || right.type === 'null') {
    const column = left.column ?? right.column;
    if (operator === 'eq') return `(${column} IS NULL)`;
    if (operator === 'ne') return `(${column} IS NOT NULL)`;
    // Ordering against null is never true in SQL Server.
    return '(0)';
  }
  const type = commonType(left, right, operator);
  const sqlOperator = SQL_OPERATORS[operator];
  const leftSql = operandSql(left, type, params);
  const rightSql = operandSql(right, type, params);
  return `(${leftSql} ${sqlOperator} ${rightSql})`;
}

function stringFunction(entity: EntityDef, node: Extract<FilterNode, { kind: 'function' }>, params: SqlValue[]): string {
  const [subject, value] = node.args;
  const signatureError = querySyntaxError(
    `No function signature for the function with name '${node.name}' matches the specified arguments. The function signatures considered are: ${node.name}(Edm.String Nullable=true, Edm.String Nullable=true).`,
  );
  if (node.args.length !== 2 || !isValue(subject) || !isValue(value)) throw signatureError;
  const property = resolve(entity, subject);
  const pattern = resolve(entity, value);
  if (property.type !== 'string' || pattern.type !== 'string') throw signatureError;
  if (property.column === undefined || pattern.literal?.kind !== 'string') {
    throw querySyntaxError(`The sandbox supports ${node.name} only with a string property as the first argument and a string literal as the second.`);
  }
  const text = pattern.literal.value;
  const like = node.name === 'contains' ? `%${text}%` : node.name === 'startswith' ? `${text}%` : `%${text}`;
  params.push(like);
  return `(${LIKE_FUNCTION}(${property.column}, ?) = 1)`;
}

function isValue(node: FilterNode | undefined): node is Extract<FilterNode, { kind: 'property' | 'literal' }> {
  return node !== undefined && (node.kind === 'property' || node.kind === 'literal');
}

function resolve(entity: EntityDef, node: Extract<FilterNode, { kind: 'property' | 'literal' }>): Operand {
  if (node.kind === 'property') {
    if (node.name.includes('/') || node.name.includes('.')) {
      throw querySyntaxError(`The sandbox does not support filtering on related tables or functions ('${node.name}').`);
    }
    const property = queryableProperty(entity, node.name);
    if (!property) throw propertyNotFound(entity.logicalName, node.name);
    const type: ColumnType = property.column ? property.column.type : 'guid';
    return { column: columnSql(node.name), type, edm: EDM[type] };
  }
  const literal = node.literal;
  switch (literal.kind) {
    case 'string':
      return { type: 'string', edm: 'Edm.String', literal };
    case 'number':
      return { type: 'int', edm: literal.integer ? 'Edm.Int32' : 'Edm.Decimal', literal };
    case 'bool':
      return { type: 'bool', edm: 'Edm.Boolean', literal };
    case 'guid':
      return { type: 'guid', edm: 'Edm.Guid', literal };
    case 'datetime':
      return { type: 'datetime', edm: 'Edm.DateTimeOffset', literal };
    default:
      return { type: 'null', edm: 'null', literal };
  }
}

/**
 * The type both sides are compared as. A quoted GUID compared with a lookup or key is accepted,
 * as Microsoft's own examples write `_owninguser_value eq '<guid>'`.
 */
function commonType(left: Operand, right: Operand, operator: ComparisonOperator): ColumnType {
  if (left.type === right.type) return left.type as ColumnType;
  const guidString = (a: Operand, b: Operand) => a.type === 'guid' && a.column !== undefined && b.literal?.kind === 'string';
  if (guidString(left, right) || guidString(right, left)) return 'guid';
  throw querySyntaxError(
    `A binary operator with incompatible types was detected. Found operand types '${left.edm}' and '${right.edm}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
  );
}

function operandSql(operand: Operand, type: ColumnType, params: SqlValue[]): string {
  if (operand.column !== undefined) return type === 'string' ? `${FOLD_FUNCTION}(${operand.column})` : operand.column;
  const literal = operand.literal as Literal;
  params.push(literalValue(literal, type));
  return type === 'string' ? `${FOLD_FUNCTION}(?)` : '?';
}

function literalValue(literal: Literal, type: ColumnType): SqlValue {
  switch (literal.kind) {
    case 'string':
      if (type === 'guid') {
        const guid = parseGuid(literal.value);
        if (!guid) throw querySyntaxError(`Unrecognized 'Edm.Guid' literal '${literal.value}'.`);
        return guid;
      }
      return literal.value;
    case 'number':
      return literal.value;
    case 'bool':
      return literal.value ? 1 : 0;
    case 'guid':
      return literal.value;
    case 'datetime': {
      const value = normalizeDateTime(literal.value);
      if (value === undefined) throw querySyntaxError(`Unrecognized 'Edm.DateTimeOffset' literal '${literal.value}'.`);
      return value;
    }
    default:
      return null;
  }
}

function notPropertyComparison(): DataverseError {
  return querySyntaxError('The sandbox supports comparisons between a property and a value, or two properties, only.');
}

function notBoolean(): DataverseError {
  return querySyntaxError('The $filter expression must be a condition (a comparison or a string function), not a bare property or value.');
}
