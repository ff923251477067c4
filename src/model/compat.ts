/**
 * Whether two snapshots can be compared meaningfully (comparing snapshots of different
 * programs warns): the same program (script path or `-m` module, working folder), the same
 * Python, the same frame depth, and whether they come from one run. The UI shows the warnings, as
 * sentences, before it shows the comparison; `findLeaks` refuses snapshots of different programs.
 */
import * as nodePath from 'node:path';
import type { ProgramInfo, SnapshotDocument } from '../protocol/snapshot';
import { originText } from './origin';
import { commandTarget, type CommandTarget } from './program';

/** What a command line ran: a script, a module (`-m`), a command (`-c`) or standard input. */
export interface ProgramIdentity {
  kind: CommandTarget['kind'];
  /**
   * What identifies it: the script's absolute path (resolved against `cwd`), the module's name,
   * the command's text; '' for stdin and unknown.
   */
  target: string;
  /** What two identities are compared by: `kind` and `target`, case-folded for Windows paths. */
  key: string;
  /** How a sentence names it: the script's file name, `-m pkg.mod`, `-c`, `standard input`. */
  name: string;
}

export interface Compatibility {
  /** Same script (or module, or command), by `programIdentity`. */
  sameProgram: boolean;
  /** Same process and start time: two snapshots of one run. */
  sameRun: boolean;
  /** Sentences for the user; empty when nothing stands in the way of a comparison. */
  warnings: string[];
}

/**
 * Compares what two snapshots were taken of, `a` being the one compared against (before).
 * Warns, in this order, when the programs differ, when they ran in different working folders,
 * with different Pythons (executable, version or implementation), with different frame depths
 * (memory may then be attributed to other lines), and when `a` was taken after `b` in one run.
 * Different runs of the same program are not warned about: comparing a run before and after a
 * fix is what comparing is for. A snapshot without a program (an imported tracemalloc dump) says
 * neither what it was of nor when: it is never the same program or run, and a warning says why.
 */
export function compareCompatibility(a: SnapshotDocument, b: SnapshotDocument): Compatibility {
  const warnings: string[] = [];
  const pa = a.program;
  const pb = b.program;
  if (pa === null || pb === null) {
    for (const [which, doc] of [['first', a], ['second', b]] as const) {
      if (doc.program === null) {
        warnings.push(`The ${which} snapshot was ${originText(doc)}, which does not say what program it is of or when it was taken.`);
      }
    }
    const tracking = trackingWarning(a, b);
    if (tracking !== undefined) warnings.push(tracking);
    return { sameProgram: false, sameRun: false, warnings };
  }
  const ia = programIdentity(pa);
  const ib = programIdentity(pb);
  // Two unknown command lines (an embedded interpreter) cannot be told apart, so they pass.
  const sameProgram = ia.key === ib.key;
  if (!sameProgram) {
    const [na, nb] = ia.name === ib.name && ia.target !== ib.target ? [ia.target, ib.target] : [ia.name, ib.name];
    warnings.push(`These snapshots are of different programs: ${na} and ${nb}.`);
  }
  if (pa.cwd !== pb.cwd) {
    warnings.push(`These snapshots ran in different working folders: ${pa.cwd} and ${pb.cwd}.`);
  }
  const python = (p: ProgramInfo): string =>
    `${p.python.executable} (${p.python.implementation} ${p.python.version})`;
  if (python(pa) !== python(pb)) {
    warnings.push(`These snapshots were taken with different Pythons: ${python(pa)} and ${python(pb)}.`);
  }
  const tracking = trackingWarning(a, b);
  if (tracking !== undefined) warnings.push(tracking);
  const sameRun = pa.pid === pb.pid && pa.startTime === pb.startTime;
  if (sameRun && pa.endTime > pb.endTime) {
    warnings.push('The first snapshot was taken after the second, so growth shows as shrinkage.');
  }
  return { sameProgram, sameRun, warnings };
}

/**
 * A sentence when the snapshots tracked allocations differently: in different modes (which also
 * keep different frame depths, so that is not said again), or to different frame depths.
 */
function trackingWarning(a: SnapshotDocument, b: SnapshotDocument): string | undefined {
  const ma = a.settings.mode ?? 'exact';
  const mb = b.settings.mode ?? 'exact';
  if (ma !== mb) {
    const why = ma === 'light' || mb === 'light'
      ? 'light mode tracks no allocation, so the growth of lines and traced memory means nothing'
      : 'fast mode estimates from samples what exact mode counts, so small growth may be sampling error';
    return `These snapshots were taken in different modes (${ma} and ${mb}): ${why}.`;
  }
  if (a.settings.frames === b.settings.frames) return undefined;
  return (
    `These snapshots were taken with different frame depths (${a.settings.frames} and ` +
    `${b.settings.frames}), so the same memory may be attributed to different lines.`
  );
}

/**
 * What the program's command line ran (`commandTarget`), with a script's path resolved against
 * the program's working folder, so that two snapshots of one script compare equal.
 */
export function programIdentity(program: Pick<ProgramInfo, 'argv' | 'cwd'>): ProgramIdentity {
  const t = commandTarget(program.argv);
  switch (t.kind) {
    case 'script':
      return script(t.value, program.cwd);
    case 'module':
      return { kind: 'module', target: t.value, key: `module:${t.value}`, name: `-m ${t.value}` };
    case 'command':
      return { kind: 'command', target: t.value, key: `command:${t.value}`, name: '-c' };
    case 'stdin':
      return { kind: 'stdin', target: '', key: 'stdin:', name: 'standard input' };
    case 'unknown':
      return { kind: 'unknown', target: '', key: 'unknown:', name: 'an unknown program' };
  }
}

function script(arg: string, cwd: string): ProgramIdentity {
  // A snapshot may come from another OS than the one reading it: choose the path flavour by
  // what the snapshot's own paths look like, not by the reader's platform.
  const windows = /^[A-Za-z]:[\\/]/.test(cwd) || cwd.startsWith('\\\\');
  const p = windows ? nodePath.win32 : nodePath.posix;
  const full = p.resolve(cwd, arg);
  return { kind: 'script', target: full, key: `script:${windows ? full.toLowerCase() : full}`, name: p.basename(full) };
}
