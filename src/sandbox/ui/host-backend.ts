/**
 * What the page does for each CIF 1.0 call once the host has checked it (cif-host.ts): panel
 * mode and width, click-to-act, the environment, navigation (openForm, renderSearchPage,
 * searchAndOpenRecords) and record calls, which the server runs on the sandbox Dataverse.
 * Results are JSON strings except mode, width and click-to-act (docs/cif-contract.md §2).
 */
import type { CifCall, FormParameterValue } from '../cif/cif-arguments.ts';
import { CifErrorCode, CifRejection, dataverseCifError } from '../cif/cif-error.ts';
import type { RecordCall } from '../record-calls.ts';
import { braced } from '../organization.ts';
import type { AppState } from './app-state.ts';
import type { ChannelPanel } from './channel-panel.ts';
import { MIN_PANEL_WIDTH } from './channel-panel.ts';
import type { PageConfig, PageEntity } from './page-config.ts';
import { LIST_ENTITIES } from './route.ts';
import { DataverseRequestError, recordCall } from './web-api.ts';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const WRITES: ReadonlySet<RecordCall['operation']> = new Set(['createRecord', 'updateRecord', 'deleteRecord']);

export interface HostBackendOptions {
  config: PageConfig;
  state: AppState;
  panel: () => ChannelPanel;
}

export function createHostBackend({ config, state, panel }: HostBackendOptions): (call: CifCall) => Promise<unknown> {
  const user = () => config.users.find((u) => u.id === config.currentUserId);

  async function records(call: RecordCall): Promise<unknown> {
    try {
      const result = await recordCall(call);
      if (WRITES.has(call.operation)) state.dataChanged();
      return result;
    } catch (error) {
      if (error instanceof DataverseRequestError) throw new CifRejection(dataverseCifError({ code: error.code, message: error.message }));
      throw error;
    }
  }

  return async (call: CifCall): Promise<unknown> => {
    switch (call.method) {
      case 'getEnvironment':
        return JSON.stringify(environment(config, state, user()?.fullname ?? '', user()?.lcid ?? config.org.orgLcid));
      case 'getMode':
        return state.mode;
      case 'setMode':
        state.mode = call.mode;
        panel().apply();
        state.changed();
        return state.mode;
      case 'getWidth':
        return state.width;
      case 'setWidth':
        if (call.width < MIN_PANEL_WIDTH) return state.width;
        state.width = call.width;
        // More than half the screen collapses the panel (docs/cif-contract.md §4).
        if (call.width > window.innerWidth / 2) state.mode = 0;
        panel().apply();
        state.changed();
        return state.width;
      case 'getClickToAct':
        return state.clickToAct;
      case 'setClickToAct':
        state.clickToAct = call.value;
        state.changed();
        return undefined;
      case 'createRecord':
        return JSON.stringify(await records({ operation: 'createRecord', entity: call.entity, data: call.data }));
      case 'retrieveRecord':
        return JSON.stringify(await records({ operation: 'retrieveRecord', entity: call.entity, id: call.id, options: call.options }));
      case 'updateRecord':
        return JSON.stringify(await records({ operation: 'updateRecord', entity: call.entity, id: call.id, data: call.data }));
      case 'deleteRecord':
        return JSON.stringify(await records({ operation: 'deleteRecord', entity: call.entity, id: call.id }));
      case 'getEntityMetadata':
        return JSON.stringify(await records({ operation: 'getEntityMetadata', entity: call.entity, attributes: call.attributes }));
      case 'searchAndOpenRecords': {
        const found = (await records({ operation: 'searchRecords', entity: call.entity, query: call.query })) as Record<string, unknown>[];
        if (!call.searchOnly) openFound(config, state, call.entity, call.query, found);
        // CIF keys the matches by their index.
        return JSON.stringify(Object.fromEntries(found.map((record, index) => [String(index), record])));
      }
      case 'renderSearchPage':
        formEntity(config, call.entity);
        state.navigate({ page: 'search', etn: call.entity, searchText: call.searchString });
        return undefined;
      case 'openForm': {
        const entity = formEntity(config, call.options.entityName);
        const extraqs = formParameters(entity, call.parameters);
        const id = call.options.entityId === undefined || call.options.entityId === '' ? undefined : guid(call.options.entityId);
        if (id) {
          await records({ operation: 'retrieveRecord', entity: entity.logicalName, id, options: `?$select=${entity.primaryName}` });
          state.navigate({ page: 'entityrecord', etn: entity.logicalName, id, extraqs });
          return JSON.stringify({ savedEntityReference: [] });
        }
        state.navigate({ page: 'entityrecord', etn: entity.logicalName, extraqs });
        // Settled by a save of this form, or with no reference when the agent leaves it.
        return JSON.stringify({ savedEntityReference: await state.awaitFormSave() });
      }
    }
  };
}

