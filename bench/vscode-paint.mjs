// MemLens benchmark in a real VS Code: how long loading and painting a snapshot of about a
// million live blocks on 10 000+ annotated lines takes. Generates the program and its snapshot
// (bench/make-million.py), builds the extension and the extension-host entry (bench/exthost-paint.ts,
// to out/bench/index.js), starts code-server + Chromium through test/e2e/harness.mjs and runs the
// entry inside the extension host, answering its requests to watch the editor's DOM. Prints each
// figure's min and median over the repetitions; asserts no time. Exit 0 when every step ran.
// Usage: node bench/vscode-paint.mjs [--repeat 3]   (npm run bench:vscode)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, stripVTControlCharacters } from 'node:util';
import { build } from 'esbuild';
import { main, log, ROOT } from '../test/e2e/harness.mjs';

const argv = process.argv.slice(2);
const REPEAT = argv.includes('--repeat') ? Number(argv[argv.indexOf('--repeat') + 1]) : 3;
const entry = path.join(ROOT, 'out', 'bench', 'index.js');
const PROFILE = argv.includes('--profile') ? path.join(ROOT, 'out', 'bench', 'exthost.cpuprofile') : '';

// The extension exactly as scripts/build.mjs bundles it, so the figures are for the source as it
// is now, and the bench entry (which imports the extension's model modules for the breakdown).
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, logLevel: 'warning' };
process.chdir(ROOT);
await build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', external: ['vscode'] });
await build({ ...common, entryPoints: ['bench/exthost-paint.ts'], outfile: entry, external: ['vscode', 'mocha'] });
log('built out/extension.js and out/bench/index.js');

const LABELS = {
  'open.editor': 'open million.py until its first rows show (VS Code, for scale)',
  'a.openSnapshot': '(a) memlens.openSnapshot resolves (read+parse+validate+model+draw)',
  'a1.read+decode': '    of which: read + decode (workspace.fs)',
  'a2.JSON.parse': '    of which: JSON.parse alone',
  'a3.parse+validate': '    of which: JSON.parse + validate (parseSnapshot)',
  'a4.buildModel': '    of which: buildModel',
  'b.drawn.api': '(b) annotations drawn, per the test API',
  'b.painted.dom': '(b) first visible annotation painted (DOM)',
  'c.codeLens': '(c) vscode.executeCodeLensProvider',
  'd.hover': '(d) vscode.executeHoverProvider, hottest line',
  'e.scroll.visibleRanges': '(e) reveal line 5000: visibleRanges event',
  'e.scroll.painted.dom': '(e) reveal line 5000: its annotation painted (DOM)',
  'f.redraw.command': '(f) full redraw (toggleView peak->exit) command',
  'f.redraw.painted.dom': '(f) full redraw painted (DOM)',
  'g.edit.redrawn.api': '(g) 2-char edit on an annotated line: redrawn (API)',
  'g.edit.painted.dom': '(g) 2-char edit: "(edited since the run)" painted (DOM)',
  'idle.jank': 'renderer, idle 1.5 s: longest frame gap',
  'b.jank': 'renderer, 1.5 s from (b): longest frame gap',
  'f.jank': 'renderer, 1.5 s from (f): longest frame gap',
  'g.jank': 'renderer, 1.5 s from (g): longest frame gap',
};

