/**
 * The Process tab: the process's memory maps (`/proc/PID/smaps`) when the snapshot was taken.
 * Writable memory (private dirty) is the headline; below it the classic table (mapped files,
 * anonymous memory and kernel pages, each by permission class, with Shared/Private × Clean/Dirty),
 * then the mapped files and every mapping ranked by private dirty (sort by PSS or swap from their
 * headers), and pymalloc's own statistics. Without maps it says why (not Linux, unreadable, or an
 * older helper). A running process inspected without profiling shows the same maps, read now.
 */
import { html, type TemplateResult } from 'lit';
import { formatBytes, formatCount } from '../../src/model/format';
import type { LiveProcessData, MappingRow, PanelData, ProcessData, Section } from '../../src/protocol/panel';
import { PERM_CLASS_TITLES, SMAPS_FIELD_NAMES, SMAPS_GROUP_TITLES, type SmapsFigures } from '../../src/protocol/smaps';
import type { Column } from '../table';
import { memo, notice, pathCell, smallTable, tile, type TabContext } from './common';

/** Figure columns of the classic table, as the kernel orders them: [key, tooltip]. */
const CLASSIC: ReadonlyArray<[keyof SmapsFigures, string]> = [
  ['mappings', 'Number of mappings'],
  ['size', 'Address space (virtual size)'],
  ['rss', 'Resident pages, shared ones counted in full'],
  ['pss', 'Proportional set size: each shared page divided among the processes that map it'],
  ['sharedClean', 'Resident, shared with other processes, same as the file'],
  ['sharedDirty', 'Resident, shared with other processes, written'],
  ['privateClean', 'Resident, this process alone, same as the file'],
  ['privateDirty', 'Resident, this process alone, written: writable memory'],
  ['swap', 'Swapped out'],
];

type FileRow = SmapsFigures & { path: string };

function fileColumns(): Column<FileRow>[] {
  return [
    {
      id: 'path', title: 'File', kind: 'text', width: 'minmax(14em, 4fr)', searchable: true,
      value: (r) => r.path, tooltip: (r) => r.path, cell: (r) => pathCell(r.path),
    },
    { id: 'privateDirty', title: 'Private dirty', kind: 'bytes', width: '8em', value: (r) => r.privateDirty },
    { id: 'pss', title: 'Pss', kind: 'bytes', width: '7em', value: (r) => r.pss },
    { id: 'rss', title: 'Rss', kind: 'bytes', width: '7em', value: (r) => r.rss },
    { id: 'swap', title: 'Swap', kind: 'bytes', width: '7em', value: (r) => r.swap },
    { id: 'mappings', title: 'Maps', kind: 'count', width: '4em', value: (r) => r.mappings, about: 'Mappings of the file' },
  ];
}

function mappingColumns(): Column<MappingRow>[] {
  return [
    { id: 'address', title: 'Address', kind: 'text', width: '14em', searchable: true, value: (r) => r.address, cell: (r) => html`<span class="ml-mono">${r.address}</span>` },
    { id: 'perms', title: 'Perms', kind: 'text', width: '4em', searchable: true, value: (r) => r.perms, cell: (r) => html`<span class="ml-mono">${r.perms}</span>` },
    {
      id: 'name', title: 'Name', kind: 'text', width: 'minmax(8em, 3fr)', searchable: true,
      value: (r) => r.name, tooltip: (r) => `${r.name || 'anonymous memory'}: ${r.size / 1024} kB mapped`,
      cell: (r) => (r.name === '' ? html`<span class="ml-muted">anonymous</span>` : pathCell(r.name)),
    },
    { id: 'privateDirty', title: 'Private dirty', kind: 'bytes', width: '8em', value: (r) => r.privateDirty },
    { id: 'pss', title: 'Pss', kind: 'bytes', width: '7em', value: (r) => r.pss },
    { id: 'rss', title: 'Rss', kind: 'bytes', width: '7em', value: (r) => r.rss },
    { id: 'swap', title: 'Swap', kind: 'bytes', width: '7em', value: (r) => r.swap },
  ];
}

function figureCells(f: SmapsFigures): TemplateResult[] {
  return CLASSIC.map(([key]) =>
    html`<td class="ml-num ${key === 'privateDirty' ? 'ml-key' : ''}">${key === 'mappings' ? formatCount(f[key]) : formatBytes(f[key])}</td>`);
}

export function processTab(data: PanelData, ctx: TabContext): TemplateResult {
  return html`${mapsSection(data.process, ctx)}${pymallocSection(data)}`;
}

/**
 * A running process (`MemLens: Inspect Process Memory…`): its maps as just read, with a Refresh
 * button; when they could not be read (the process ended), the sentence saying why.
 */
export function liveProcessTab(live: LiveProcessData, ctx: TabContext): TemplateResult {
  return html`
    <div class="ml-toolbar" data-section="live">
      <vscode-button id="refresh-process" icon="refresh" @click=${() => ctx.refreshProcess()}>Refresh</vscode-button>
      <span class="ml-muted">Process ${live.pid}${live.name ? ` (${live.name})` : ''}, read at ${new Date(live.readAt).toLocaleTimeString()}.
        Not profiled: these are its memory maps alone.</span>
    </div>
    ${mapsSection(live.process, ctx)}
  `;
}

