/**
 * `Microsoft.CIFramework` as msdyn_ciLibrary.js puts it on the window (CIF 1.0 only: the same
 * script also carries 2.0 calls, which a 1.0 provider must never make — docs/cif-contract.md §5).
 * Arguments and results as documented: JSON strings for structured values, plain values for
 * mode, width and click-to-act.
 */

export type CifHandler = (payload: string) => Promise<unknown>;

export interface CifFramework {
  setClickToAct(value: boolean): Promise<unknown>;
  getClickToAct(): Promise<unknown>;
  searchAndOpenRecords(entityLogicalName: string, queryParameters: string, searchOnly: boolean): Promise<unknown>;
  openForm(entityFormOptions: string, formParameters?: string): Promise<unknown>;
  createRecord(entityLogicalName: string, data: string): Promise<unknown>;
  retrieveRecord(entityLogicalName: string, id: string, options?: string): Promise<unknown>;
  updateRecord(entityLogicalName: string, id: string, data: string): Promise<unknown>;
  deleteRecord(entityLogicalName: string, id: string): Promise<unknown>;
  getEntityMetadata(entityName: string, attributes?: string[]): Promise<unknown>;
  getEnvironment(): Promise<unknown>;
  getMode(): Promise<unknown>;
  setMode(mode: 0 | 1): Promise<unknown>;
  getWidth(): Promise<unknown>;
  setWidth(width: number): Promise<unknown>;
  renderSearchPage(entityLogicalName: string, searchString: string): Promise<unknown>;
  addHandler(eventName: string, handler: CifHandler): Promise<unknown>;
  removeHandler(eventName: string, handler: CifHandler): Promise<unknown>;
}

/** Where the library leaves the framework. */
export function frameworkOf(win: object): CifFramework | undefined {
  const microsoft = (win as { Microsoft?: { CIFramework?: unknown } }).Microsoft;
  const framework = microsoft?.CIFramework;
  return typeof framework === 'object' && framework !== null && typeof (framework as CifFramework).getEnvironment === 'function' ? (framework as CifFramework) : undefined;
}
