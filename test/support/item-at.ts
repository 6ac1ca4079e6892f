/**
 * The item at `index`, failing the test with a message that names the index and the length when
 * there is none: what a test reads from a list it has just checked or collected.
 */
import assert from 'node:assert/strict';

export function itemAt<T>(list: ArrayLike<T>, index: number): T {
  const item = list[index];
  if (item === undefined) assert.fail(`expected an item at index ${index}, but the list holds ${list.length}`);
  return item;
}

/** The items at `indexes`, as a tuple to destructure: `const [first, second] = itemsAt(list, 0, 1)`. */
export function itemsAt<T, const Indexes extends readonly number[]>(list: ArrayLike<T>, ...indexes: Indexes): { -readonly [K in keyof Indexes]: T } {
  return indexes.map((index) => itemAt(list, index)) as { -readonly [K in keyof Indexes]: T };
}
