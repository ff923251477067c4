/**
 * The `memlens` command: profiles a Python program from a terminal and prints its hottest lines,
 * prints the report of an existing snapshot, compares snapshots and looks for leaks. It parses the
 * arguments, hands each verb to its module in `commands/`, and sets the exit status: a usage
 * error's, an unexpected failure's, and 141 when the report's reader went away.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args';
import { compare } from './commands/compare';
import { leaks } from './commands/leaks';
import { profile } from './commands/profile';
import { show } from './commands/show';
import { smaps } from './commands/smaps';
import { EXIT_FAILED, EXIT_MEMLENS_FAILED, EXIT_OUTPUT_CLOSED, EXIT_USAGE } from './exitCodes';
import { fail, print, printError, stdoutFailure } from './output';

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
      return show(cmd);
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
