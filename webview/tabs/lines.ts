/**
 * The Lines tab: every annotated line across files, with its bytes and blocks at exit and at peak
 * and its largest call path; the tooltip lists every path. A click (or Enter) opens the line in
 * the editor. Library lines (memory with no user frame within reach) are dimmed. A fast-mode run's
 * bytes are estimates, marked `≈`, with the samples behind them instead of blocks; a light-mode
 * run has no lines, and the tab says allocations were not tracked.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatCount, formatTracedBytes, LIGHT_MODE_TEXT } from '../../src/model/format';
import type { LineRow, PanelData } from '../../src/protocol/panel';
import type { Column } from '../table';
import { lineColumn, memo, momentWord, type TabContext } from './common';

export function linesColumns(data: PanelData): Column<LineRow>[] {
  const moment = momentWord(data.program.kind);
  const files = data.lines.files;
  const fast = data.program.mode === 'fast';
  const bytes: Column<LineRow>['kind'] = fast ? 'estimatedBytes' : 'bytes';
  const est = fast ? 'Estimated live bytes' : 'Live bytes';
  // Fast mode: the samples behind each estimate say how far to trust it; its blocks are estimates too.
  const second = (view: 'exit' | 'peak', about: string): Column<LineRow> =>
    fast
      ? { id: `${view}Samples`, title: 'Samples', kind: 'count', width: '6.5em', value: (r) => (view === 'exit' ? r.exitSamples : r.peakSamples) ?? 0, about: `Samples behind the estimate ${about}` }
      : { id: `${view}Blocks`, title: 'Blocks', kind: 'count', width: '6.5em', value: (r) => (view === 'exit' ? r.exitBlocks : r.peakBlocks), about: `Live blocks ${about}` };
  const cols: Column<LineRow>[] = [
    lineColumn(files, (r) => (r.noUserFrame
      ? `${files[r.file].path}:${r.line}: no user frame within ${data.program.frames} frames; the memory is counted on the innermost line seen`
      : `${files[r.file].path}:${r.line}`)),
    { id: 'exitBytes', title: `${moment[0].toUpperCase()}${moment.slice(1)}`, kind: bytes, about: `${est} ${moment}`, width: '7em', value: (r) => r.exitBytes },
    second('exit', moment),
  ];
  if (data.lines.hasPeak) {
    cols.push(
      { id: 'peakBytes', title: 'At peak', kind: bytes, about: `${est} at the traced peak`, width: '7em', value: (r) => r.peakBytes },
      second('peak', 'at the traced peak'),
    );
  }
  cols.push({
    id: 'path', title: 'Largest call path, innermost first', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true,
    value: (r) => r.topPath, tooltip: (r) => (r.otherPaths ? `${r.topPath}\n${r.otherPaths}` : r.topPath),
  });
  return cols;
}

export function linesTab(data: PanelData, ctx: TabContext): TemplateResult {
  const l = data.lines;
  if (data.program.mode === 'light') {
    return html`<p class="ml-muted" data-light>No lines: ${LIGHT_MODE_TEXT}.</p>`;
  }
  const est = data.program.mode === 'fast';
  return html`
    <p class="ml-caption">
      ${formatCount(l.rows.length)} ${l.rows.length === 1 ? 'line' : 'lines'} in ${formatCount(l.files.length)} ${l.files.length === 1 ? 'file' : 'files'}:
      ${formatTracedBytes(l.totalExit, est)} ${momentWord(data.program.kind)}${l.hasPeak ? html`, ${formatTracedBytes(l.totalPeak, est)} at peak` : nothing}.
      Click a row to open the line.
    </p>
    <ml-table
      id="table-lines"
      label="lines"
      size="fill"
      .columns=${memo(data, 'lines', () => linesColumns(data))}
      .rows=${l.rows}
      .state=${ctx.tableState('lines')}
      .onStateChange=${(s: ReturnType<TabContext['tableState']>) => ctx.setTableState('lines', s)}
      .onActivate=${(r: LineRow) => ctx.openLine(l.files[r.file].path, r.line)}
      .rowClass=${(r: LineRow) => (l.files[r.file].user ? '' : 'ml-dim')}
    ></ml-table>
  `;
}
