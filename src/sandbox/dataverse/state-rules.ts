/**
 * statecode/statuscode rules for entities with a state model (the phone call, the channel provider), per
 * docs/dataverse.md §7 and §12:
 * - State cannot be set on create: a new record is open (statecode 0) with the open status;
 *   Dataverse refuses a statuscode that does not belong to the open state with 0x80048408
 *   ("2 is not a valid status code for state code AccountState.Active on account with Id …").
 * - statecode and statuscode go together, as a valid pair. Dataverse itself would fill in the
 *   default status when only statecode is sent
 *   (https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api#basic-update);
 *   the sandbox refuses that, so a client that forgets statuscode fails here rather than logging
 *   every call with the default status.
 * - A completed or canceled activity (StateDef.closedReadOnly) is read-only (Microsoft does not say so plainly; docs/dataverse.md §7 takes the strict reading): the
 *   only write it takes is reopening it (statecode 0 / statuscode 1), alone.
 */
import { DataverseError, DataverseErrorCode } from './dataverse-error.ts';
import type { EntityDef } from './entity-schema.ts';
import type { Row } from './record-store.ts';

const OPEN = 0;

/** Fills in the open state on create, refusing a state or a status the open state does not have. */
export function applyCreateState(entity: EntityDef, values: Row, id: string): void {
  const model = entity.state;
  if (!model) return;
  const { statecode, statuscode } = values;
  if (statecode !== undefined && statecode !== null && statecode !== OPEN) {
    throw invalid(
      `${statecode} is not a valid state code on create of ${entity.logicalName} with Id ${id}: a new ${entity.logicalName} is always open. Create it, then set statecode and statuscode with an update.`,
    );
  }
  const open = model.states[OPEN];
  if (open === undefined) throw new Error(`the state model of ${entity.logicalName} has no open state`);
  // The open state's first status is its default.
  const status = statuscode ?? open.statuses[0];
  if (typeof status !== 'number' || !open.statuses.includes(status)) {
    throw invalid(`${status} is not a valid status code for state code ${open.label} on ${entity.logicalName} with Id ${id}.`);
  }
  values.statecode = OPEN;
  values.statuscode = status;
}

/** Checks an update against the record's current state; `alsoChanging` names non-column changes (activity parties). */
export function checkUpdateState(entity: EntityDef, current: Row, values: Row, id: string, alsoChanging: readonly string[] = []): void {
  const model = entity.state;
  if (!model) return;
  const hasState = values.statecode !== undefined;
  const hasStatus = values.statuscode !== undefined;
  const currentState = Number(current.statecode);
  if (model.closedReadOnly && currentState !== OPEN) {
    const reopening = hasState && values.statecode === OPEN;
    const onlyState = alsoChanging.length === 0 && Object.keys(values).every((name) => name === 'statecode' || name === 'statuscode');
    if (!reopening || !onlyState) {
      throw invalid(
        `The ${entity.logicalName} with Id ${id} is ${model.states[currentState]?.label ?? 'closed'} and cannot be changed. Reopen it first (statecode 0, statuscode 1) in a write of its own.`,
      );
    }
  }
  if (hasState && !hasStatus) {
    throw invalid(`Set statuscode together with statecode on ${entity.logicalName} with Id ${id}: the sandbox requires both.`);
  }
  if (!hasState && !hasStatus) return;
  const state = hasState ? values.statecode : currentState;
  const stateDef = typeof state === 'number' ? model.states[state] : undefined;
  if (stateDef === undefined) {
    throw invalid(`${state} is not a valid state code on ${entity.logicalName} with Id ${id}.`);
  }
  const status = values.statuscode;
  if (typeof status !== 'number' || !stateDef.statuses.includes(status)) {
    throw invalid(`${status} is not a valid status code for state code ${stateDef.label} on ${entity.logicalName} with Id ${id}.`);
  }
}

function invalid(message: string): DataverseError {
  return new DataverseError(400, DataverseErrorCode.InvalidStateCodeStatusCode, message);
}
