/**
 * The Compare tab: what changed from one snapshot to a later one. The two snapshots named (label
 * and time), the warnings about what makes the comparison doubtful on top, the whole-process
 * totals (traced, writable memory, RSS…), then tables per line (a click opens the line), per
 * function, per type (objects and bytes added or removed) and per memory mapping, each most
 * growth first as the host sends them.
 */
import { html, nothing, type TemplateResult } from 'lit';
import {
  estimate,
  formatCount,
  formatDuration,
  formatSignedCount,
  formatSignedTracedBytes,
  formatTracedBytes,
  LIGHT_MODE_TEXT,
} from '../../src/model/format';
import type { CompareData, CompareLineRow, CompareMappingRow, CompareScopeRow, CompareTypeRow, SnapshotName, TotalRow } from '../../src/protocol/panel';
import type { Column, ColumnKind } from '../table';
import { lineColumn, memo, notice, pathCell, smallTable, tile, type TabContext } from './common';

/** A snapshot as a title says it: `“after round 1” (12:03:04, 2.0 s into the run)`. */
export function snapshotTitle(n: SnapshotName): string {
  const when = [
    n.time === null ? null : new Date(n.time * 1000).toLocaleTimeString(),
    n.elapsed === null ? null : `${formatDuration(n.elapsed)} into the run`,
  ].filter((w) => w !== null);
  return `${n.label === null ? n.title : `“${n.label}”`}${when.length ? ` (${when.join(', ')})` : ''}`;
}

function lineColumns(data: CompareData): Column<CompareLineRow>[] {
  return [
    lineColumn(data.files),
    { id: 'growth', title: 'Change', kind: traced(data).delta, width: '7.5em', value: (r) => r.bytes.delta, about: 'Bytes live in the second snapshot less the first' },
    { id: 'before', title: 'Before', kind: traced(data).bytes, width: '7em', value: (r) => r.bytes.before },
    { id: 'after', title: 'After', kind: traced(data).bytes, width: '7em', value: (r) => r.bytes.after },
    { id: 'blocks', title: 'Blocks', kind: 'deltaCount', width: '6.5em', value: (r) => r.blocks.delta, about: data.estimated ? 'Change in live blocks (estimated)' : 'Change in live blocks' },
    {
      id: 'path', title: 'Call path that changed most, innermost first', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true,
      value: (r) => r.topPath, tooltip: (r) => r.paths,
    },
  ];
}

function functionColumns(data: CompareData): Column<CompareScopeRow>[] {
  const files = data.files;
  return [
    {
      id: 'name', title: 'Function', kind: 'text', width: 'minmax(12em, 2fr)', searchable: true,
      value: (r) => r.name, tooltip: (r) => `${r.kind} ${r.name}, ${files[r.file].path}:${r.line}-${r.endLine}`,
    },
    {
      id: 'file', title: 'File', kind: 'text', width: 'minmax(10em, 2fr)', searchable: true,
      value: (r) => `${files[r.file].display}:${r.line}`, cell: (r) => pathCell(files[r.file].display, `:${r.line}`),
    },
    { id: 'kind', title: 'Kind', kind: 'text', width: '5.5em', value: (r) => r.kind },
    { id: 'growth', title: 'Change', kind: traced(data).delta, width: '7.5em', value: (r) => r.bytes.delta, about: 'Every line inside it, nested functions included' },
    { id: 'before', title: 'Before', kind: traced(data).bytes, width: '7em', value: (r) => r.bytes.before },
    { id: 'after', title: 'After', kind: traced(data).bytes, width: '7em', value: (r) => r.bytes.after },
  ];
}

function typeColumns(): Column<CompareTypeRow>[] {
  return [
    { id: 'type', title: 'Type', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true, value: (r) => r.type, tooltip: (r) => r.type },
    { id: 'countDelta', title: 'Objects ±', kind: 'deltaCount', width: '7em', value: (r) => r.count.delta, about: 'Objects added (+) or removed (−), net' },
    { id: 'growth', title: 'Bytes ±', kind: 'deltaBytes', width: '7.5em', value: (r) => r.bytes.delta, about: 'Bytes added (+) or removed (−), net' },
    { id: 'count', title: 'Objects after', kind: 'count', width: '7em', value: (r) => r.count.after },
    { id: 'bytes', title: 'Bytes after', kind: 'bytes', width: '7em', value: (r) => r.bytes.after },
  ];
}

