/**
 * The Timeline tab: RSS, private dirty and traced memory sampled during the run, drawn as an SVG
 * chart, with the gap between RSS and traced memory shaded (allocator overhead, fragmentation,
 * memory outside Python's allocators) and a marker for each import, garbage collection and
 * snapshot; hovering (or focusing) a marker says what it was, hovering the plot gives the figures
 * of the nearest sample. The markers are also listed in a table below.
 */
import { html, LitElement, nothing, svg, type PropertyValues, type SVGTemplateResult, type TemplateResult } from 'lit';
import { cssProps } from '../cssProps';
import { formatBytes, formatCount, formatDuration, formatTracedBytes, LIGHT_MODE_TEXT } from '../../src/model/format';
import type { PanelData, TimelineData } from '../../src/protocol/panel';
import type { ProfileMode, TimelineMarker, TimelineSample } from '../../src/protocol/snapshot';
import { byteTicks, nearest, ticks } from '../chartScale';
import type { Column } from '../table';
import { memo, notice, smallTable, type TabContext } from './common';

const HEIGHT = 300;
const MARGIN = { left: 72, right: 20, top: 18, bottom: 30 };

const KIND_TITLES: Record<TimelineMarker['kind'], string> = {
  import: 'Import',
  gc: 'Garbage collection',
  snapshot: 'Snapshot',
};

/** Seconds on the axis: `0 s`, `1.5 s`, `250 ms`. */
function seconds(t: number): string {
  if (t === 0) return '0 s';
  return formatDuration(t);
}

type Series = 'rss' | 'privateDirty' | 'traced';

const SERIES: ReadonlyArray<[Series, string]> = [
  ['rss', 'RSS'],
  ['privateDirty', 'Private dirty'],
  ['traced', 'Traced'],
];

/** `<ml-timeline>`: the chart. Light DOM, so `panel.css` styles it with theme colours. */
export class MlTimeline extends LitElement {
  static override properties = {
    data: { attribute: false },
    mode: { attribute: false },
    width: { state: true },
    hoverSample: { state: true },
    hoverMarker: { state: true },
  };

  declare data: TimelineData | undefined;
  /**
   * How the run tracked allocations: fast mode's traced memory is an estimate (`≈`); light mode
   * tracked none, so its traced series (zeros) and the gap above it are not drawn.
   */
  declare mode: ProfileMode;
  declare width: number;
  declare hoverSample: number | undefined;
  declare hoverMarker: number | undefined;
  private observer: ResizeObserver | undefined;
  private times: number[] = [];

