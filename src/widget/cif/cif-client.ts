/**
 * A typed CIF 1.0 client: one method per call of docs/cif-contract.md §2, structured arguments sent as
 * JSON strings, mode/width/click-to-act as plain values, answers parsed, every failure returned
 * as a CifResult. The library gives up after about 10 s; a guard a little later covers a
 * library that never settles. Without a library (plain softphone mode) every call answers
 * `unavailable` at once. No CIF 2.0 call exists here, on purpose.
 */
import type { CifFramework } from './cif-framework.ts';
import { CifErrorKind, fail, ok, readRejection, type CifResult } from './cif-result.ts';
import {
  readClickToAct,
  readEnvironment,
  readKbArticle,
  readNumberValue,
  readObject,
  readPageNavigate,
  readRecordList,
  type CifEnvironment,
  type ClickToActEvent,
  type JsonObject,
  type KbArticleEvent,
  type PageNavigateEvent,
} from './cif-values.ts';

/** A little over the library's own ~10 s, so its answer wins when it gives one. */
export const CIF_GUARD_TIMEOUT_MS = 12_000;

export type PanelMode = 0 | 1;

export interface CifEventHandlers {
  onClickToAct?(event: ClickToActEvent): void;
  onModeChanged?(mode: PanelMode): void;
  onSizeChanged?(width: number): void;
  onPageNavigate?(event: PageNavigateEvent): void;
  onSendKbArticle?(event: KbArticleEvent): void;
}

/** What openForm answers: the saved record(s), when the form was saved. */
export interface OpenFormResult {
  savedEntityReference: Array<{ entityType: string; id: string; name: string }>;
}

export class CifClient {
  readonly #framework: CifFramework | undefined;
  readonly #timeoutMs: number;

  constructor(framework: CifFramework | undefined, timeoutMs = CIF_GUARD_TIMEOUT_MS) {
    this.#framework = framework;
    this.#timeoutMs = timeoutMs;
  }

  get available(): boolean {
    return this.#framework !== undefined;
  }

  setClickToAct(enabled: boolean): Promise<CifResult<void>> {
    return this.#call('setClickToAct', (cif) => cif.setClickToAct(enabled), IGNORE);
  }

