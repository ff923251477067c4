/**
 * The Types tab: live objects partitioned by type, like heapy: objects, bytes (shallow
 * `sys.getsizeof`), share of the census and cumulative share down the largest-first order. Says
 * so when the census was cut short by its time bound: the figures are then a lower bound.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatBytes, formatCount, formatDuration } from '../../src/model/format';
import type { PanelData, TypeRow } from '../../src/protocol/panel';
import type { Column } from '../table';
import { memo, notice, shareBar, type TabContext } from './common';

/** Columns of a type table (also the GC tab's garbage census). */
export function typeColumns(): Column<TypeRow>[] {
  return [
    { id: 'type', title: 'Type', kind: 'text', width: 'minmax(12em, 3fr)', searchable: true, value: (r) => r.type, tooltip: (r) => r.type },
    { id: 'count', title: 'Objects', kind: 'count', width: '6.5em', value: (r) => r.count },
    { id: 'bytes', title: 'Bytes', kind: 'bytes', width: '7em', value: (r) => r.bytes, about: 'Sum of sys.getsizeof: the objects themselves, not what they refer to' },
    {
      id: 'share', title: 'Share', kind: 'share', width: '9.5em', value: (r) => r.share,
      cell: (r) => html`${shareBar(r.share)}<span>${(r.share * 100).toFixed(1)} %</span>`,
    },
    {
      id: 'cumulative', title: 'Cumulative', kind: 'share', width: '6.5em', value: (r) => r.cumulative,
      about: 'Share of this type and of every type holding more bytes',
    },
  ];
}

export function typesTab(data: PanelData, ctx: TabContext): TemplateResult {
  if (!data.types.ok) return notice('info', data.types.missing);
  const t = data.types.data;
  return html`
    ${t.complete
      ? nothing
      : notice('warning', 'Partial: the census stopped at its time bound, so these figures are a lower bound.', t.note)}
    <p class="ml-caption">
      ${formatCount(t.objects)} objects, ${formatBytes(t.bytes)}, in ${formatCount(t.rows.length)} types
      (census took ${formatDuration(t.seconds)}). Bytes are shallow sizes; objects the garbage collector does
      not track (numbers, strings inside containers) are counted through the containers that hold them.
    </p>
    <ml-table
      id="table-types"
      label="types"
      size="fill"
      .columns=${memo(data, 'types', () => typeColumns())}
      .rows=${t.rows}
      .state=${ctx.tableState('types')}
      .onStateChange=${(s: ReturnType<TabContext['tableState']>) => ctx.setTableState('types', s)}
    ></ml-table>
  `;
}
