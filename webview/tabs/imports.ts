/**
 * The Imports tab: what importing each module cost: traced memory and private dirty growth while
 * it was imported, without (self) and with (total) the imports it pulled in, and the time it
 * took. Rows come as a tree (each import made by user code, largest first, followed by what it
 * pulled in, indented); sorting by a column lists them flat.
 */
import { html, type TemplateResult } from 'lit';
import { cssProps } from '../cssProps';
import { formatBytes, formatCount, formatDuration, formatTracedBytes, LIGHT_MODE_TEXT } from '../../src/model/format';
import type { ImportRow, PanelData } from '../../src/protocol/panel';
import type { ProfileMode } from '../../src/protocol/snapshot';
import type { Column } from '../table';
import { memo, notice, type TabContext } from './common';

/**
 * The traced growth columns: estimates (`≈`) in fast mode, none in light mode, which tracked no
 * allocation (its zeros would read as imports that cost nothing).
 */
function tracedColumns(mode: ProfileMode): Column<ImportRow>[] {
  if (mode === 'light') return [];
  const kind = mode === 'fast' ? 'estimatedBytes' : 'bytes';
  return [
    { id: 'tracedTotal', title: 'Traced', kind, width: '7em', value: (r) => r.tracedTotal, about: 'Traced memory growth while importing it, nested imports included' },
    { id: 'tracedSelf', title: 'self', kind, width: '6.5em', value: (r) => r.tracedSelf, about: 'Traced memory growth of the module itself, without its nested imports' },
  ];
}

/** `tree()` says whether rows are in the host's tree order (no sort, no filter) right now. */
function importColumns(tree: () => boolean, mode: ProfileMode): Column<ImportRow>[] {
  return [
    {
      id: 'module', title: 'Module', kind: 'text', width: 'minmax(11em, 3fr)', searchable: true,
      value: (r) => r.module, tooltip: (r) => (r.file ? `${r.module}: ${r.file}` : r.module),
      cell: (r) => html`<span class="ml-tree" ${cssProps({ 'padding-left': tree() ? `${Math.min(r.depth, 12) * 14}px` : '0' })}>${r.module}</span>`,
    },
    { id: 'parent', title: 'Pulled in by', kind: 'text', width: 'minmax(7em, 1.5fr)', searchable: true, value: (r) => r.parent ?? '' },
    ...tracedColumns(mode),
    { id: 'pdTotal', title: 'Private dirty', kind: 'bytes', width: '8em', value: (r) => r.privateDirtyTotal, about: 'Private dirty growth while importing it, nested imports included' },
    { id: 'pdSelf', title: 'self', kind: 'bytes', width: '6.5em', value: (r) => r.privateDirtySelf, about: 'Private dirty growth of the module itself, without its nested imports' },
    { id: 'seconds', title: 'Time', kind: 'seconds', width: '5.5em', value: (r) => r.seconds, about: 'Wall time of the import, nested imports included' },
    { id: 'start', title: 'At', kind: 'seconds', width: '5.5em', value: (r) => r.start, firstDir: 'asc', about: 'When the import began, since the program started' },
  ];
}

export function importsTab(data: PanelData, ctx: TabContext): TemplateResult {
  if (!data.imports.ok) return notice('info', data.imports.missing);
  const d = data.imports.data;
  if (d.rows.length === 0) return notice('info', 'No module was imported while the helper watched.');
  const roots = d.rows.filter((r) => r.depth === 0).length;
  const mode = data.program.mode;
  return html`
    <p class="ml-caption">
      ${formatCount(d.rows.length)} modules imported; the ${formatCount(roots)} imported by your code cost
      ${mode === 'light' ? `(${LIGHT_MODE_TEXT})` : `${formatTracedBytes(d.tracedTotal, mode === 'fast')} traced`}${d.privateDirtyTotal !== null ? html`, ${formatBytes(d.privateDirtyTotal)} private dirty` : ''}
      and ${formatDuration(d.seconds)}. Largest first, nested imports under the module that pulled them in (“self”: without
      them); click a header to sort flat.
    </p>
    <ml-table
      id="table-imports"
      label="imports"
      size="fill"
      .columns=${memo(data, 'imports', () => importColumns(() => {
        const s = ctx.tableState('imports');
        return s.sort === undefined && s.filter === '';
      }, mode))}
      .rows=${d.rows}
      .state=${ctx.tableState('imports')}
      .onStateChange=${(s: ReturnType<TabContext['tableState']>) => ctx.setTableState('imports', s)}
    ></ml-table>
  `;
}
