/**
 * The `memlens` command's exit statuses. `profile` exits with the program's own status, so its
 * own failures use the codes that `env`, `timeout` and `nice` use for theirs (125, 126, 127),
 * which a program rarely chooses; the other commands run nothing and use 0, 1 and 2.
 */

/** `show`, `compare`, `leaks`, `smaps`: a snapshot, process or output file could not be used. */
export const EXIT_FAILED = 1;
/** `show`, `compare`, `leaks`, `smaps`, or no command: the command line is wrong. */
export const EXIT_USAGE = 2;
/**
 * `profile`: MemLens failed before the program ran (a wrong command line, a --json target that
 * cannot be written or that another run is writing, the helper missing), or failed without
 * knowing how the program ended.
 */
export const EXIT_MEMLENS_FAILED = 125;
/** `profile`: the interpreter was found but cannot be run (not executable, not Python 3.8+). */
export const EXIT_CANNOT_RUN = 126;
/** `profile`: no interpreter was found. */
export const EXIT_NOT_FOUND = 127;
/**
 * The report's reader went away (`memlens profile … | head`): 128 + SIGPIPE, the status a shell
 * reports for a tool that a closed pipe ended.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/** The table printed at the end of `memlens --help`, and copied into src/cli/README.md. */
export const EXIT_STATUS_HELP = `Exit status of profile: the program's own (128 + N when signal N ended it), also when
MemLens could not make its snapshot (which stderr then explains);
  125  MemLens failed before the program ran (a wrong command line, a --json FILE that cannot
       be written or that another run is writing, the helper missing)
  126  the interpreter was found but cannot be run (not executable, not Python 3.8 or newer)
  127  no interpreter was found
  141  the report could not be printed: its reader went away (memlens profile … | head)
Exit status of show, compare, leaks and smaps: 0 done, 1 a file or process could not be read
or used, 2 a wrong command line.
`;
