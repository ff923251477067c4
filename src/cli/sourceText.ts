/**
 * The source lines the CLI's reports print beside each row. A snapshot names its files itself, and
 * a crafted one can name any file (`/proc/self/environ`, a private key) with any line number, so
 * source text is printed only from files that are plausibly the program's own code: under one of
 * the snapshot's roots (`settings.roots`, the folders that counted as user code) once symbolic
 * links are resolved, a regular file of bounded size, Python source by name (`.py`, `.pyw`) or by
 * its `#!` line, and UTF-8 text without NUL bytes. Anything else shows no source text. A run that
 * `memlens profile` has just made names the files of the program's own frames: there the library
 * lines outside the roots keep their source too.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/** Larger files are not read: no source file of a program is this big, and reading must stay cheap. */
export const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

/**
 * A reader of 1-based source lines for files under `roots` (anywhere when undefined: the files of
 * a run `memlens profile` has just made, named by the program's own frames); each file is read
 * once, and a file that fails a check gives undefined for every line.
 */
export function sourceReader(roots: readonly string[] | undefined): (file: string, line: number) => string | undefined {
  const realRoots = roots?.map(real).filter((r): r is string => r !== undefined);
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    let lines = cache.get(file);
    if (lines === undefined) {
      const text = readSourceFile(file, realRoots);
      lines = text === undefined ? null : text.split(/\r\n|\r|\n/);
      cache.set(file, lines);
    }
    return lines?.[line - 1];
  };
}

/** The text of `file` when it passes every check of this module (`realRoots` undefined: any folder), else undefined. */
export function readSourceFile(file: string, realRoots: readonly string[] | undefined): string | undefined {
  if (!path.isAbsolute(file)) return undefined;
  const target = real(file);
  if (target === undefined || (realRoots !== undefined && !realRoots.some((root) => inside(target, root)))) return undefined;
  let fd: number;
  try {
    // Non-blocking, so a FIFO put in a file's place cannot hang the report; checked on the open file.
    fd = openSync(target, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_SOURCE_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const bytes = buf.subarray(0, got);
    if (bytes.includes(0)) return undefined;
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return looksLikePython(target, text) ? text : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A `.py`/`.pyw` name, or a first line such as `#!/usr/bin/env python3` (a script without extension). */
function looksLikePython(file: string, text: string): boolean {
  if (/\.pyw?$/i.test(file)) return true;
  return /^#![^\n]*python/.test(text);
}

function inside(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel);
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
