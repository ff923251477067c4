/**
 * A `@lit-labs/virtualizer` layout for rows of one known height, and the keys that let rows
 * reuse each other's DOM. Row i sits at i × height, so nothing is measured: the library's
 * default (flow) layout measures every row it adds, twice a frame, from a ResizeObserver
 * (`getBoundingClientRect` and `getComputedStyle` per row, each forcing a layout); in
 * code-server, where the webview shares the workbench's renderer, that was most of a fast
 * fling's frame. Rows are kept in the DOM `overhang` pixels above and below the view, so a
 * scroll the compositor runs ahead of the page still finds rows to show.
 *
 * Keys (`RowSlots`): keyed by item, as by default, every row scrolled out is removed and every
 * row scrolled in is created. That costs a template clone per row, and with lit-html 3.3.1–3.3.3
 * each removal leaves a comment node behind (lit/lit#5298) while the virtualizer's
 * ResizeObserver keeps observing removed rows (lit/lit#5363): after a few fast flings the
 * scroller held 15 000 comments, and walking them cost 2.7 ms a frame. A row entering the range
 * takes the slot (the key) of one that left, so Lit moves that row and updates its text: the
 * DOM holds the same rows from the first fill on, and sorting or filtering updates them in place.
 */
import type { LitVirtualizer } from '@lit-labs/virtualizer/LitVirtualizer.js';

// The library exports its layout types only through the element's `layout` property.
type LayoutSpecifier = Extract<LitVirtualizer['layout'], { type: unknown }>;
type LayoutConstructor = LayoutSpecifier['type'];
type Layout = InstanceType<LayoutConstructor>;
type Sink = ConstructorParameters<LayoutConstructor>[0];
type PinOptions = NonNullable<Layout['pin']>;

export interface FixedRowConfig {
  /** Height of every row, in pixels. */
  rowHeight: number;
  /** Told each new range before its rows render; the same object gives the rows their keys. */
  slots: RowSlots;
  /** Pixels of rows kept beyond each edge of the view. */
  overhang?: number;
}

/** A key per row in range: rows that stay keep theirs, rows that enter take those of rows that left. */
export class RowSlots {
  private readonly slotOf = new Map<number, number>();
  private count = 0;

  /** Gives every index of `first`…`last` a slot (none when `first` is -1). */
  assign(first: number, last: number): void {
    const free: number[] = [];
    for (const [index, slot] of this.slotOf) {
      if (index < first || index > last) {
        free.push(slot);
        this.slotOf.delete(index);
      }
    }
    for (let i = first; i >= 0 && i <= last; i++) {
      if (!this.slotOf.has(i)) this.slotOf.set(i, free.pop() ?? this.count++);
    }
  }

  /** The virtualizer's `keyFunction`; an index without a slot gets a key no slot has. */
  readonly key = (_item: unknown, index: number): number => this.slotOf.get(index) ?? -1 - index;
}

class FixedRowLayout implements Layout {
  readonly measureChildren = false;
  direction: Layout['direction'] = 'vertical';
  totalScrollSize = { width: 0, height: 0 };
  offsetWithinScroller = { left: 0, top: 0 };

  private rowHeight = 22;
  private overhang = 600;
  private slots: RowSlots | undefined;
  private list: unknown[] = [];
  private size = { width: 0, height: 0 };
  private scroll = { left: 0, top: 0 };
  private pinned: PinOptions | null = null;
  /** The rows in the DOM, `first` to `last` inclusive (-1 when none). */
  private first = -1;
  private last = -1;
  private pending = true;

  constructor(private readonly sink: Sink, config?: object) {
    if (config) this.config = config;
  }

  set config(config: object) {
    const c = config as Partial<FixedRowConfig> & { pin?: PinOptions };
    if (c.rowHeight !== undefined) this.rowHeight = c.rowHeight;
    if (c.slots !== undefined) this.slots = c.slots;
    if (c.overhang !== undefined) this.overhang = c.overhang;
    if (c.pin !== undefined) this.pinned = c.pin;
    this.pending = true;
  }

  get config(): object {
    return { rowHeight: this.rowHeight, overhang: this.overhang, slots: this.slots };
  }