  getClickToAct(): Promise<CifResult<boolean>> {
    return this.#call(
      'getClickToAct',
      (cif) => cif.getClickToAct(),
      (value) => (typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : undefined),
    );
  }

  /** `query` is an OData string such as `?$select=fullname&$filter=…`. */
  searchAndOpenRecords(entity: string, query: string, searchOnly: boolean): Promise<CifResult<JsonObject[]>> {
    return this.#call('searchAndOpenRecords', (cif) => cif.searchAndOpenRecords(entity, query, searchOnly), readRecordList);
  }

  openForm(entityFormOptions: JsonObject, formParameters?: Record<string, string | number | boolean | null>): Promise<CifResult<OpenFormResult>> {
    const options = JSON.stringify(entityFormOptions);
    const parameters = formParameters === undefined ? undefined : JSON.stringify(formParameters);
    return this.#call(
      'openForm',
      (cif) => (parameters === undefined ? cif.openForm(options) : cif.openForm(options, parameters)),
      (value) => {
        const saved = readObject(value)?.savedEntityReference;
        return { savedEntityReference: Array.isArray(saved) ? saved : [] };
      },
      { allowEmpty: true },
    );
  }

  createRecord(entity: string, data: JsonObject): Promise<CifResult<{ id: string }>> {
    return this.#call(
      'createRecord',
      (cif) => cif.createRecord(entity, JSON.stringify(data)),
      (value) => {
        const id = readObject(value)?.id;
        return typeof id === 'string' ? { id: id.replace(/^\{|\}$/g, '').toLowerCase() } : undefined;
      },
    );
  }

  retrieveRecord(entity: string, id: string, options?: string): Promise<CifResult<JsonObject>> {
    return this.#call('retrieveRecord', (cif) => (options === undefined ? cif.retrieveRecord(entity, id) : cif.retrieveRecord(entity, id, options)), readObject);
  }

  updateRecord(entity: string, id: string, data: JsonObject): Promise<CifResult<void>> {
    return this.#call('updateRecord', (cif) => cif.updateRecord(entity, id, JSON.stringify(data)), IGNORE);
  }

  deleteRecord(entity: string, id: string): Promise<CifResult<void>> {
    return this.#call('deleteRecord', (cif) => cif.deleteRecord(entity, id), IGNORE);
  }

  getEntityMetadata(entity: string, attributes?: string[]): Promise<CifResult<JsonObject>> {
    return this.#call('getEntityMetadata', (cif) => (attributes === undefined ? cif.getEntityMetadata(entity) : cif.getEntityMetadata(entity, attributes)), readObject);
  }

  getEnvironment(): Promise<CifResult<CifEnvironment>> {
    return this.#call('getEnvironment', (cif) => cif.getEnvironment(), readEnvironment);
  }

  getMode(): Promise<CifResult<PanelMode>> {
    return this.#call('getMode', (cif) => cif.getMode(), readMode);
  }

  /** 0 minimized, 1 docked; 2 (hidden) is CIF 2.0 only and not offered. */
  setMode(mode: PanelMode): Promise<CifResult<void>> {
    return this.#call('setMode', (cif) => cif.setMode(mode), IGNORE);
  }

  getWidth(): Promise<CifResult<number>> {
    return this.#call(
      'getWidth',
      (cif) => cif.getWidth(),
      (value) => {
        const width = Number(value);
        return Number.isFinite(width) ? width : undefined;
      },
    );
  }

  setWidth(width: number): Promise<CifResult<void>> {
    return this.#call('setWidth', (cif) => cif.setWidth(Math.round(width)), IGNORE);
  }

  renderSearchPage(entity: string, searchString: string): Promise<CifResult<void>> {
    return this.#call('renderSearchPage', (cif) => cif.renderSearchPage(entity, searchString), IGNORE);
  }

  /**
   * Subscribes to the five CIF 1.0 events. Each handler gets the JSON string and must return a
   * Promise (docs/cif-contract.md §3). Returns a function that removes them all again.
   */
  async listen(handlers: CifEventHandlers): Promise<CifResult<() => Promise<void>>> {
    const framework = this.#framework;
    if (!framework) return fail(CifErrorKind.Unavailable, 'Not connected to Dynamics 365.');
    const wiring: Array<[string, (payload: string) => void]> = [];
    const wire = <T>(name: string, read: (payload: unknown) => T | undefined, deliver: ((value: T) => void) | undefined) => {
      if (deliver)
        wiring.push([
          name,
          (payload) => {
            const value = read(payload);
            if (value !== undefined) deliver(value);
          },
        ]);
    };
    wire('onclicktoact', readClickToAct, handlers.onClickToAct);
    wire('onmodechanged', (payload) => readMode(readNumberValue(payload)), handlers.onModeChanged);
    wire('onsizechanged', readNumberValue, handlers.onSizeChanged);
    wire('onpagenavigate', readPageNavigate, handlers.onPageNavigate);
    wire('onsendkbarticle', readKbArticle, handlers.onSendKbArticle);
    const registered = wiring.map(
      ([name, deliver]) =>
        [
          name,
          (payload: string) => {
            deliver(payload);
            return Promise.resolve();
          },
        ] as const,
    );
    for (const [name, handler] of registered) {
      const result = await this.#call(`addHandler(${name})`, (cif) => cif.addHandler(name, handler), IGNORE);
      if (!result.ok) return result;
    }
    return ok(async () => {
      for (const [name, handler] of registered) await this.#call(`removeHandler(${name})`, (cif) => cif.removeHandler(name, handler), IGNORE);
    });
  }

  async #call<T>(
    name: string,
    invoke: (framework: CifFramework) => Promise<unknown>,
    read: ((value: unknown) => T | undefined) | typeof IGNORE,
    options: { allowEmpty?: boolean } = {},
  ): Promise<CifResult<T>> {
    const framework = this.#framework;
    if (!framework) return fail(CifErrorKind.Unavailable, 'Not connected to Dynamics 365.');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<CifResult<T>>((resolve) => {
      timer = setTimeout(() => resolve(fail(CifErrorKind.Timeout, `${name}: no answer from Dynamics 365 in ${Math.round(this.#timeoutMs / 1000)} s.`)), this.#timeoutMs);
    });
    const answer = (async (): Promise<CifResult<T>> => {
      let value: unknown;
      try {
        value = await invoke(framework);
      } catch (reason) {
        return { ok: false, error: readRejection(reason) };
      }
      if (read === IGNORE) return ok(undefined as T);
      const parsed = read(value);
      if (parsed !== undefined || (options.allowEmpty && (value === undefined || value === null || value === ''))) return ok(parsed as T);
      return fail(CifErrorKind.BadResult, `${name}: unexpected answer from Dynamics 365.`);
    })();
    try {
      return await Promise.race([answer, guard]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** For calls whose answer carries nothing the pane needs. */
const IGNORE = Symbol('ignore');

function readMode(value: unknown): PanelMode | undefined {
  const mode = Number(value);
  return mode === 0 || mode === 1 ? mode : undefined;
}
