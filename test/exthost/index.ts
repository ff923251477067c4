// The extension host calls `run()` of the file named by `extensionTestsPath` (this one, bundled
// to out/test/exthost/index.js); it runs every `*.test.js` beside it with mocha, and a rejected
// promise makes VS Code exit non-zero. `E2E_GREP` (set by test/e2e/run-exthost.mjs --grep) filters.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // The spec reporter writes with console.log, which the extension host forwards to the page.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.E2E_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