  constructor() {
    super();
    this.data = undefined;
    this.mode = 'exact';
    this.width = 800;
    this.hoverSample = undefined;
    this.hoverMarker = undefined;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && Math.abs(w - this.width) > 1) this.width = w;
    });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    this.observer?.disconnect();
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data')) this.times = this.data?.samples.map((s) => s.t) ?? [];
  }

  protected override render(): TemplateResult {
    const d = this.data;
    if (!d) return html``;
    const w = Math.max(320, this.width);
    const plotW = w - MARGIN.left - MARGIN.right;
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const yTicks = byteTicks(d.maxBytes * 1.05, 5);
    const yMax = yTicks[yTicks.length - 1];
    const xTicks = ticks(d.end > 0 ? d.end : 1, Math.max(2, Math.floor(plotW / 110)));
    const xMax = xTicks[xTicks.length - 1];
    const x = (t: number): number => MARGIN.left + (t / xMax) * plotW;
    const y = (b: number): number => MARGIN.top + plotH - (b / yMax) * plotH;
    const hs = this.hoverSample !== undefined ? d.samples[this.hoverSample] : undefined;
    const traced = this.mode !== 'light';
    const est = this.mode === 'fast';
    const series = traced ? SERIES : SERIES.filter(([key]) => key !== 'traced');
    const hm = this.hoverMarker !== undefined ? d.markers[this.hoverMarker] : undefined;

    return html`
      <div class="ml-chart">
        <svg class="ml-svg" width=${w} height=${HEIGHT} viewBox="0 0 ${w} ${HEIGHT}" role="img"
          aria-label="Memory over time: RSS, private dirty and traced memory">
          ${yTicks.map((v) => svg`<line class="ml-grid" x1=${MARGIN.left} x2=${w - MARGIN.right} y1=${y(v)} y2=${y(v)}></line>
            <text class="ml-axis" x=${MARGIN.left - 6} y=${y(v) + 4} text-anchor="end">${formatBytes(v)}</text>`)}
          ${xTicks.map((t) => svg`<text class="ml-axis" x=${x(t)} y=${HEIGHT - 10} text-anchor="middle">${seconds(t)}</text>`)}
          ${traced ? gapArea(d.samples, x, y) : nothing}
          ${series.map(([key]) => svg`<path class="ml-series ml-${key}" d=${seriesPath(d.samples, key, x, y)}></path>`)}
          <rect class="ml-hit" x=${MARGIN.left} y=${MARGIN.top} width=${plotW} height=${plotH}
            @mousemove=${(e: MouseEvent) => this.onMove(e, xMax)}
            @mouseleave=${() => { this.hoverSample = undefined; }}></rect>
          ${hs ? svg`<line class="ml-cursor" x1=${x(hs.t)} x2=${x(hs.t)} y1=${MARGIN.top} y2=${MARGIN.top + plotH}></line>` : nothing}
          ${d.markers.map((m, i) => this.marker(m, i, x(m.t), MARGIN.top, MARGIN.top + plotH))}
        </svg>
        ${hm
          ? html`<div class="ml-tooltip" role="tooltip" data-tooltip="marker"
              ${cssProps(tooltipPosition(x(hm.t), MARGIN.top, w))}>
              <div class="ml-tooltip-title">${KIND_TITLES[hm.kind]} at ${seconds(hm.t)}</div>
              <div>${hm.label}</div>
            </div>`
          : hs
            ? html`<div class="ml-tooltip" role="tooltip" data-tooltip="sample"
                ${cssProps(tooltipPosition(x(hs.t), MARGIN.top, w))}>
                <div class="ml-tooltip-title">at ${seconds(hs.t)}</div>
                <div>RSS ${hs.rss === null ? '—' : formatBytes(hs.rss)}</div>
                <div>Private dirty ${hs.privateDirty === null ? '—' : formatBytes(hs.privateDirty)}</div>
                ${traced ? html`<div>Traced ${formatTracedBytes(hs.traced, est)}</div>` : nothing}
                ${traced && hs.rss !== null ? html`<div>RSS − traced ${formatTracedBytes(hs.rss - hs.traced, est)}</div>` : nothing}
              </div>`
            : nothing}
      </div>
      <div class="ml-legend">
        ${series.map(([key, title]) => html`<span class="ml-key-item"><span class="ml-swatch ml-${key}"></span>${title}</span>`)}
        ${traced
          ? html`<span class="ml-key-item"><span class="ml-swatch ml-gap"></span>RSS − traced: allocator overhead, fragmentation, memory outside Python's allocators</span>`
          : html`<span class="ml-key-item">Traced: ${LIGHT_MODE_TEXT}</span>`}
        ${(['import', 'gc', 'snapshot'] as const).map((k) =>
          html`<span class="ml-key-item"><span class="ml-swatch ml-marker-${k}"></span>${KIND_TITLES[k]}</span>`)}
      </div>
    `;
  }

  private marker(m: TimelineMarker, i: number, mx: number, top: number, bottom: number): SVGTemplateResult {
    const show = (): void => { this.hoverMarker = i; };
    const hide = (): void => { if (this.hoverMarker === i) this.hoverMarker = undefined; };
    return svg`<g class="ml-marker ml-marker-${m.kind}" tabindex="0" role="img" data-marker=${i}
        aria-label=${`${KIND_TITLES[m.kind]} at ${seconds(m.t)}: ${m.label}`}
        @mouseenter=${show} @mouseleave=${hide} @focus=${show} @blur=${hide}>
      <title>${KIND_TITLES[m.kind]} at ${seconds(m.t)}: ${m.label}</title>
      <line x1=${mx} x2=${mx} y1=${top} y2=${bottom}></line>
      <circle cx=${mx} cy=${top} r="4"></circle>
      <rect class="ml-marker-hit" x=${mx - 4} y=${top - 6} width="8" height=${bottom - top + 6}></rect>
    </g>`;
  }

  /** The sample nearest the pointer over the plot. */
  private onMove(e: MouseEvent, xMax: number): void {
    const rect = (e.currentTarget as SVGRectElement).getBoundingClientRect();
    const t = ((e.clientX - rect.left) / Math.max(1, rect.width)) * xMax;
    const i = nearest(this.times, t);
    this.hoverSample = i >= 0 ? i : undefined;
  }
}

customElements.define('ml-timeline', MlTimeline);

/** Where a tooltip goes: beside the point, flipped left near the right edge. */
function tooltipPosition(px: number, top: number, width: number): Record<string, string> {
  return px > width - 260 ? { right: `${width - px + 8}px`, top: `${top}px` } : { left: `${px + 8}px`, top: `${top}px` };
}

/** An SVG path through the samples' `key` values; a null breaks the line. */
function seriesPath(samples: readonly TimelineSample[], key: Series, x: (t: number) => number, y: (b: number) => number): string {
  let d = '';
  let pen = false;
  for (const s of samples) {
    const v = s[key];
    if (v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(s.t).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The shaded area between RSS (above) and traced memory (below), for each run of known RSS. */
function gapArea(samples: readonly TimelineSample[], x: (t: number) => number, y: (b: number) => number): SVGTemplateResult[] {
  const runs: TimelineSample[][] = [];
  let run: TimelineSample[] = [];
  for (const s of samples) {
    if (s.rss === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else {
      run.push(s);
    }
  }
  if (run.length > 0) runs.push(run);
  return runs.map((r) => {
    const top = r.map((s) => `${x(s.t).toFixed(1)},${y(s.rss as number).toFixed(1)}`);
    const bottom = [...r].reverse().map((s) => `${x(s.t).toFixed(1)},${y(Math.min(s.traced, s.rss as number)).toFixed(1)}`);
    return svg`<polygon class="ml-gap" points=${[...top, ...bottom].join(' ')}></polygon>`;
  });
}

function markerColumns(): Column<TimelineMarker>[] {
  return [
    { id: 't', title: 'Time', kind: 'seconds', width: '5.5em', value: (m) => m.t, firstDir: 'asc', cell: (m) => seconds(m.t) },
    { id: 'kind', title: 'Kind', kind: 'text', width: 'minmax(10em, 1fr)', searchable: true, value: (m) => KIND_TITLES[m.kind] },
    { id: 'label', title: 'What', kind: 'text', width: 'minmax(14em, 4fr)', searchable: true, value: (m) => m.label, tooltip: (m) => m.label },
  ];
}

export function timelineTab(data: PanelData, ctx: TabContext): TemplateResult {
  if (!data.timeline.ok) return notice('info', data.timeline.missing);
  const t = data.timeline.data;
  const last = t.samples[t.samples.length - 1];
  return html`
    <p class="ml-caption">
      ${formatCount(t.samples.length)} samples every ${formatDuration(t.interval)} over ${formatDuration(t.end)};
      ${formatCount(t.markers.length)} ${t.markers.length === 1 ? 'marker' : 'markers'}.
      ${last.rss === null
        ? ''
        : data.program.mode === 'light'
          ? `At the end: RSS ${formatBytes(last.rss)} (${LIGHT_MODE_TEXT}).`
          : `At the end: RSS ${formatBytes(last.rss)}, of which ${formatTracedBytes(last.traced, data.program.mode === 'fast')} traced.`}
    </p>
    <ml-timeline .data=${t} .mode=${data.program.mode}></ml-timeline>
    <section class="ml-section">
      <h2>Markers</h2>
      ${smallTable(ctx, 'markers', 'markers', 8, memo(data, 'markers', markerColumns), t.markers)}
    </section>
  `;
}

declare global {
  interface HTMLElementTagNameMap {
    'ml-timeline': MlTimeline;
  }
}
