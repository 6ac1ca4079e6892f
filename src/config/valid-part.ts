/**
 * The valid part of a configuration the schema refused: every invalid value taken out (so its
 * default applies), to let the rules that relate one key to another (load-config.ts) still run
 * and a file's problems all be listed at once — a wrong sip.port no longer waits behind a wrong
 * sip.transports. Those rules skip any key reported here as taken out, since its stand-in
 * default is not what the operator wrote.
 *
 * An invalid item of a list of plain values (`sip.transports`) is taken out alone and the rest
 * of the list stays in force; an invalid item of a list of objects (`trunks`) takes its whole
 * list out; a required value that is missing takes out the object around it.
 */
import type { z } from 'zod';

type Json = Record<string, unknown>;
type Path = (string | number)[];

export interface ValidPart<T> {
  data: T;
  /** Paths of what was taken out, such as ['sip', 'port'] or ['trunks']. */
  removed: Path[];
}

/** Enough for the deepest nesting (a key inside a list item inside a section) to fall back to a default. */
const MAX_ROUNDS = 8;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function containerAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const part of path) {
    if (Array.isArray(current) && typeof part === 'number') current = current[part];
    else if (isObject(current) && typeof part === 'string') current = current[part];
    else return undefined;
  }
  return current;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && startsWith(a, b);
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((part, index) => part === path[index]);
}

export function validPart<S extends z.ZodType>(schema: S, input: Json): ValidPart<z.output<S>> | undefined {
  const working = structuredClone(input);
  const removed: Path[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const parsed = schema.safeParse(working);
    if (parsed.success) return { data: parsed.data, removed };
    const earlier = removed.length;
    // List items are taken out from the last index down, so the earlier indices stay right.
    const listItems: { list: unknown[]; index: number }[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number');
      if (issue.code === 'unrecognized_keys') {
        const holder = containerAt(working, path);
        if (isObject(holder)) for (const key of issue.keys) delete holder[key];
        continue;
      }
      const listAt = path.findIndex((part) => typeof part === 'number');
      if (listAt >= 0) {
        const list = containerAt(working, path.slice(0, listAt));
        const index = path[listAt] as number;
        // Gone already: another issue of this round took the whole list out.
        if (!Array.isArray(list)) continue;
        if (!isObject(list[index]) && !Array.isArray(list[index])) {
          listItems.push({ list, index });
          continue;
        }
        // An item with keys of its own: its list no longer says what the operator meant.
        path.splice(listAt);
      }
      // Inside what this round already took out.
      if (removed.slice(earlier).some((done) => startsWith(path, done))) continue;
      // Taken out in an earlier round and still wrong: a required key, so its parent goes instead.
      while (path.length > 0 && removed.slice(0, earlier).some((done) => samePath(done, path))) path.pop();
      if (path.length === 0) return undefined;
      const holder = containerAt(working, path.slice(0, -1));
      if (!isObject(holder)) return undefined;
      delete holder[path[path.length - 1] as string];
      removed.push(path);
    }
    const byList = new Map<unknown[], Set<number>>();
    for (const { list, index } of listItems) byList.set(list, (byList.get(list) ?? new Set<number>()).add(index));
    for (const [list, indices] of byList) for (const index of [...indices].sort((a, b) => b - a)) list.splice(index, 1);
  }
  return undefined;
}
