/**
 * The Leaks tab: over three or more snapshots of one run, the lines and the types that grew in
 * every interval, fastest first, each with its bytes at every snapshot and the call path of its
 * growth (all paths in the tooltip); a line row opens the line. Or why no search could be made.
 */
import { html, type TemplateResult } from 'lit';
import { formatBytes, formatCount, formatDuration, formatSignedBytes, formatSignedTracedBytes, formatTracedBytes } from '../../src/model/format';
import type { LeakLineRow, LeaksData, LeaksFound, LeakTypeRow } from '../../src/protocol/panel';
import type { Column } from '../table';
import { lineColumn, memo, notice, smallTable, type TabContext } from './common';
import { snapshotTitle } from './compare';

const series = (xs: readonly number[], fmt: (n: number) => string): string => xs.map(fmt).join(' → ');
const perSecond = (n: number): string => `${formatSignedBytes(n)}/s`;

/** The lines' columns; a fast-mode series's figures are estimates, marked `≈` (types come from the census, exact). */
function lineColumns(data: LeaksFound): Column<LeakLineRow>[] {
  const est = data.estimated;
  const delta = est ? 'estimatedDeltaBytes' : 'deltaBytes';
  const bytes = (n: number): string => formatTracedBytes(n, est);
  return [
    lineColumn(data.files),
    { id: 'growth', title: 'Growth', kind: delta, width: '7.5em', value: (r) => r.growth, about: 'From the first snapshot to the last' },
    { id: 'rate', title: 'Per second', kind: delta, width: '8em', value: (r) => r.bytesPerSecond, cell: (r) => `${formatSignedTracedBytes(r.bytesPerSecond, est)}/s` },
    { id: 'perInterval', title: 'Per interval', kind: delta, width: '7.5em', value: (r) => r.bytesPerInterval },
    { id: 'bytes', title: 'At each snapshot', kind: 'text', width: 'minmax(12em, 2fr)', value: (r) => series(r.bytes, bytes), tooltip: (r) => series(r.bytes, bytes) },
    { id: 'path', title: 'Call path of the growth, innermost first', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true, value: (r) => r.topPath, tooltip: (r) => r.paths },
  ];
}

function typeColumns(): Column<LeakTypeRow>[] {
  return [
    { id: 'type', title: 'Type', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true, value: (r) => r.type, tooltip: (r) => r.type },
    { id: 'growth', title: 'Growth', kind: 'deltaBytes', width: '7.5em', value: (r) => r.growth },
    { id: 'rate', title: 'Per second', kind: 'deltaBytes', width: '8em', value: (r) => r.bytesPerSecond, cell: (r) => perSecond(r.bytesPerSecond) },
    { id: 'count', title: 'Objects at each snapshot', kind: 'text', width: 'minmax(10em, 2fr)', value: (r) => series(r.count, formatCount) },
    { id: 'bytes', title: 'Bytes at each snapshot', kind: 'text', width: 'minmax(12em, 2fr)', value: (r) => series(r.bytes, formatBytes) },
  ];
}

export function leaksTab(data: LeaksData | undefined, ctx: TabContext): TemplateResult {
  if (!data) {
    return notice('info', 'No leak search yet: MemLens: Find Leaks looks through three or more snapshots of a run for what grew in every interval.');
  }
  if (!data.ok) return notice('warning', data.error);
  const files = data.files;
  return html`
    <p class="ml-caption" data-section="leak-names">
      ${data.snapshots.length} snapshots over ${formatDuration(data.seconds)} (${data.intervals} intervals):
      what grew by at least ${formatBytes(data.minGrowthBytes)} in every interval, fastest first.
    </p>
    <ol class="ml-snapshots">${data.snapshots.map((s) => html`<li>${snapshotTitle(s)}</li>`)}</ol>
    ${data.warnings.map((w) => notice('warning', w))}
    <section class="ml-section">
      <h2>Lines</h2>
      <p class="ml-caption">Click a row to open the line.</p>
      ${smallTable(ctx, 'leak-lines', 'lines', 12, memo(data, 'lines', () => lineColumns(data)), data.lines, (r) => ctx.openLine(files[r.file].path, r.line))}
    </section>
    <section class="ml-section">
      <h2>Types</h2>
      ${data.types.ok ? smallTable(ctx, 'leak-types', 'types', 12, memo(data, 'types', typeColumns), data.types.data) : notice('info', data.types.missing)}
    </section>
  `;
}
