/**
 * What the agent dialled, as a SIP request URI on the PBX's domain. Digits, `+`, `*` and `#`
 * make a telephone-subscriber user part (RFC 3261 §19.1.2: `#` must be escaped as %23); a value
 * that already is a SIP URI is kept when it points at the PBX's own domain.
 */
import { dialStringIn } from '../../crm/numbers/dial-string.ts';

/** The host of `sip:user@host[:port]`, or undefined. */
export function sipDomain(uri: string): string | undefined {
  const match = /^sips?:(?:[^@;]+@)?([^;?>]+)/i.exec(uri.trim());
  return match ? match[1] : undefined;
}

/** The user part of a SIP URI (`sip:+4930123@pbx` → `+4930123`), unescaped; '' when none. */
export function sipUser(uri: string): string {
  const [, user] = /^sips?:([^@;]+)@/i.exec(uri.trim()) ?? [];
  if (user === undefined) return '';
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/** The request URI for a dialled value, or undefined when nothing dialable is left. */
export function sipTarget(raw: string, domain: string): string | undefined {
  const value = raw.trim();
  if (/^sips?:/i.test(value)) return sipDomain(value)?.toLowerCase() === domain.toLowerCase() ? value : undefined;
  const user = dialStringIn(value);
  if (user === '' || user === '+') return undefined;
  return `sip:${user.replace(/#/g, '%23')}@${domain}`;
}
