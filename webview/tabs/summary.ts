/**
 * The Summary tab: the run's headline figures (writable memory first: what the process really
 * costs the system) and what stands out: the top lines at exit and at peak (a click opens the
 * line), the top types, the library holding the most private dirty memory, the heaviest import,
 * and warnings.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatBytes, formatCount, formatDuration, formatSamples, formatTracedBytes, LIGHT_MODE_TEXT } from '../../src/model/format';
import type { LineRow, PanelData } from '../../src/protocol/panel';
import { momentWord, notice, shareBar, tile, type TabContext } from './common';

const dash = '—';
const bytesOr = (n: number | null): string => (n === null ? dash : formatBytes(n));
const countOr = (n: number | null, unit: string): string => (n === null ? dash : `${formatCount(n)} ${unit}`);
const secondsOr = (n: number | null): string => (n === null ? dash : formatDuration(n));

export function summaryTab(data: PanelData, ctx: TabContext): TemplateResult {
  const h = data.summary.headline;
  const s = data.summary;
  const noMaps = data.process.ok ? undefined : 'no memory maps in this snapshot';
  const moment = momentWord(data.program.kind);
  // Figures of the process that a snapshot without one (an imported tracemalloc dump) lacks.
  const unknown = data.program.origin !== null ? 'not recorded in a tracemalloc dump' : 'not recorded';
  const mode = data.program.mode;
  const est = mode === 'fast';
  // Light mode tracked no allocation: its traced tiles say so rather than show zeros.
  const tracedPeakTile = mode === 'light'
    ? tile('tracedPeak', 'Peak traced', dash, LIGHT_MODE_TEXT)
    : tile('tracedPeak', 'Peak traced', h.tracedPeak === null ? dash : formatTracedBytes(h.tracedPeak, est),
      h.tracedPeak === null ? unknown : est ? 'Python allocations at the traced peak, estimated from samples' : 'Python allocations at the traced peak');
  const tracedTile = mode === 'light'
    ? tile('traced', `Traced ${moment}`, dash, LIGHT_MODE_TEXT)
    : tile('traced', `Traced ${moment}`, formatTracedBytes(h.tracedCurrent, est),
      est ? (h.samples === null ? 'estimated from samples' : `estimated from ${formatSamples(h.samples)}`) : `${formatCount(h.blocks)} live blocks`);
  return html`
    <section class="ml-section">
      <div class="ml-tiles">
        ${tile('writable', 'Writable memory', bytesOr(h.writable),
          noMaps ?? 'private dirty pages: what the process costs the system', true)}
        ${tracedPeakTile}
        ${tracedTile}
        ${tile('maxRss', 'Peak RSS', bytesOr(h.maxRss), h.rss !== null ? `${formatBytes(h.rss)} ${moment}` : h.maxRss === null ? unknown : undefined)}
        ${tile('uss', 'USS', bytesOr(h.uss), noMaps ?? 'private pages: what ending it would free')}
        ${tile('pss', 'PSS', bytesOr(h.pss), noMaps ?? 'shared pages divided among their processes')}
        ${tile('swap', 'Swap', bytesOr(h.swap), noMaps)}
        ${tile('faults', 'Page faults', countOr(h.minorFaults, 'minor'), h.majorFaults === null ? unknown : `${formatCount(h.majorFaults)} major (read from disk)`)}
        ${tile('wall', 'Wall time', secondsOr(h.wallSeconds), h.cpuSeconds === null ? unknown : `${formatDuration(h.cpuSeconds)} CPU`)}
      </div>
    </section>
    ${s.warnings.map((w) => notice('warning', w))}
    <section class="ml-section">
      <h2>What stands out</h2>
      <div class="ml-standout">
        ${lineList(`Top lines ${moment}`, data, s.topLinesExit, (r) => r.exitBytes, ctx, 'top-exit')}
        ${data.lines.hasPeak ? lineList('Top lines at peak', data, s.topLinesPeak, (r) => r.peakBytes, ctx, 'top-peak') : nothing}
        <div class="ml-card" data-card="top-types">
          <h3>Top types</h3>
          ${data.types.ok
            ? html`<ol class="ml-list">
                ${s.topTypes.map(
                  (t) => html`<li>
                    <span class="ml-list-value">${formatBytes(t.bytes)}</span>
                    <span class="ml-list-name">${t.type}</span>
                    <span class="ml-list-note">${formatCount(t.count)} objects · ${(t.share * 100).toFixed(1)} %</span>
                    ${shareBar(t.share)}
                  </li>`,
                )}
              </ol>`
            : html`<p class="ml-muted">${data.types.missing}</p>`}
        </div>
        <div class="ml-card" data-card="top-library">
          <h3>Top library by private dirty</h3>
          ${s.topLibrary
            ? html`<p><span class="ml-list-value">${formatBytes(s.topLibrary.privateDirty)}</span>
                <span class="ml-list-name ml-path" title=${s.topLibrary.path}>${s.topLibrary.path}</span>
                <span class="ml-list-note">PSS ${formatBytes(s.topLibrary.pss)}</span></p>`
            : html`<p class="ml-muted">${data.process.ok ? 'No mapped file holds private dirty memory.' : data.process.missing}</p>`}
        </div>
        <div class="ml-card" data-card="heaviest-import">
          <h3>Heaviest import</h3>
          ${s.heaviestImport && mode === 'light'
            ? html`<p><span class="ml-list-value">${bytesOr(s.heaviestImport.privateDirtyTotal)}</span>
                <span class="ml-list-name">${s.heaviestImport.module}</span>
                <span class="ml-list-note">private dirty, nested imports included (${LIGHT_MODE_TEXT}) · ${formatDuration(s.heaviestImport.seconds)}</span></p>`
            : s.heaviestImport
            ? html`<p><span class="ml-list-value">${formatTracedBytes(s.heaviestImport.tracedTotal, est)}</span>
                <span class="ml-list-name">${s.heaviestImport.module}</span>
                <span class="ml-list-note">traced, nested imports included${s.heaviestImport.privateDirtyTotal !== null
                  ? ` · ${formatBytes(s.heaviestImport.privateDirtyTotal)} private dirty` : ''} · ${formatDuration(s.heaviestImport.seconds)}</span></p>`
            : html`<p class="ml-muted">${data.imports.ok ? 'No import was recorded.' : data.imports.missing}</p>`}
        </div>
      </div>
    </section>
  `;
}

function lineList(title: string, data: PanelData, rows: LineRow[], bytes: (r: LineRow) => number, ctx: TabContext, id: string): TemplateResult {
  const files = data.lines.files;
  return html`<div class="ml-card" data-card=${id}>
    <h3>${title}</h3>
    ${rows.length === 0
      ? html`<p class="ml-muted">${data.program.mode === 'light' ? `No lines: ${LIGHT_MODE_TEXT}.` : 'No line holds memory.'}</p>`
      : html`<ol class="ml-list">
          ${rows.map(
            (r) => html`<li class="ml-link" role="link" tabindex="0" title=${`${files[r.file].path}:${r.line}`}
              @click=${() => ctx.openLine(files[r.file].path, r.line)}
              @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') ctx.openLine(files[r.file].path, r.line); }}>
              <span class="ml-list-value">${formatTracedBytes(bytes(r), data.program.mode === 'fast')}</span>
              <span class="ml-list-name">${files[r.file].display}:${r.line}</span>
              <span class="ml-list-note">${r.topPath}</span>
            </li>`,
          )}
        </ol>`}
  </div>`;
}