function mappingColumns(): Column<CompareMappingRow>[] {
  return [
    {
      id: 'name', title: 'Mapping', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true,
      value: (r) => r.name, tooltip: (r) => `${r.name} ${r.perms}`, cell: (r) => pathCell(r.name),
    },
    { id: 'perms', title: 'Perms', kind: 'text', width: '4em', searchable: true, value: (r) => r.perms, cell: (r) => html`<span class="ml-mono">${r.perms}</span>` },
    { id: 'growth', title: 'Private dirty ±', kind: 'deltaBytes', width: '8.5em', value: (r) => r.privateDirty.delta },
    { id: 'pss', title: 'Pss ±', kind: 'deltaBytes', width: '7.5em', value: (r) => r.pss.delta },
    { id: 'rss', title: 'Rss ±', kind: 'deltaBytes', width: '7.5em', value: (r) => r.rss.delta },
    { id: 'swap', title: 'Swap ±', kind: 'deltaBytes', width: '7em', value: (r) => r.swap.delta },
    { id: 'mappings', title: 'Maps ±', kind: 'deltaCount', width: '5em', value: (r) => r.mappings.delta },
  ];
}

/** How a comparison's line and function bytes are shown: marked `≈` when either side is a fast-mode run. */
function traced(data: CompareData): { delta: ColumnKind; bytes: ColumnKind } {
  return data.estimated ? { delta: 'estimatedDeltaBytes', bytes: 'estimatedBytes' } : { delta: 'deltaBytes', bytes: 'bytes' };
}

function totalTile(t: TotalRow): TemplateResult {
  const f = t.figure;
  const est = t.estimated === true;
  const fmt = t.unit === 'bytes' ? (n: number) => formatTracedBytes(n, est) : (n: number) => estimate(formatCount(n), est);
  const value = f === null ? '—' : t.unit === 'bytes' ? formatSignedTracedBytes(f.delta, est) : estimate(formatSignedCount(f.delta), est);
  return tile(`compare-${t.id}`, t.label, value, f === null ? t.note : `${fmt(f.before)} → ${fmt(f.after)}; ${t.note}`, t.id === 'writable');
}

export function compareTab(data: CompareData | undefined, ctx: TabContext): TemplateResult {
  if (!data) {
    return notice('info', 'No comparison yet: MemLens: Compare Snapshots… (or the Snapshots view) compares two snapshots, and what grew between them shows here.');
  }
  const files = data.files;
  return html`
    <p class="ml-caption" data-section="compare-names">
      From <strong>${snapshotTitle(data.before)}</strong> to <strong>${snapshotTitle(data.after)}</strong>${data.seconds === null ? '' : `, ${formatDuration(Math.abs(data.seconds))} ${data.seconds < 0 ? 'earlier' : 'later'}`}.
      Memory live when each was taken; every list is most growth first.
    </p>
    ${data.warnings.map((w) => notice('warning', w))}
    <section class="ml-section"><div class="ml-tiles">${data.totals.map(totalTile)}</div></section>
    <section class="ml-section">
      <h2>Lines</h2>
      ${data.tracked ? html`<p class="ml-caption">Click a row to open the line.</p>` : notice('info', `No lines compared: ${LIGHT_MODE_TEXT} in one of the snapshots.`)}
      ${smallTable(ctx, 'compare-lines', 'lines', 12, memo(data, 'lines', () => lineColumns(data)), data.lines, (r) => ctx.openLine(files[r.file].path, r.line))}
    </section>
    <section class="ml-section">
      <h2>Functions and classes</h2>
      ${smallTable(ctx, 'compare-functions', 'functions', 12, memo(data, 'functions', () => functionColumns(data)), data.functions, (r) => ctx.openLine(files[r.file].path, r.target))}
    </section>
    <section class="ml-section">
      <h2>Types</h2>
      ${data.types.ok
        ? html`${data.types.data.note ? notice('warning', data.types.data.note) : nothing}
            ${smallTable(ctx, 'compare-types', 'types', 12, memo(data, 'types', typeColumns), data.types.data.rows)}`
        : notice('info', data.types.missing)}
    </section>
    <section class="ml-section">
      <h2>Memory mappings</h2>
      ${data.mappings.ok
        ? html`<p class="ml-caption">Mappings of one file and permissions are summed (addresses change between snapshots).</p>
            ${smallTable(ctx, 'compare-mappings', 'mappings', 12, memo(data, 'mappings', mappingColumns), data.mappings.data)}`
        : notice('info', data.mappings.missing)}
    </section>
  `;
}
