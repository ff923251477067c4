/**
 * The `memlens` command: profiles a Python program from a terminal and prints its hottest lines,
 * prints the report of an existing snapshot, compares snapshots and looks for leaks. It wires `src/run` (interpreter, helper
 * environment, process) to `src/model` and `report.ts`; it holds no logic of its own beyond
 * choosing defaults and exit codes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSnapshotFile, SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import { originText } from '../model/origin';
import { writeFileAtomic } from '../run/profileProcess';
import { readProcessName, readSmaps, SmapsReadError } from '../run/smaps';
import { classifySmaps, parseSmaps } from '../model/smaps';
import { compareCompatibility } from '../model/compat';
import { diffSnapshots } from '../model/diff';
import { diffToCsv, diffToJson } from '../model/export';
import { findLeaks } from '../model/leaks';
import type { SnapshotDocument } from '../protocol/snapshot';
import { renderComparison, renderLeaks } from './compareReport';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args';
import { EXIT_FAILED, EXIT_MEMLENS_FAILED, EXIT_OUTPUT_CLOSED, EXIT_USAGE } from './exitCodes';
import { errorText } from './jsonTarget';
import { print, printError, stdoutFailure } from './output';
import { profile } from './profile';
import { programLabel, renderReport } from './report';
import { renderSmapsReport } from './smapsReport';
import { sourceReader } from './sourceText';

/** The package root: `out/cli.js` sits one folder below it. */
const PACKAGE_ROOT = path.join(__dirname, '..');

async function main(argv: string[]): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseArgs(argv);
  } catch (err) {
    // `profile` exits with the program's status, so its own failures keep off the program's codes.
    if (err instanceof UsageError) return fail(err.message, argv[0] === 'profile' ? EXIT_MEMLENS_FAILED : EXIT_USAGE);
    throw err;
  }
  switch (cmd.kind) {
    case 'help':
      print(USAGE);
      return 0;
    case 'version': {
      const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
      print(`memlens ${pkg.version}\n`);
      return 0;
    }
    case 'show':
      return show(cmd.file, cmd.top);
    case 'profile':
      return profile(cmd, PACKAGE_ROOT);
    case 'smaps':
      return smaps(cmd);
    case 'compare':
      return compare(cmd);
    case 'leaks':
      return leaks(cmd);
  }
}

async function compare(cmd: Extract<CliCommand, { kind: 'compare' }>): Promise<number> {
  let before: SnapshotDocument;
  let after: SnapshotDocument;
  try {
    [before, after] = await Promise.all([loadSnapshotFile(path.resolve(cmd.before)), loadSnapshotFile(path.resolve(cmd.after))]);
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  const diff = diffSnapshots(before, after);
  print(renderComparison(diff, compareCompatibility(before, after), { top: cmd.top, cwd: process.cwd() }));
  if (cmd.out !== undefined) {
    const out = path.resolve(cmd.out);
    try {
      await writeFileAtomic(out, out.toLowerCase().endsWith('.csv') ? diffToCsv(diff, 'lines') : diffToJson(diff));
    } catch (err) {
      return fail(`The comparison was not written to ${cmd.out}: ${errorText(err)}.`, EXIT_FAILED);
    }
    print(`\nComparison written to ${out}\n`);
  }
  return 0;
}

async function leaks(cmd: Extract<CliCommand, { kind: 'leaks' }>): Promise<number> {
  let docs: SnapshotDocument[];
  try {
    docs = await Promise.all(cmd.files.map((f) => loadSnapshotFile(path.resolve(f))));
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  const report = findLeaks(docs);
  if (!report.ok) return fail(report.error, EXIT_FAILED);
  print(renderLeaks(report, { top: cmd.top, cwd: process.cwd() }));
  return 0;
}

async function smaps(cmd: Extract<CliCommand, { kind: 'smaps' }>): Promise<number> {
  let text: string;
  let title: string;
  if ('pid' in cmd.target) {
    const { pid } = cmd.target;
    try {
      text = await readSmaps(pid);
    } catch (err) {
      if (err instanceof SmapsReadError) return fail(err.message, EXIT_FAILED);
      throw err;
    }
    const name = await readProcessName(pid);
    title = `process ${pid}${name === undefined ? '' : ` (${name})`}`;
  } else {
    const file = path.resolve(cmd.target.file);
    try {
      const doc = await loadSnapshotFile(file);
      const maps = doc.process?.smaps;
      if (maps === undefined) {
        const why = doc.program === null ? `it was ${originText(doc)}, which holds the traces alone` : 'it was made by a MemLens that did not read them';
        return fail(doc.process?.smapsError ?? `${file} holds no memory maps: ${why}.`, EXIT_FAILED);
      }
      text = maps;
      const p = doc.program;
      const what = p === null ? (doc.label ?? file) : `${programLabel(p.argv, p.cwd, process.cwd())} (process ${p.pid})`;
      title = `${what} at ${doc.kind === 'exit' ? 'exit' : 'the snapshot'}`;
    } catch (err) {
      if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
      throw err;
    }
  }
  print(renderSmapsReport(classifySmaps(parseSmaps(text)), { title, top: cmd.top }));
  return 0;
}

async function show(file: string, top: number): Promise<number> {
  let doc: SnapshotDocument;
  try {
    doc = await loadSnapshotFile(path.resolve(file));
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_FAILED);
    throw err;
  }
  // Source text only from the snapshot's own roots: it names its files itself.
  print(renderReport(buildModel(doc), { top, cwd: process.cwd(), sourceLine: sourceReader(doc.settings.roots) }));
  return 0;
}

function fail(message: string, code: number): number {
  printError(`memlens: ${message}\n`);
  return code;
}

/** The last word on a failure nothing else caught: a sentence, never a stack trace. */
function unexpected(err: unknown): void {
  const what = err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
  printError(
    `memlens: MemLens failed unexpectedly (${what}). ` +
      'Please report this at the project\'s issue tracker with the command line you ran.\n',
  );
  process.exitCode = process.argv[2] === 'profile' ? EXIT_MEMLENS_FAILED : EXIT_FAILED;
}

process.on('uncaughtException', unexpected);
process.on('unhandledRejection', unexpected);

main(process.argv.slice(2)).then(async (code) => {
  // A reader that went away (`memlens show … | head`) ends the command as a closed pipe ends
  // other tools; `profile` decides this itself, since a closed terminal leaves it the program's status.
  const profiling = process.argv[2] === 'profile';
  process.exitCode = !profiling && (await stdoutFailure()) === 'EPIPE' ? EXIT_OUTPUT_CLOSED : code;
}, unexpected);
