/**
 * Every code the PBX layer's own errors carry, in one place (the model is Fastify's
 * lib/errors.js). Callers branch on these, never on the message text. The SIP core's codes are in
 * src/sip/sip-errors.ts, the media relay's in src/media/media-errors.ts.
 */

/**
 * Why a dial pattern or number (routing/dial-pattern.ts) was refused; the message, shown under
 * the configuration key, says where.
 */
export const DialPatternErrorCode = {
  EMPTY: 'DIAL_PATTERN_EMPTY',
  BAD_CHARACTER: 'DIAL_PATTERN_BAD_CHARACTER',
  MISPLACED_PLUS: 'DIAL_PATTERN_MISPLACED_PLUS',
  WILDCARD_NOT_LAST: 'DIAL_PATTERN_WILDCARD_NOT_LAST',
  UNCLOSED_SET: 'DIAL_PATTERN_UNCLOSED_SET',
  BAD_SET: 'DIAL_PATTERN_BAD_SET',
} as const;

export type DialPatternErrorCode = (typeof DialPatternErrorCode)[keyof typeof DialPatternErrorCode];
