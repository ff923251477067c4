/**
 * Import costs as a tree for the Imports tab: each import under the one that pulled it in,
 * siblings largest first. Pure: it takes the snapshot's `imports` list.
 *
 * An entry names its parent by module name. A name can occur more than once (a module reloaded,
 * an import that failed and was retried), so a child goes under the entry of that name whose
 * import was in progress when the child's began (`start` ≤ child's `start` ≤ its end), else the
 * latest one that began before it. An entry whose parent is not in the list (the helper records
 * nothing for a failed import, and only imports made after it started) is a root.
 */
import type { ImportCost } from '../protocol/snapshot';

/** One import with the imports it pulled in. */
export interface ImportNode {
  cost: ImportCost;
  /** Largest first, by the same key as the roots. */
  children: ImportNode[];
}

/** What "largest" means when ordering: traced memory (the default), private dirty or time. */
export type ImportCostKey = (cost: ImportCost) => number;

/** Orders by traced memory growth including nested imports. */
export const byTracedTotal: ImportCostKey = (c) => c.tracedTotal;
/** Orders by private dirty growth including nested imports (null counts as 0). */
export const byPrivateDirtyTotal: ImportCostKey = (c) => c.privateDirtyTotal ?? 0;
/** Orders by wall time including nested imports. */
export const bySeconds: ImportCostKey = (c) => c.seconds;

/** Slack for rounding: the helper writes `start` to 0.1 ms and `seconds` to 1 µs. */
const EPSILON = 1e-4;

/**
 * Builds the import tree: roots (entries with no parent, or whose parent is not in the list),
 * each with its children, all sorted by `key` (traced total by default), largest first; ties keep
 * the order in which the imports began.
 */
export function importTree(costs: readonly ImportCost[], key: ImportCostKey = byTracedTotal): ImportNode[] {
  const nodes = costs.map((cost) => ({ cost, children: [] as ImportNode[] }));
  const byName = new Map<string, ImportNode[]>();
  for (const node of nodes) {
    const list = byName.get(node.cost.module);
    if (list) list.push(node);
    else byName.set(node.cost.module, [node]);
  }
  const roots: ImportNode[] = [];
  for (const node of nodes) {
    const parent = node.cost.parent === null ? undefined : findParent(node, byName.get(node.cost.parent));
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  // A parent chain that loops (only a malformed list can make one) would hide its members: the
  // nodes no root reaches become roots themselves.
  const reached = new Set<ImportNode>();
  const mark = (n: ImportNode): void => {
    if (reached.has(n)) return;
    reached.add(n);
    n.children.forEach(mark);
  };
  roots.forEach(mark);
  for (const node of nodes) {
    if (!reached.has(node)) {
      for (const other of nodes) other.children = other.children.filter((c) => c !== node);
      roots.push(node);
      mark(node);
    }
  }
  const order = new Map(nodes.map((n, i) => [n, i] as const));
  const sort = (list: ImportNode[]): void => {
    list.sort((a, b) => key(b.cost) - key(a.cost) || a.cost.start - b.cost.start || order.get(a)! - order.get(b)!);
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The entry named as `node`'s parent that was importing when `node` began. */
function findParent(node: ImportNode, candidates: ImportNode[] | undefined): ImportNode | undefined {
  if (candidates === undefined) return undefined;
  const start = node.cost.start;
  let latestBefore: ImportNode | undefined;
  for (const c of candidates) {
    if (c === node) continue;
    const begins = c.cost.start;
    if (begins <= start + EPSILON && start <= begins + c.cost.seconds + EPSILON) return c;
    if (begins <= start + EPSILON && (latestBefore === undefined || begins > latestBefore.cost.start)) latestBefore = c;
  }
  return latestBefore;
}

/** Every node of `roots`, depth first in tree order, with its depth (roots are 0). */
export function flattenImportTree(roots: readonly ImportNode[]): { node: ImportNode; depth: number }[] {
  const out: { node: ImportNode; depth: number }[] = [];
  const walk = (list: readonly ImportNode[], depth: number): void => {
    for (const node of list) {
      out.push({ node, depth });
      walk(node.children, depth + 1);
    }
  };
  walk(roots, 0);
  return out;
}
