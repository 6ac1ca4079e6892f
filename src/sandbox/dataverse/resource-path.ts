/**
 * The resource part of a Web API URL after `/api/data/v9.2/`: the service document (empty),
 * `WhoAmI`, an entity set (`contacts`), one record (`contacts(<guid>)`), or a record's
 * collection-valued navigation property (`systemusers(<guid>)/systemuserroles_association`).
 * Alternate keys, other segments and `$metadata` are outside the sandbox's subset and say so.
 */
import { DataverseError, DataverseErrorCode, querySyntaxError } from './dataverse-error.ts';

export type ResourcePath =
  | { kind: 'service' }
  | { kind: 'whoami' }
  | { kind: 'collection'; set: string }
  | { kind: 'record'; set: string; key: string }
  | { kind: 'related'; set: string; key: string; navigation: string };

const PATH = /^([A-Za-z_$][\w]*)(?:\(([^()]*)\))?(\/.*)?$/;
const NAVIGATION = /^\/([A-Za-z_]\w*)$/;

export function parseResourcePath(path: string): ResourcePath {
  if (path === '') return { kind: 'service' };
  if (path === 'WhoAmI' || path === 'WhoAmI()') return { kind: 'whoami' };
  const match = PATH.exec(path);
  if (!match) throw querySyntaxError('Bad Request - Error in query syntax.');
  // The first group always matches when the expression does.
  const [, set = '', key, rest] = match;
  if (set === '$metadata' || set === '$batch') throw unsupported(`'${set}'`);
  if (key?.includes('=')) throw unsupported('alternate keys');
  const navigation = rest === undefined ? undefined : NAVIGATION.exec(rest)?.[1];
  if (rest !== undefined && (key === undefined || navigation === undefined)) throw unsupported(`navigation or property segments ('${rest}')`);
  if (key === undefined) return { kind: 'collection', set };
  if (navigation !== undefined) return { kind: 'related', set, key: key.trim(), navigation };
  return { kind: 'record', set, key: key.trim() };
}

function unsupported(what: string): DataverseError {
  return new DataverseError(501, DataverseErrorCode.None, `The sandbox Dataverse does not support ${what}.`);
}
