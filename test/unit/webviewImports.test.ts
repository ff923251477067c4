// The panel (webview/) speaks only the protocol: of src/ it imports the modules of src/protocol/
// and the formatter src/model/format.ts (units in one place), nothing else, so nothing of the
// host, the model or VS Code's extension API is bundled into the webview. Reads every `.ts` file
// under webview/ and fails on any other import of src/.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

const WEBVIEW = path.join(REPO_ROOT, 'webview');
const SRC = path.join(REPO_ROOT, 'src');

/** What the panel may import from src/, relative to it: a folder (ending in `/`) or a module. */
const ALLOWED = ['protocol/', 'model/format'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

suite('webview imports', () => {
  test('of src/, only src/protocol/ and src/model/format', () => {
    const wrong: string[] = [];
    let fromSrc = 0;
    for (const file of sourceFiles(WEBVIEW)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), m[1] ?? m[2])).split(path.sep).join('/');
        if (target.startsWith('..')) continue;
        fromSrc++;
        if (!ALLOWED.some((a) => (a.endsWith('/') ? target.startsWith(a) : target === a))) {
          wrong.push(`${path.relative(REPO_ROOT, file)} imports src/${target}`);
        }
      }
    }
    assert.ok(fromSrc > 0, 'the reader found no import of src/ at all');
    assert.deepEqual(wrong, []);
  });
});
