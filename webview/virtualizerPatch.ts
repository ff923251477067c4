/**
 * A speed fix for `@lit-labs/virtualizer` 2.1.1: `_positionChildren` looks each child up through
 * the `_children` getter, which walks the host's children every time, so positioning n rows costs
 * n² DOM steps; with ~60 rows in view that was most of a scrolled frame (15 ms of 16.7 in a CPU
 * profile). The patch reads `_children` once per call (an own property shadows the getter for the
 * call's duration) and leaves the library's logic as it is. If a later version has no such
 * method, nothing is patched.
 */
import { virtualizerRef } from '@lit-labs/virtualizer/virtualize.js';

const PATCHED = Symbol('memlens.positionChildrenPatched');

interface VirtualizerInternals {
  _positionChildren?: (this: VirtualizerInternals, pos: unknown) => void;
  _children?: Element[];
  [PATCHED]?: boolean;
}

/** Patches the virtualizer class behind `host` (a `<lit-virtualizer>`), once for all instances. */
export function patchVirtualizer(host: Element): void {
  const instance = (host as unknown as Record<symbol, VirtualizerInternals | undefined>)[virtualizerRef];
  if (!instance) return;
  const proto = Object.getPrototypeOf(instance) as VirtualizerInternals;
  const original = proto._positionChildren;
  if (proto[PATCHED] || typeof original !== 'function') return;
  proto._positionChildren = function (this: VirtualizerInternals, pos: unknown): void {
    Object.defineProperty(this, '_children', { value: this._children, configurable: true, writable: true });
    try {
      original.call(this, pos);
    } finally {
      delete this._children;
    }
  };
  proto[PATCHED] = true;
}
