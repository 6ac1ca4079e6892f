/** Request input checked with zod: the first problem becomes a 400 INVALID_REQUEST naming the field. */
import type { z } from 'zod';
import { ApiError, ApiErrorCode } from './api-errors.ts';

/** A map key's issue wraps the key's own, whose message says what a key must be. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues[0]) return issue.issues[0].message;
  return issue.message;
}

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query' | 'params'): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
  throw new ApiError(ApiErrorCode.INVALID_REQUEST, `${field}: ${issue ? messageOf(issue) : 'invalid'}`);
}