/** getEnvironment's answer for the page being shown (docs/cif-contract.md §2). */
export function environment(config: PageConfig, state: AppState, username: string, userLcid: number): Record<string, unknown> {
  const { org } = config;
  const route = state.route;
  const env: Record<string, unknown> = {
    appUrl: `${org.clientUrl}/main.aspx?appid=${org.appId}`,
    appid: org.appId,
    cifVersion: org.cifVersion,
    clientUrl: org.clientUrl,
    crmVersion: org.crmVersion,
    customParams: config.provider?.customParams ?? null,
    isDirty: state.dirty,
    orgId: org.orgId,
    orgLcid: org.orgLcid,
    orgUniqueName: org.orgUniqueName,
    pagetype: route.page,
    userId: braced(config.currentUserId),
    userLcid,
    username,
  };
  if (route.page !== 'search' || route.etn) env.etn = route.etn;
  if (route.page === 'entityrecord' && route.id) env.id = route.id;
  return env;
}

function openFound(config: PageConfig, state: AppState, etn: string, query: string, found: Record<string, unknown>[]): void {
  const [only, ...others] = found;
  if (only === undefined) return;
  const entity = formEntity(config, etn);
  if (others.length === 0) state.navigate({ page: 'entityrecord', etn, id: only[entity.primaryKey] as string, extraqs: {} });
  else state.navigate({ page: 'search', etn, searchText: '', query });
}

/** The tables the sandbox has forms for; anything else is refused as Dynamics would (no such form). */
function formEntity(config: PageConfig, logicalName: string): PageEntity {
  const entity = (LIST_ENTITIES as readonly string[]).includes(logicalName) ? config.entities[logicalName] : undefined;
  if (!entity) throw CifRejection.of(CifErrorCode.InvalidArgument, `The sandbox has no form for the entity '${logicalName}'.`);
  return entity;
}

function guid(value: string): string {
  const [, id] = GUID.exec(value) ?? [];
  if (id === undefined) throw CifRejection.of(CifErrorCode.InvalidArgument, `entityId must be a GUID, got ${JSON.stringify(value)}`);
  return id.toLowerCase();
}

/**
 * formParameters name writable columns, or a lookup as `<lookup>`, `<lookup>name`,
 * `<lookup>type`; "invalid parameters will cause an error"
 * (https://learn.microsoft.com/dynamics365/channel-integration-framework/v1/develop/reference/microsoft-ciframework/openform).
 */
function formParameters(entity: PageEntity, parameters: Record<string, FormParameterValue>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    const column = entity.columns.find((c) => c.name === key);
    const lookup = entity.lookups.find((l) => key === l.name || key === `${l.name}name` || key === `${l.name}type`);
    if ((!column || column.readOnly || column.name === entity.primaryKey) && !lookup) {
      throw CifRejection.of(CifErrorCode.InvalidArgument, `formParameters: '${key}' is not a field of the ${entity.logicalName} form.`);
    }
    if (lookup && key === lookup.name && value !== null && !GUID.test(String(value)))
      throw CifRejection.of(CifErrorCode.InvalidArgument, `formParameters: '${key}' must be a record id.`);
    if (lookup && key === `${lookup.name}type` && !Object.values(lookup.navigation).includes(String(value))) {
      throw CifRejection.of(CifErrorCode.InvalidArgument, `formParameters: '${key}' must be one of ${[...new Set(Object.values(lookup.navigation))].join(', ')}.`);
    }
    if (value !== null) values[key] = String(value);
  }
  return values;
}
