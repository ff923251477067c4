/**
 * The webview's side of the wire: posts `FromPanel` messages to the extension and keeps the
 * panel's own state (selected tab, each table's sort and filter) across reloads with
 * `vscode.setState`. The only module that touches `acquireVsCodeApi`.
 */
import type { FromPanel } from '../src/protocol/panel';
import type { TableState } from './tableModel';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

/** Sends a message to the extension. */
export function post(msg: FromPanel): void {
  api.postMessage(msg);
}

/** What the panel remembers of itself while VS Code keeps the tab. */
export interface ViewState {
  /** The selected tab's id (`summary`, `compare`…). */
  tab: string;
  tables: Record<string, TableState>;
}

export function loadState(): ViewState {
  const s = api.getState() as Partial<ViewState> | undefined;
  return {
    tab: typeof s?.tab === 'string' ? s.tab : 'summary',
    tables: s?.tables && typeof s.tables === 'object' ? s.tables : {},
  };
}

export function saveState(state: ViewState): void {
  api.setState(state);
}