function mapsSection(section: Section<ProcessData>, ctx: TabContext): TemplateResult {
  if (!section.ok) return notice('info', section.missing);
  const p = section.data;
  return html`
    <section class="ml-section">
      <div class="ml-tiles">
        ${tile('process-writable', 'Writable memory', formatBytes(p.writable), 'private dirty: pages only this process holds, written; only swap can reclaim them', true)}
        ${tile('process-rss', 'RSS', formatBytes(p.total.rss))}
        ${tile('process-pss', 'PSS', formatBytes(p.total.pss))}
        ${tile('process-uss', 'USS', formatBytes(p.uss), 'private clean + private dirty')}
        ${tile('process-swap', 'Swap', formatBytes(p.total.swap))}
        ${tile('process-maps', 'Mappings', formatCount(p.total.mappings), p.pageSize ? `page size ${formatBytes(p.pageSize)}` : undefined)}
      </div>
      ${p.note ? html`<p class="ml-caption" data-section="process-note">${p.note}</p>` : ''}
    </section>
    <section class="ml-section">
      <h2>Memory maps by kind and permissions</h2>
      <div class="ml-scroll-x">
        <table class="ml-classic" data-table="classic">
          <thead>
            <tr>
              <th class="ml-text">Kind</th>
              ${CLASSIC.map(([key, about]) => html`<th class="ml-num" title=${about}>${key === 'mappings' ? 'Mappings' : SMAPS_FIELD_NAMES[key]}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${p.groups.filter((g) => g.classes.length > 0).map(
              (g) => html`
                <tr class="ml-group"><th class="ml-text" colspan=${CLASSIC.length + 1}>${SMAPS_GROUP_TITLES[g.group]}</th></tr>
                ${g.classes.map(
                  (c) => html`<tr>
                    <td class="ml-text ml-indent">${PERM_CLASS_TITLES[c.permClass]} <span class="ml-muted">${c.perms.join(' ')}</span></td>
                    ${figureCells(c)}
                  </tr>`,
                )}
                <tr class="ml-subtotal"><td class="ml-text ml-indent">${SMAPS_GROUP_TITLES[g.group]}, total</td>${figureCells(g.total)}</tr>
              `,
            )}
            <tr class="ml-total"><td class="ml-text">Total</td>${figureCells(p.total)}</tr>
          </tbody>
        </table>
      </div>
    </section>
    <section class="ml-section">
      <h2>Libraries and mapped files by private dirty</h2>
      <p class="ml-caption">Private dirty in a library is its relocated and written data: what loading it costs every process. Click PSS or Swap to rank by them.</p>
      ${smallTable(ctx, 'files', 'files', 10, memo(p, 'files', fileColumns), p.files)}
    </section>
    <section class="ml-section">
      <h2>Mappings by private dirty</h2>
      ${smallTable(ctx, 'mappings', 'mappings', 10, memo(p, 'mappings', mappingColumns), p.mappings)}
    </section>
  `;
}

function pymallocSection(data: PanelData): TemplateResult {
  if (!data.pymalloc.ok) {
    return html`<section class="ml-section" data-section="pymalloc">
      <h2>pymalloc, Python's small-object allocator</h2>
      <p class="ml-muted">${data.pymalloc.missing}</p>
    </section>`;
  }
  const { text, figures: f } = data.pymalloc.data;
  const overhead = f ? f.bytesLostToPoolHeaders + f.bytesLostToQuantization + f.bytesLostToArenaAlignment : 0;
  const free = f ? f.bytesInAvailableBlocks + f.unusedPoolBytes : 0;
  return html`<section class="ml-section" data-section="pymalloc">
    <h2>pymalloc, Python's small-object allocator</h2>
    ${f
      ? html`<p class="ml-caption">Objects of up to 512 bytes live in pools inside arenas. Memory in free blocks and empty
            pools stays with pymalloc, and an arena returns to the system only when none of its blocks is in use:
            that is pymalloc's fragmentation.</p>
          <div class="ml-tiles">
            ${tile('pymalloc-arenas', 'Arenas', formatBytes(f.total),
              `${formatCount(f.arenasCurrent)}${f.arenaSize ? ` × ${formatBytes(f.arenaSize)}` : ''}; at most ${formatCount(f.arenasHighwater)}, ${formatCount(f.arenasReclaimed)} returned`)}
            ${tile('pymalloc-used', 'In use by objects', formatBytes(f.bytesInAllocatedBlocks), f.total > 0 ? `${((f.bytesInAllocatedBlocks / f.total) * 100).toFixed(1)} % of the arenas` : undefined)}
            ${tile('pymalloc-free', 'Free, kept by pymalloc', formatBytes(free),
              `${formatBytes(f.bytesInAvailableBlocks)} in free blocks, ${formatBytes(f.unusedPoolBytes)} in ${formatCount(f.unusedPools)} empty pools`, f.total > 0 && free / f.total > 0.25)}
            ${tile('pymalloc-overhead', 'Overhead', formatBytes(overhead), 'pool headers, rounding up to a size class, arena alignment')}
          </div>
          <details class="ml-details">
            <summary>Blocks per size class</summary>
            <table class="ml-classic" data-table="size-classes">
              <thead><tr><th class="ml-num">Block size</th><th class="ml-num">Pools</th><th class="ml-num">Blocks in use</th>
                <th class="ml-num">Free blocks</th><th class="ml-num">Bytes in use</th></tr></thead>
              <tbody>${f.sizeClasses.map((c) => html`<tr><td class="ml-num">${formatBytes(c.size)}</td><td class="ml-num">${formatCount(c.pools)}</td>
                <td class="ml-num">${formatCount(c.blocksInUse)}</td><td class="ml-num">${formatCount(c.availableBlocks)}</td>
                <td class="ml-num">${formatBytes(c.blocksInUse * c.size)}</td></tr>`)}</tbody>
            </table>
          </details>`
      : html`<p class="ml-muted">pymalloc is not in use in this process (PYTHONMALLOC=malloc, or a build without it); its text follows.</p>`}
    <details class="ml-details" ?open=${!f}>
      <summary>As <code>sys._debugmallocstats()</code> printed it</summary>
      <pre class="ml-pre">${text}</pre>
    </details>
  </section>`;
}
