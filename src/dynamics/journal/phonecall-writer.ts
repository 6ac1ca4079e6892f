/**
 * Writes a call's Phone Call exactly once, whoever else may be writing it (docs/dataverse.md §6, §7):
 *
 * 1. `PATCH phonecalls(<activity id>)` with `If-None-Match: *`: an upsert made create-only, so it
 *    creates the activity or answers 412 when it exists — written by a pane through CIF, or by an
 *    earlier attempt of ours cut off before it could note that it had.
 * 2. Created: complete it (statecode 1 with its statuscode, `If-Match: *` so a deleted activity is
 *    not created again by the update).
 *    Already there: read its statecode and complete it only while it is open. Nothing else is
 *    written to an activity that exists: its notes and regarding are the pane's.
 *
 * Each step is safe to repeat after a crash at any point: the id is the call's deterministic id
 * (src/crm/activity-id.ts), so the worst a repeat does is find the activity and read its state.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/perform-conditional-operations-using-web-api
 */
import { completePhonecall, type PhonecallCreate } from '../../crm/phonecall-activity.ts';
import type { WebApiClient, WebApiResponse } from '../web-api/web-api-client.ts';

/** What happened: see JournalOutcome (journal-metrics.ts), or Dataverse's reason for refusing to complete it. */
export type PhonecallWrite = { written: 'created' | 'completed' | 'already_complete' } | { refused: string };

const OPEN = 0;

export async function writePhonecall(client: WebApiClient, body: PhonecallCreate, direction: 'inbound' | 'outbound', signal?: AbortSignal): Promise<PhonecallWrite> {
  const path = `phonecalls(${body.activityid})`;
  const created = await client.request({ method: 'PATCH', path, body, headers: { 'If-None-Match': '*' }, accept: [412] }, signal);
  if (created.status !== 412) return complete(client, path, direction, 'created', signal);
  if ((await stateOf(client, path, signal)) !== OPEN) return { written: 'already_complete' };
  return complete(client, path, direction, 'completed', signal);
}

async function complete(client: WebApiClient, path: string, direction: 'inbound' | 'outbound', written: 'created' | 'completed', signal?: AbortSignal): Promise<PhonecallWrite> {
  // 400 is Dataverse's answer to a change of a closed activity (0x80048408): a pane may have
  // completed it between our read and this write, which is no failure.
  const answer = await client.request({ method: 'PATCH', path, body: completePhonecall(direction), headers: { 'If-Match': '*' }, accept: [400] }, signal);
  if (answer.status !== 400) return { written };
  if ((await stateOf(client, path, signal)) !== OPEN) return { written: 'already_complete' };
  return { refused: dataverseReason(answer) };
}

async function stateOf(client: WebApiClient, path: string, signal?: AbortSignal): Promise<unknown> {
  const answer = await client.request({ method: 'GET', path: `${path}?$select=statecode` }, signal);
  return (answer.body as { statecode?: unknown } | undefined)?.statecode;
}

/** `0x80048408 <message>` from Dataverse's error body (docs/dataverse.md §9). */
export function dataverseReason(answer: WebApiResponse): string {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${answer.status}`;
  return typeof error?.message === 'string' ? `${code} ${error.message}` : code;
}
