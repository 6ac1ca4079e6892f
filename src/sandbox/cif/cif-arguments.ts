/**
 * Host-side checks of CIF 1.0 arguments, per the documented signatures
 * (https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/develop/reference/microsoft-ciframework)
 * and docs/cif-contract.md §2: structured arguments are JSON strings, mode, width and click-to-act plain
 * values. A call that does not fit is refused, never guessed at: the sandbox must be no more
 * permissive than Dynamics.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { CifErrorCode, type CifErrorCodeValue } from './cif-error.ts';
import type { CifMethod } from './cif-protocol.ts';

export type FormParameterValue = string | number | boolean | null;

/** The entityFormOptions attributes the sandbox acts on; the others are accepted and ignored. */
export interface EntityFormOptions {
  entityName: string;
  entityId?: string;
  useQuickCreateForm?: boolean;
  [attribute: string]: unknown;
}

export type CifCall =
  | { method: 'setClickToAct'; value: boolean }
  | { method: 'getClickToAct' }
  | { method: 'searchAndOpenRecords'; entity: string; query: string; searchOnly: boolean }
  | { method: 'openForm'; options: EntityFormOptions; parameters: Record<string, FormParameterValue> }
  | { method: 'createRecord'; entity: string; data: Record<string, unknown> }
  | { method: 'retrieveRecord'; entity: string; id: string; options: string }
  | { method: 'updateRecord'; entity: string; id: string; data: Record<string, unknown> }
  | { method: 'deleteRecord'; entity: string; id: string }
  | { method: 'getEntityMetadata'; entity: string; attributes: string[] | undefined }
  | { method: 'getEnvironment' }
  | { method: 'getMode' }
  | { method: 'setMode'; mode: 0 | 1 }
  | { method: 'getWidth' }
  | { method: 'setWidth'; width: number }
  | { method: 'renderSearchPage'; entity: string; searchString: string };

export class CifArgumentError extends CodedError<CifErrorCodeValue> {
  override readonly name = 'CifArgumentError';

  constructor(message: string, code: CifErrorCodeValue = CifErrorCode.InvalidArgument) {
    super(code, message);
  }
}

/** Checks the arguments of one call and returns them typed; throws CifArgumentError. */
export function parseCall(method: CifMethod, args: readonly unknown[]): CifCall {
  const arg = (index: number, name: string) => ({ value: args[index], name: `${method}: ${name}` });
  switch (method) {
    case 'setClickToAct':
      return { method, value: boolean(arg(0, 'value')) };
    case 'searchAndOpenRecords':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), query: string(arg(1, 'queryParmeters')), searchOnly: boolean(arg(2, 'searchOnly')) };
    case 'openForm': {
      const options = jsonObject(arg(0, 'entityFormOptions'));
      if (typeof options.entityName !== 'string' || options.entityName === '') throw new CifArgumentError(`${method}: entityFormOptions.entityName must be an entity logical name`);
      if (options.entityId !== undefined && typeof options.entityId !== 'string') throw new CifArgumentError(`${method}: entityFormOptions.entityId must be a string`);
      const parameters = optional(arg(1, 'formParameters'), jsonObject) ?? {};
      for (const [key, value] of Object.entries(parameters)) {
        if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
          throw new CifArgumentError(`${method}: formParameters.${key} must be a string, number or boolean`);
      }
      return { method, options: options as EntityFormOptions, parameters: parameters as Record<string, FormParameterValue> };
    }
    case 'createRecord':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), data: jsonObject(arg(1, 'data')) };
    case 'retrieveRecord':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), id: string(arg(1, 'id')), options: optional(arg(2, 'options'), string) ?? '' };
    case 'updateRecord':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), id: string(arg(1, 'id')), data: jsonObject(arg(2, 'data')) };
    case 'deleteRecord':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), id: string(arg(1, 'id')) };
    case 'getEntityMetadata':
      return { method, entity: entityName(arg(0, 'entityName')), attributes: optional(arg(1, 'attributes'), stringArray) };
    case 'setMode': {
      const { value, name } = arg(0, 'value');
      if (value === 2) throw new CifArgumentError(`${name}: mode 2 (hidden) exists only in Channel Integration Framework 2.0`, CifErrorCode.NotSupported);
      if (value !== 0 && value !== 1) throw new CifArgumentError(`${name} must be 0 (minimized) or 1 (docked), got ${describe(value)}`);
      return { method, mode: value };
    }
    case 'setWidth': {
      const { value, name } = arg(0, 'value');
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CifArgumentError(`${name} must be a width in pixels, got ${describe(value)}`);
      return { method, width: Math.round(value) };
    }
    case 'renderSearchPage':
      return { method, entity: entityName(arg(0, 'entityLogicalName')), searchString: string(arg(1, 'searchString')) };
    case 'getClickToAct':
    case 'getEnvironment':
    case 'getMode':
    case 'getWidth':
      return { method };
  }
}

interface Arg {
  value: unknown;
  name: string;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `${typeof value === 'object' ? 'an object' : `the ${typeof value} ${String(value)}`}`;
}

function boolean({ value, name }: Arg): boolean {
  if (typeof value !== 'boolean') throw new CifArgumentError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

function string({ value, name }: Arg): string {
  if (typeof value !== 'string') throw new CifArgumentError(`${name} must be a string, got ${describe(value)}`);
  return value;
}

function entityName(argument: Arg): string {
  const value = string(argument);
  if (!/^[a-z][a-z0-9_]*$/.test(value)) throw new CifArgumentError(`${argument.name} must be an entity logical name such as "contact", got ${describe(value)}`);
  return value;
}

function stringArray({ value, name }: Arg): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new CifArgumentError(`${name} must be an array of attribute names, got ${describe(value)}`);
  return value;
}

/** A structured argument: a JSON string holding an object (an object itself is refused). */
function jsonObject(argument: Arg): Record<string, unknown> {
  const text = string({ ...argument, name: `${argument.name} (a JSON string)` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CifArgumentError(`${argument.name} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CifArgumentError(`${argument.name} must be a JSON object, got ${describe(parsed)}`);
  return parsed as Record<string, unknown>;
}

function optional<T>(argument: Arg, read: (argument: Arg) => T): T | undefined {
  return argument.value === undefined || argument.value === null ? undefined : read(argument);
}
