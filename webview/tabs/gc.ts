/**
 * The GC tab: the garbage collector over the run (collections per generation with objects
 * collected, uncollectable and time spent, from `gc.callbacks`) and at its end: the census of
 * cyclic garbage (objects only the cycle collector could free) and of uncollectable objects in
 * `gc.garbage`, with a warning when there are any.
 */
import { html, type TemplateResult } from 'lit';
import { formatCount, formatDuration } from '../../src/model/format';
import type { PanelData } from '../../src/protocol/panel';
import { memo, notice, smallTable, type TabContext } from './common';
import { typeColumns } from './types';

export function gcTab(data: PanelData, ctx: TabContext): TemplateResult {
  if (!data.gc.ok) return notice('info', data.gc.missing);
  const g = data.gc.data;
  const uncollectable = g.uncollectable.reduce((s, r) => s + r.count, 0);
  const cyclic = g.cyclicGarbage.reduce((s, r) => s + r.count, 0);
  return html`
    ${uncollectable > 0
      ? notice('warning',
        `${formatCount(uncollectable)} uncollectable ${uncollectable === 1 ? 'object' : 'objects'} in gc.garbage: the garbage collector found them unreachable but cannot free them (or the program put them there).`,
        'Look for code that sets gc.DEBUG_SAVEALL or appends to gc.garbage, or for objects of C extension types with a legacy tp_del finalizer in reference cycles.')
      : ''}
    <p class="ml-caption">
      The garbage collector was ${g.enabled ? 'on' : html`<strong>off</strong> (gc.disable())`};
      thresholds ${g.thresholds.join(', ')}. ${formatCount(g.totals.collections)} collections freed
      ${formatCount(g.totals.collected)} objects in ${formatDuration(g.totals.seconds)}.
    </p>
    <table class="ml-classic" data-table="generations">
      <thead><tr>
        <th class="ml-text">Generation</th><th class="ml-num">Collections</th><th class="ml-num">Collected</th>
        <th class="ml-num">Uncollectable</th><th class="ml-num">Time</th>
      </tr></thead>
      <tbody>
        ${g.generations.map((gen) => html`<tr>
          <td class="ml-text">${gen.generation}</td><td class="ml-num">${formatCount(gen.collections)}</td>
          <td class="ml-num">${formatCount(gen.collected)}</td><td class="ml-num">${formatCount(gen.uncollectable)}</td>
          <td class="ml-num">${formatDuration(gen.seconds)}</td>
        </tr>`)}
        <tr class="ml-total"><td class="ml-text">Total</td><td class="ml-num">${formatCount(g.totals.collections)}</td>
          <td class="ml-num">${formatCount(g.totals.collected)}</td><td class="ml-num">${formatCount(g.totals.uncollectable)}</td>
          <td class="ml-num">${formatDuration(g.totals.seconds)}</td></tr>
      </tbody>
    </table>
    <section class="ml-section">
      <h2>Uncollectable objects (gc.garbage)</h2>
      ${g.uncollectable.length === 0
        ? html`<p class="ml-muted">None.</p>`
        : smallTable(ctx, 'uncollectable', 'uncollectable types', 8, memo(data, 'uncollectable', typeColumns), g.uncollectable)}
    </section>
    <section class="ml-section">
      <h2>Cyclic garbage at the end</h2>
      <p class="ml-caption">Objects unreachable except through reference cycles: only the cycle collector frees them, so they
        stay in memory until its next run.</p>
      ${g.cyclicGarbageNote !== null
        ? html`<p class="ml-muted" data-section="cyclic-note">${g.cyclicGarbageNote}</p>`
        : g.cyclicGarbage.length === 0
        ? html`<p class="ml-muted">None.</p>`
        : html`<p class="ml-caption">${formatCount(cyclic)} objects.</p>
          ${smallTable(ctx, 'cyclic', 'garbage types', 8, memo(data, 'cyclic', typeColumns), g.cyclicGarbage)}`}
    </section>
  `;
}
