/**
 * Dial patterns compiled once per distinct source string. Sources come from the configuration,
 * so the cache holds as many entries as there are routes.
 */
import { parseDialPattern, type DialPattern } from './dial-pattern.ts';

const compiled = new Map<string, DialPattern | null>();

/** The compiled pattern, or undefined when `source` is invalid (never so past config validation). */
export function compiledPattern(source: string): DialPattern | undefined {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    try {
      pattern = parseDialPattern(source);
    } catch {
      pattern = null;
    }
    compiled.set(source, pattern);
  }
  return pattern ?? undefined;
}
