// Runs the mocha suite of test/exthost INSIDE the extension host of a real VS Code (code-server),
// with the real `vscode` API and the extension loaded from this repository (out/extension.js).
// Usage: node test/e2e/run-exthost.mjs [--grep PATTERN]. Exit code = test status.
import fs from 'node:fs';
import path from 'node:path';
import { format, stripVTControlCharacters } from 'node:util';
import { main, log, ROOT } from './harness.mjs';

const grep = process.argv.includes('--grep') ? process.argv[process.argv.indexOf('--grep') + 1] : '';
const index = path.join(ROOT, 'out', 'test', 'exthost', 'index.js');

await main(420_000, async (newSession) => {
  if (!fs.existsSync(index)) throw new Error(`missing ${index}: run npm run build first`);
  const session = newSession();
  // The extension host inherits code-server's environment: the runner reads its filter there.
  session.env.E2E_GREP = grep;
  const base = await session.startServer({ smokeTestDriver: true });
  const page = await session.openPage();

  let lines = '';
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  // Both hooks must exist before the workbench loads: it looks for them on `window`.
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // Args arrive printf-style (['%d passing (%s)', 2, '6s']); strip colours in case mocha adds them.
    const text = stripVTControlCharacters(format(...args));
    lines += `${text}\n`;
    console.log(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));

  // The remote authority must be exactly the host:port the browser uses.
  const remote = `vscode-remote://${new URL(base).host}`;
  const payload = [
    ['extensionDevelopmentPath', `${remote}${ROOT}`],
    ['extensionTestsPath', `${remote}${index}`],
  ];
  const url = `${base}/?folder=${encodeURIComponent(session.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  log(`open ${url}`);
  await page.goto(url);

  const code = await exited;
  const passing = Number(/(\d+) passing/.exec(lines)?.[1] ?? 0);
  const failing = Number(/(\d+) failing/.exec(lines)?.[1] ?? 0);
  // A plain closing line that CI recognises, and the extension host's own exit status.
  console.log(`exthost: ${passing} passed, ${failing} failed`);
  log(`extension host exited with ${code}`);
  if (code !== 0 || failing > 0) log(`code-server log: ${session.serverLog} (E2E_KEEP_TMP=1 keeps it)`);
  return code === 0 && failing === 0 && passing > 0 ? 0 : 1;
});
