// Every notification of the extension goes through src/notify/notify.ts, which keeps text from
// files and programs from becoming command links. This reads the sources: a
// new `window.showErrorMessage(…)` (or progress notification) anywhere else fails here, since it
// would show untrusted text unfiltered.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

const SRC = path.join(REPO_ROOT, 'src');
const ALLOWED = path.join('notify', 'notify.ts');
/** The window API that renders links in its text; by name, so aliases and destructuring count too. */
const DIRECT = /\b(show(?:Information|Warning|Error)Message|withProgress)\b/;

suite('notifications go through one module', () => {
  test('no file of src/ but notify/notify.ts calls window.show…Message or window.withProgress', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 20 && files.includes(ALLOWED), `the sources were found (${files.length} files)`);
    const offending: string[] = [];
    for (const f of files) {
      if (f === ALLOWED) continue;
      readFileSync(path.join(SRC, f), 'utf8').split('\n').forEach((line, i) => {
        // `notify.withProgress(…)` is the module's own function.
        if (DIRECT.test(line.replace(/\bnotify\.withProgress\b/g, ''))) offending.push(`src/${f}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offending, [], 'show these through src/notify/notify.ts');
  });
});
