// The CLI reading hostile snapshots: terminal escapes in labels, paths, exception text, type names
// and mapping names reach the terminal as visible marks in show, compare, leaks and smaps; and
// show prints source text only from Python files under the snapshot's own roots.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixtureText, REPO_ROOT } from './helpers';

const CLI = path.join(REPO_ROOT, 'out', 'cli.js');
/** Every character a terminal or a bidi-aware renderer would act on, but newline. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const TITLE = '\x1b]0;owned\x07';
const LINK = '\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\';
const CLIPBOARD = '\x1b]52;c;cm0gLXJmIH4K\x07';
const CLEAR = '\x1b[2J\x1b[H';
const C1 = '\x9b31m';
const RLO = 'evil\u202Eyp.py';

function memlens(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

suite('cli with untrusted snapshots', function () {
  this.timeout(30_000);
  let tmp: string;
  setup(() => (tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'memlens-untrusted-')))));
  teardown(() => rmSync(tmp, { recursive: true, force: true }));

  /** Leak round `n` with escapes in its label, paths, exception, type names and a mapping's name. */
  function hostile(n: number): string {
    const doc = JSON.parse(fixtureText(`leak/round${n}.json`));
    doc.label = `round ${n} ${TITLE}${C1}`;
    for (const f of doc.files) f.path = f.path.replace(/leaky\.py$/, `leaky${CLEAR}${RLO}`);
    doc.census.types[0].type = `bytes${CLIPBOARD}`;
    doc.kind = 'exit';
    doc.program.end = { kind: 'exception', type: `Error${LINK}`, message: `boom ${CLEAR}`, file: doc.files[0].path, line: 1 };
    if (doc.process.smaps !== undefined) doc.process.smaps = doc.process.smaps.replace(/(\/\S*python3\.11)\n/, `$1${TITLE}${RLO}\n`);
    const file = path.join(tmp, `r${n}.json`);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  test('show, compare, leaks and smaps print escapes as visible marks', () => {
    const [a, b, c] = [hostile(1), hostile(2), hostile(3)];
    for (const args of [['show', a], ['compare', a, c], ['leaks', a, b, c], ['smaps', a, '--top', '50']]) {
      const r = memlens(args, tmp);
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      const bad = ACTIVE.exec(r.stdout);
      if (bad !== null) assert.fail(`${args[0]} printed U+${bad[0].charCodeAt(0).toString(16)}: ${JSON.stringify(r.stdout.slice(Math.max(0, bad.index - 40), bad.index + 40))}`);
      assert.match(r.stdout, /␛/, args[0]);
    }
    const shown = memlens(['show', a], tmp).stdout;
    assert.match(shown, /Error␛\]8;;https:\/\/evil\.example\/␛\\docs/);
    assert.match(shown, /boom ␛\[2J␛\[H/);
    assert.match(memlens(['compare', a, c], tmp).stdout, /"round 1 ␛\]0;owned␇\\u009b31m"/);
    assert.match(memlens(['smaps', a, '--top', '50'], tmp).stdout, /python3\.11␛\]0;owned␇evil\\u202eyp\.py/);
  });

  test('show prints source only from Python files under the snapshot roots', function () {
    if (process.platform === 'win32') this.skip();
    const root = path.join(tmp, 'project');
    const outside = path.join(tmp, 'elsewhere');
    mkdirSync(root);
    mkdirSync(outside);
    const secret = 'SECRET=do-not-print';
    const files: Record<string, string> = {
      own: path.join(root, 'app.py'),
      outsideRoot: path.join(outside, 'other.py'),
      linkOut: path.join(root, 'link.py'),
      notPython: path.join(root, 'id_rsa'),
      nul: path.join(root, 'nul.py'),
      notUtf8: path.join(root, 'latin.py'),
      fifo: path.join(root, 'fifo.py'),
      proc: '/proc/self/environ',
      script: path.join(root, 'tool'),
    };
    writeFileSync(files.own, `x = "own source line"\n`);
    writeFileSync(files.outsideRoot, `${secret}\n`);
    symlinkSync(files.outsideRoot, files.linkOut);
    writeFileSync(files.notPython, `${secret}\n`);
    writeFileSync(files.nul, `${secret}\0\n`);
    writeFileSync(files.notUtf8, Buffer.from(`${secret} \xe9\n`, 'latin1'));
    spawnSync('mkfifo', [files.fifo]);
    writeFileSync(files.script, '#!/usr/bin/env python3\nx = "script source line"\n');
    const doc = JSON.parse(fixtureText('mini.json'));
    doc.settings.roots = [root, '/proc'];
    const template = doc.files[0];
    doc.files = Object.values(files).map((p, i) => ({ ...template, path: p, lines: [{ line: p === files.script ? 2 : 1, bytes: 1000 + i, blocks: 1, paths: [] }], peakLines: [] }));
    const snap = path.join(tmp, 'snap.json');
    writeFileSync(snap, JSON.stringify(doc));
    const r = memlens(['show', snap, '--top', '20'], tmp);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /app\.py:1 +x = "own source line"/);
    assert.match(r.stdout, /tool:2 +x = "script source line"/);
    assert.doesNotMatch(r.stdout, /SECRET|PATH=|HOME=/);
  });
});
