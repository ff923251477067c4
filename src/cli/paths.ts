/** How the CLI's reports name a file: relative to the folder it runs in, when the file is inside it. */
import * as path from 'node:path';

/** `file` relative to `cwd` when it lies inside it, else as given. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