  get items(): unknown[] {
    return this.list;
  }

  set items(items: unknown[]) {
    if (items === this.list) return;
    this.list = items;
    this.pending = true;
  }

  get viewportSize(): Layout['viewportSize'] {
    return this.size;
  }

  set viewportSize(size: Layout['viewportSize']) {
    this.size = { ...size };
    this.check();
  }

  get viewportScroll(): Layout['viewportScroll'] {
    return this.scroll;
  }

  set viewportScroll(scroll: Layout['viewportScroll']) {
    this.scroll = { ...scroll };
    this.check();
  }

  get pin(): PinOptions | null {
    return this.pinned;
  }

  set pin(options: PinOptions | null) {
    this.pinned = options;
    this.pending = true;
  }

  unpin(): void {
    if (this.pinned === null) return;
    this.pinned = null;
    this.sink({ type: 'unpinned' });
  }

  getScrollIntoViewCoordinates(options: PinOptions): { top: number } {
    return { top: this.scrollTopFor(options) };
  }

  reflowIfNeeded(force = false): void {
    if (!force && !this.pending) return;
    this.pending = false;
    let scrollError: { top: number; left: number } | undefined;
    if (this.pinned !== null) {
      const top = this.scrollTopFor(this.pinned) - this.offsetWithinScroller.top;
      scrollError = { top: this.scroll.top - top, left: 0 };
      this.scroll.top = top;
    }
    const h = this.rowHeight;
    const n = this.list.length;
    const top = this.scroll.top;
    const view = this.size.height;
    if (n === 0) {
      this.first = this.last = -1;
    } else {
      this.first = Math.max(0, Math.floor((top - this.overhang) / h));
      this.last = Math.min(n - 1, Math.ceil((top + view + this.overhang) / h));
    }
    this.slots?.assign(this.first, this.last);
    const childPositions = new Map<number, { top: number; left: number }>();
    for (let i = this.first; i >= 0 && i <= this.last; i++) childPositions.set(i, { top: i * h, left: 0 });
    this.sink({
      type: 'stateChanged',
      scrollSize: { height: n * h, width: 0 },
      range: {
        first: this.first,
        last: this.last,
        firstVisible: n === 0 ? -1 : Math.min(n - 1, Math.max(0, Math.floor(top / h))),
        lastVisible: n === 0 ? -1 : Math.min(n - 1, Math.max(0, Math.ceil((top + view) / h) - 1)),
      },
      childPositions,
      ...(scrollError ? { scrollError } : {}),
    });
  }

  /** A reflow is due when the rows in the DOM no longer cover the view and its overhang. */
  private check(): void {
    if (this.pending || this.pinned !== null) {
      this.pending = true;
      return;
    }
    const h = this.rowHeight;
    const n = this.list.length;
    const want = {
      first: Math.max(0, Math.floor((this.scroll.top - this.overhang) / h)),
      last: Math.min(n - 1, Math.ceil((this.scroll.top + this.size.height + this.overhang) / h)),
    };
    if (n > 0 && (this.first === -1 || want.first < this.first || want.last > this.last)) this.pending = true;
  }

  private scrollTopFor({ index, block }: PinOptions): number {
    const h = this.rowHeight;
    const i = Math.max(0, Math.min(index, this.list.length - 1));
    const view = this.size.height;
    let top = i * h;
    if (block === 'center') top -= (view - h) / 2;
    else if (block === 'end') top -= view - h;
    else if (block === 'nearest') top = Math.abs(this.scroll.top - top) < Math.abs(this.scroll.top - (top - view + h)) ? top : top - view + h;
    const max = Math.max(0, this.totalScrollSize.height - view);
    return Math.max(-this.offsetWithinScroller.top, Math.min(top + this.offsetWithinScroller.top, max));
  }
}

/**
 * The `layout` of a `<lit-virtualizer>` whose rows are all `rowHeight` pixels tall; give it
 * `config.slots.key` as its `keyFunction`. One per virtualizer, made once: a new object on each
 * render would make the virtualizer reflow.
 */
export function fixedRows(config: FixedRowConfig): LayoutSpecifier & FixedRowConfig {
  return { type: FixedRowLayout, ...config };
}