await main(170_000, async (newSession) => {
  // No auto-save: the edit of (g) must not write the 10 000-line file while frames are measured.
  const session = newSession({ settings: { 'files.autoSave': 'off' } });
  const wsDir = path.join(session.tmp, 'million');
  const sync = path.join(session.tmp, 'bench-sync');
  fs.mkdirSync(sync);
  execFileSync(session.python, [path.join(ROOT, 'bench', 'make-million.py'), '--out', wsDir], { stdio: 'inherit' });
  const snap = JSON.parse(fs.readFileSync(path.join(wsDir, 'million.json'), 'utf8'));
  const input = {
    blocks: snap.totals.blocks,
    lines: snap.files.reduce((n, f) => n + f.lines.length, 0),
    mb: fs.statSync(path.join(wsDir, 'million.json')).size / 1e6,
    processingSeconds: snap.processingSeconds,
  };

  // The extension host inherits code-server's environment.
  session.env.MEMLENS_BENCH_DIR = sync;
  session.env.MEMLENS_BENCH_REPEAT = String(REPEAT);
  if (PROFILE) session.env.MEMLENS_BENCH_PROFILE = PROFILE;
  const base = await session.startServer({ smokeTestDriver: true });
  const page = await session.openPage();

  const results = [];
  const info = {};
  let done = false;
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });

  /** Watches the active editor's DOM as the extension host asked; writes armed-/seen- files. */
  async function watch({ id, needle, after, present, timeoutMs, jank }) {
    if (jank) {
      // Frames and long tasks of the page's main thread for `jank` ms from now.
      await page.evaluate(({ id, ms }) => {
        window.__memlensBench ??= {};
        window.__memlensBench[id] = new Promise((resolve) => {
          const long = [];
          const observer = new PerformanceObserver((list) => long.push(...list.getEntries()));
          observer.observe({ type: 'longtask' });
          const start = performance.now();
          let last = start;
          let maxGap = 0;
          const frame = () => {
            const now = performance.now();
            maxGap = Math.max(maxGap, now - last);
            last = now;
            if (now - start < ms) return void requestAnimationFrame(frame);
            observer.disconnect();
            const mine = long.filter((e) => e.startTime >= start).map((e) => e.duration);
            resolve({ maxGap, longTotal: mine.reduce((a, b) => a + b, 0), longMax: Math.max(0, ...mine) });
          };
          requestAnimationFrame(frame);
        });
      }, { id, ms: jank });
      fs.writeFileSync(path.join(sync, `armed-${id}`), '');
      const t = await page.evaluate((id) => window.__memlensBench[id], id);
      fs.writeFileSync(path.join(sync, `seen-${id}.json`), JSON.stringify({ t }));
      return;
    }
    await page.evaluate(({ id, needle, after, present, timeoutMs }) => {
      const re = after === null ? null : new RegExp(after);
      const holds = () => {
        const editor = document.querySelector('.editor-group-container.active .monaco-editor');
        // `after` null: the row is on screen (present) or not; else the row is on screen and has
        // (present) or has no matching annotation.
        for (const row of editor?.querySelectorAll('.view-lines .view-line') ?? []) {
          if (!row.textContent.replace(/\u00a0/g, ' ').includes(needle)) continue;
          if (re === null) return present;
          let annotated = false;
          for (const span of row.querySelectorAll('span')) {
            const c = getComputedStyle(span, '::after').content;
            if (c && c !== 'none' && c !== 'normal' && re.test(JSON.parse(c))) annotated = true;
          }
          return annotated === present;
        }
        return re === null && !present;
      };
      window.__memlensBench ??= {};
      window.__memlensBench[id] = new Promise((resolve) => {
        let settled = false;
        const finish = (t) => {
          if (settled) return;
          settled = true;
          observer.disconnect();
          clearInterval(poll);
          clearTimeout(timer);
          resolve(t);
        };
        // A DOM change that makes it hold is noted at once; the time is the next animation frame's,
        // the frame that shows it. The interval catches style-only changes the observer misses.
        const check = () => { if (!settled && holds()) requestAnimationFrame(() => finish(Date.now())); };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class', 'style'] });
        const poll = setInterval(check, 10);
        const timer = setTimeout(() => finish(null), timeoutMs);
      });
    }, { id, needle, after, present, timeoutMs });
    fs.writeFileSync(path.join(sync, `armed-${id}`), '');
    const t = await page.evaluate((id) => window.__memlensBench[id], id);
    fs.writeFileSync(path.join(sync, `seen-${id}.json`), JSON.stringify({ t }));
  }

  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = stripVTControlCharacters(format(...args));
    const m = /^@@(\w+) (.*)$/s.exec(text);
    if (!m) return void console.log(text);
    const data = JSON.parse(m[2]);
    if (m[1] === 'ARM') watch(data).catch((e) => log(`watch ${data.id} failed: ${e.message}`));
    else if (m[1] === 'BENCH') {
      results.push(data);
      const { rep, name, ms, ...extra } = data;
      const more = Object.entries(extra).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : v}`).join(' ');
      log(`rep ${rep} ${name}: ${ms === null ? 'n/a' : `${ms.toFixed(1)} ms`}${more ? ` (${more})` : ''}`);
    } else if (m[1] === 'INFO') Object.assign(info, data);
    else if (m[1] === 'DONE') done = true;
    else if (m[1] === 'PROFILE') info.profile = data.file;
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));

  const remote = `vscode-remote://${new URL(base).host}`;
  const payload = [['extensionDevelopmentPath', `${remote}${ROOT}`], ['extensionTestsPath', `${remote}${entry}`]];
  await page.goto(`${base}/?folder=${encodeURIComponent(wsDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await exited;
  log(`extension host exited with ${code}`);

  summary(input, info, results, codeServerVersion(session));
  if (info.profile) profileSummary(info.profile);
  if (code !== 0 || !done) log(`code-server log: ${session.serverLog} (E2E_KEEP_TMP=1 keeps it)`);
  return code === 0 && done ? 0 : 1;
});

function codeServerVersion(session) {
  try {
    const pkg = path.join(path.dirname(session.serverArgs()[0]), '..', '..', 'package.json');
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    return '?';
  }
}


function summary(input, info, results, codeServer) {
  const cpus = os.cpus();
  const byName = new Map();
  for (const r of results) {
    if (!byName.has(r.name)) byName.set(r.name, { ms: [], extra: r });
    byName.get(r.name).ms.push(r.ms);
  }
  const fmt = (v) => (v === null || v === undefined ? 'n/a' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
  console.log('\n=== MemLens paint benchmark (real VS Code) ===');
  console.log(`machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`);
  console.log(`driver node ${process.version}; VS Code ${info.vscode ?? '?'} (code-server ${codeServer}), extension host node v${info.exthostNode ?? '?'}; Chromium headless`);
  console.log(`snapshot: ${input.blocks.toLocaleString('en')} live blocks, ${input.lines.toLocaleString('en')} annotated lines, ` +
    `${input.mb.toFixed(1)} MB, helper processingSeconds ${input.processingSeconds.toFixed(2)} s`);
  console.log(`editor: million.py, ${byName.get('open.editor')?.extra.lines ?? '?'} lines; annotations drawn ` +
    `${byName.get('b.drawn.api')?.extra.annotations ?? '?'}; lenses ${byName.get('c.codeLens')?.extra.lenses ?? '?'}; ` +
    `hover on line ${info.hottestLine ?? '?'}`);
  console.log(`${'step'.padEnd(68)} ${'min'.padStart(9)} ${'median'.padStart(9)}  runs`);
  for (const [name, label] of Object.entries(LABELS)) {
    const row = byName.get(name);
    if (!row) continue;
    const ok = row.ms.filter((v) => typeof v === 'number').sort((a, b) => a - b);
    const min = ok.length ? ok[0] : null;
    const median = ok.length ? ok[Math.floor((ok.length - 1) / 2)] : null;
    console.log(`${label.padEnd(68)} ${fmt(min).padStart(9)} ${fmt(median).padStart(9)}  ${ok.length}/${row.ms.length}`);
  }
  console.log('(DOM = Date.now() at the first animation frame whose DOM shows it, minus Date.now() in the extension host just before the action)');
}

/** --profile: the extension host's heaviest functions over one openSnapshot and one edit. */
function profileSummary(file) {
  const { nodes, samples, timeDeltas } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(nodes.map((n) => [n.id, { ...n, self: 0 }]));
  samples.forEach((id, i) => { byId.get(id).self += (timeDeltas[i] ?? 0) / 1000; });
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const total = (n) => n.self + (n.children ?? []).reduce((a, c) => a + total(byId.get(c)), 0);
  const self = new Map();
  const incl = new Map();
  const walk = (n, onStack) => {
    const k = name(n);
    self.set(k, (self.get(k) ?? 0) + n.self);
    if (!onStack.has(k)) incl.set(k, (incl.get(k) ?? 0) + total(n));
    const next = new Set(onStack).add(k);
    for (const c of n.children ?? []) walk(byId.get(c), next);
  };
  walk(nodes[0], new Set());
  const ours = (k) => /\bextension\.js:/.test(k);
  const noise = (k) => /^\((root|idle|program)\)|^post |^run index|^\(anonymous\) index/.test(k);
  const top = (m, f) => [...m].filter(([k]) => f(k)).sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(`\nextension-host CPU profile over one openSnapshot and a 2-character edit + its undo (${file})`);
  console.log('out/extension.js functions, inclusive ms:');
  for (const [k, v] of top(incl, ours)) console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
  console.log("all code (the extension host's own included), self ms:");
  for (const [k, v] of top(self, (k) => !noise(k))) console.log(`  ${v.toFixed(1).padStart(8)}  ${k}`);
}
