/**
 * The Dynamics 365 origins the pane accepts as `base` right now: the configured patterns
 * (crm.allowedOrigins), plus the origins of running stand-ins for Dynamics (the local sandbox),
 * asked for at each check so an origin is allowed exactly while its service runs.
 */
import { checkCrmOrigin, parseOriginPattern, type CrmOriginResult } from './crm-origin.ts';

export interface AllowedCrmOrigins {
  check(raw: string | undefined): CrmOriginResult;
  /** Every pattern in force, the configured ones first, as an administrator writes them. */
  patterns(): string[];
}

type OriginPattern = ReturnType<typeof parseOriginPattern>;

/** `configured` were validated when the configuration was loaded; `extra` gives origins such as http://127.0.0.1:8081. */
export function createAllowedCrmOrigins(configured: readonly string[], extra: () => readonly string[] = () => []): AllowedCrmOrigins {
  const fixed = configured.map((pattern) => ({ text: pattern, parsed: parseOriginPattern(pattern) }));
  const parsedExtra = new Map<string, OriginPattern | undefined>();
  const extraPatterns = () =>
    extra().flatMap((origin) => {
      if (!parsedExtra.has(origin)) {
        let parsed: OriginPattern | undefined;
        try {
          parsed = parseOriginPattern(origin);
        } catch {
          // An origin no pattern can express (an IPv6 literal) can never match a base either.
          parsed = undefined;
        }
        parsedExtra.set(origin, parsed);
      }
      const parsed = parsedExtra.get(origin);
      return parsed ? [{ text: origin, parsed }] : [];
    });
  const all = () => {
    const seen = new Set<string>();
    return [...fixed, ...extraPatterns()].filter((pattern) => !seen.has(pattern.text) && seen.add(pattern.text));
  };
  return {
    check: (raw) =>
      checkCrmOrigin(
        raw,
        all().map((pattern) => pattern.parsed),
      ),
    patterns: () => all().map((pattern) => pattern.text),
  };
}
