/**
 * The resource part of a Web API URL after `/api/data/v9.2/`: the service document (empty),
 * `WhoAmI`, an entity set (`contacts`), or one record (`contacts(<guid>)`). Alternate keys,
 * navigation segments and `$metadata` are outside the sandbox's subset and say so.
 */
import { DataverseError, DataverseErrorCode, querySyntaxError } from './dataverse-error.ts';

export type ResourcePath =
  | { kind: 'service' }
  | { kind: 'whoami' }
  | { kind: 'collection'; set: string }
  | { kind: 'record'; set: string; key: string };

const PATH = /^([A-Za-z_$][\w]*)(?:\(([^()]*)\))?(\/.*)?$/;

export function parseResourcePath(path: string): ResourcePath {
  if (path === '') return { kind: 'service' };
  if (path === 'WhoAmI' || path === 'WhoAmI()') return { kind: 'whoami' };
  const [, set, key, rest] = PATH.exec(path) ?? [];
  if (set === undefined) throw querySyntaxError('Bad Request - Error in query syntax.');
  if (set === '$metadata' || set === '$batch') throw unsupported(`'${set}'`);
  if (rest !== undefined) throw unsupported(`navigation or property segments ('${rest}')`);
  if (key === undefined) return { kind: 'collection', set };
  if (key.includes('=')) throw unsupported('alternate keys');
  return { kind: 'record', set, key: key.trim() };
}

function unsupported(what: string): DataverseError {
  return new DataverseError(501, DataverseErrorCode.None, `The sandbox Dataverse does not support ${what}.`);
}
