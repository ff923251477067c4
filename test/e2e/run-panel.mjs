// The memory panel in a real VS Code, as a person uses it: installs out/memlens.vsix, profiles
// sample.py and opens the panel from the result notification's button (writable memory of the
// real run > 0; fast mode, the default, named in the header and its traced figures marked ≈), then opens the hand-made rich snapshot (test/fixtures/panel/rich.json, paths
// moved to the workspace) with `MemLens: Open Snapshot File…` and checks each tab: Summary, Lines
// (a row click opens the line in the editor), Types (top type, sorting, filtering), Process (the
// smaps table, pymalloc), Timeline (a marker's tooltip), GC (the uncollectable warning), Imports
// (the heaviest). `Developer: Reload Window` brings the panel back with the same snapshot and the
// editor's annotations; a snapshot gone before the reload gets a sentence. `MemLens: Inspect
// Process Memory…` on a spawned python3 holding 64 MiB fills the Process tab (Refresh reads it
// again; the other tabs say they need a profiled run). The Compare and Leaks tabs show the leak
// fixtures (test/fixtures/leak/round*.json) through `MemLens: Compare Snapshots…` and `MemLens:
// Find Leaks`, bound to keys with the files as arguments: the top row is the leaking line. A hostile snapshot whose names hold
// markup and quotes must show them as text in every tab, Compare and Leaks included, with no
// dialog and no injected element. Last, a synthetic snapshot with 100 000 lines and 100 000 types
// measures render, sort, filter and scroll-frame times: printed, with bounds that only broken
// virtualization would cross (rows in the DOM, nodes left behind, median frame work).
// Screenshots: test-results/panel-*.png. Usage: node test/e2e/run-panel.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bigSnapshot } from './bigSnapshot.mjs';
import { Checks, log, main, openFromExplorer, panel, RESULTS, ROOT, runCommand, sleep } from './harness.mjs';

const VSIX = path.join(ROOT, 'out', 'memlens.vsix');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'panel');
const LEAK_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'leak');
/** Keys bound to Compare Snapshots and Find Leaks with the fixture files as arguments (keybindings.json). */
const KEYS = { compareLeak: 'ctrl+alt+shift+f1', leaks: 'ctrl+alt+shift+f2', compareHostile: 'ctrl+alt+shift+f3', leaksHostile: 'ctrl+alt+shift+f4' };
/** Playwright's names for them. */
const PRESS = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, v.split('+').map((p) => (p === 'ctrl' ? 'Control' : p === 'alt' ? 'Alt' : p === 'shift' ? 'Shift' : p.toUpperCase())).join('+')]));

/** The panel's content frame as a Frame, for evaluating code in it. */
async function panelFrame(page) {
  const outer = await (await page.locator('iframe.webview.ready').elementHandle({ timeout: 30_000 })).contentFrame();
  return (await outer.waitForSelector('iframe#active-frame', { timeout: 30_000 })).contentFrame();
}

/** Writes a fixture with its /ws/ paths moved to the session's workspace. */
function placeFixture(name, workspace, dir) {
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8').replaceAll('"/ws/', `"${workspace}/`).replaceAll('"/ws"', `"${workspace}"`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The leak fixtures, their /tmp/memlens-leak-ws paths moved to `dir` (where leaky.py is copied). */
function placeLeakFixtures(dir, snapshots) {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(LEAK_FIXTURES, 'leaky.py'), path.join(dir, 'leaky.py'));
  return [1, 2, 3, 4].map((n) => {
    const text = fs.readFileSync(path.join(LEAK_FIXTURES, `round${n}.json`), 'utf8')
      .replaceAll('"/tmp/memlens-leak-ws/', `"${dir}/`).replaceAll('"/tmp/memlens-leak-ws"', `"${dir}"`);
    const file = path.join(snapshots, `round${n}.json`);
    fs.writeFileSync(file, text);
    return file;
  });
}

/**
 * Three snapshots of one run made from the hostile fixture, the k-th holding k times its line and
 * type bytes one second after the one before: every line and type grows, so the hostile names
 * fill the Compare and Leaks tabs.
 */
function hostileSeries(hostile, snapshots) {
  return [1, 2, 3].map((k) => {
    const doc = JSON.parse(fs.readFileSync(hostile, 'utf8'));
    doc.program.endTime = doc.program.startTime + k;
    for (const f of doc.files) {
      for (const l of f.lines) {
        l.bytes *= k;
        for (const p of l.paths) p.bytes *= k;
      }
    }
    for (const t of doc.census.types) {
      t.bytes *= k;
      t.count *= k;
    }
    const file = path.join(snapshots, `hostile-${k}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  });
}

/** Whether any line of the active editor shows an inline size (an `after` decoration). */
async function annotationsShown(page) {
  return page.evaluate(() => [...document.querySelectorAll('.editor-group-container .view-lines span')].some((span) => {
    const c = getComputedStyle(span, '::after').content;
    return c && c !== 'none' && c !== 'normal' && /[KM]iB/.test(c);
  }));
}

/** `Developer: Reload Window`, then the workbench again. */
async function reloadWindow(page) {
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 }).catch(() => {});
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  log('window reloaded');
}

/** `MemLens: Open Snapshot File…` through VS Code's own file dialog: type the path, Enter. */
async function openSnapshotFile(page, file) {
  await runCommand(page, 'MemLens: Open Snapshot File…');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  // The dialog fills in its folder when it has read it, which may overwrite a path typed sooner.
  for (let i = 0; i < 20; i++) {
    await sleep(300);
    await input.fill(file);
    await sleep(300);
    if ((await input.inputValue()) === file) break;
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
  log(`opened ${path.basename(file)}`);
}

/** Selects a tab of the panel by its id (`summary`, `lines`…) and waits for its content. */
async function selectTab(page, id, ready) {
  await panel(page).locator(`vscode-tab-header[data-tab="${id}"]`).click();
  await panel(page).locator(`vscode-tab-panel[data-panel="${id}"] ${ready}`).first().waitFor({ timeout: 30_000 });
}

/** Polls `read` until it returns something truthy (or `ms` pass); returns the last value. */
async function waitUntil(read, ms = 30_000) {
  const end = Date.now() + ms;
  let v = await read();
  while (!v && Date.now() < end) {
    await sleep(250);
    v = await read();
  }
  return v;
}

/** Focus on the workbench (not the webview), so keybindings reach VS Code. */
async function focusWorkbench(page) {
  await runCommand(page, 'View: Focus First Editor Group');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Text of a locator with whitespace collapsed. */
async function text(locator) {
  return (await locator.innerText({ timeout: 30_000 })).replace(/\s+/g, ' ').trim();
}

/** Bytes from a formatted figure: `66.2 MiB` → 69415731. */
function bytesOf(s) {
  const m = /([\d.]+) (B|KiB|MiB|GiB)/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(m[2]);
}

async function shot(page, name, { panelOnly = true, top = true } = {}) {
  const file = path.join(RESULTS, name);
  if (panelOnly && top) await (await panelFrame(page)).evaluate(() => window.scrollTo(0, 0));
  if (panelOnly) await page.locator('iframe.webview.ready').screenshot({ path: file });
  else await page.screenshot({ path: file });
  log(`screenshot test-results/${name}`);
}

await main(300_000, async (newSession) => {
  if (!fs.existsSync(VSIX)) throw new Error(`missing ${VSIX}: run npm run package first`);
  fs.mkdirSync(RESULTS, { recursive: true });
  const checks = new Checks('panel');
  const session = newSession();
  session.installVsix(VSIX);
  const snapshots = path.join(session.tmp, 'snapshots');
  fs.mkdirSync(snapshots);
  const rich = placeFixture('rich.json', session.workspace, snapshots);
  const hostile = placeFixture('hostile.json', session.workspace, snapshots);
  const rounds = placeLeakFixtures(path.join(session.workspace, 'leak'), snapshots);
  const hostiles = hostileSeries(hostile, snapshots);
  // Keys that run Compare Snapshots and Find Leaks with the files as arguments (no pickers).
  fs.writeFileSync(path.join(session.userData, 'User', 'keybindings.json'), JSON.stringify([
    { key: KEYS.compareLeak, command: 'memlens.compareSnapshots', args: [rounds[0], rounds[3]] },
    { key: KEYS.leaks, command: 'memlens.findLeaks', args: rounds },
    { key: KEYS.compareHostile, command: 'memlens.compareSnapshots', args: [hostiles[0], hostiles[2]] },
    { key: KEYS.leaksHostile, command: 'memlens.findLeaks', args: hostiles },
  ]));
  const base = await session.startServer({ smokeTestDriver: false });
  const page = await session.openPage();
  checks.screenshotFailures(page);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.goto(`${base}/?folder=${encodeURIComponent(session.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  log('workbench loaded');

  // --- A real run, and the notification's button ---
  await openFromExplorer(page, 'sample.py', 'import json');
  await runCommand(page, 'MemLens: Profile Memory');
  // Fast mode is the default: the header says so, and the run's traced figures are marked as estimates.
  await checks.check('the result notification opens the panel; writable memory of the real run > 0; fast mode marks traced figures ≈', async () => {
    await page.locator('.notifications-toasts .notification-list-item', { hasText: 'MemLens: profiled sample.py' })
      .locator('.monaco-button', { hasText: 'Open Memory Panel' }).click({ timeout: 60_000 });
    return {
      writable: await text(panel(page).locator('[data-figure="writable"] .ml-tile-value')),
      traced: await text(panel(page).locator('[data-figure="traced"] .ml-tile-value')),
      mode: await text(panel(page).locator('.ml-header-note[data-mode]')),
    };
  }, (r) => bytesOf(r.writable) > 0 && r.traced.startsWith('\u2248 ')
    && r.mode === 'fast mode: \u2248 figures are estimated from samples, one per 8 KiB allocated on average');
  await shot(page, 'panel-beside.png', { panelOnly: false });
  // More room for the panel (and its screenshots): the Explorer is not needed from here on.
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

  // --- The rich fixture: every tab ---
  await openSnapshotFile(page, rich);
  await panel(page).locator('.ml-header-note', { hasText: 'rich.json' }).waitFor({ timeout: 30_000 });
  await checks.check('Summary: writable memory from the maps, top type, heaviest import, top library', async () => ({
    writable: await text(panel(page).locator('[data-figure="writable"] .ml-tile-value')),
    peak: await text(panel(page).locator('[data-figure="tracedPeak"] .ml-tile-value')),
    type: await text(panel(page).locator('[data-card="top-types"] li .ml-list-name').first()),
    imp: await text(panel(page).locator('[data-card="heaviest-import"] .ml-list-name')),
    lib: await text(panel(page).locator('[data-card="top-library"] .ml-list-name')),
    warning: await text(panel(page).locator('.ml-notice.ml-warning').first()),
  }), (r) => bytesOf(r.writable) > 64 * 1024 ** 2 && r.peak === '104.9 MiB' && r.type === 'bytes' && r.imp === 'json'
    && r.lib.length > 0 && /2 uncollectable objects/.test(r.warning));
  await shot(page, 'panel-summary.png');

  await selectTab(page, 'lines', '.ml-row');
  await checks.check('Lines: every line, most at exit first; a row click opens the file at its line', async () => {
    const first = await text(panel(page).locator('.ml-row').first());
    const count = await text(panel(page).locator('#table-lines .ml-count'));
    await panel(page).locator('.ml-row', { hasText: 'sample.py:12' }).click();
    const position = page.locator('.statusbar-item', { hasText: /^Ln 12, Col \d+/ }).first();
    return { first, count, position: (await position.textContent({ timeout: 15_000 })).trim(), tab: await text(page.locator('.editor-group-container.active .tab.active')) };
  }, (r) => r.first.startsWith('sample.py:8 40.0 MiB 1 40.0 MiB 1') && r.count === '6' && r.position.startsWith('Ln 12,') && r.tab.replace(/\s/g, '').includes('sample.py'));
  await shot(page, 'panel-lines.png');

  await selectTab(page, 'types', '.ml-row');
  await checks.check('Types: top type, sort by clicking a header, filter by text', async () => {
    const rows = panel(page).locator('#table-types .ml-row');
    const top = await text(rows.first());
    await panel(page).locator('#table-types .ml-th', { hasText: 'Objects' }).click();
    const byCount = await text(rows.first());
    await panel(page).locator('#table-types .ml-th', { hasText: 'Objects' }).click();
    const byCountAsc = await text(rows.first());
    await panel(page).locator('#table-types vscode-textfield').click();
    await page.keyboard.type('dic');
    await sleep(300);
    const filtered = { rows: await rows.count(), first: await text(rows.first()), badge: await text(panel(page).locator('#table-types .ml-count')) };
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    return { top, byCount, byCountAsc, filtered };
  }, (r) => r.top.startsWith('bytes 2113 43.1 MiB') && r.byCount.startsWith('str 71,402') && r.byCountAsc.startsWith('__main__.Cache 1')
    && r.filtered.rows === 1 && r.filtered.first.startsWith('dict') && r.filtered.badge === '1 of 10');
  await shot(page, 'panel-types.png');

  await selectTab(page, 'process', '.ml-classic');
  await checks.check('Process: smaps table with totals, writable memory, files ranked by private dirty, pymalloc', async () => ({
    headers: await text(panel(page).locator('[data-table="classic"] thead')),
    total: await text(panel(page).locator('[data-table="classic"] .ml-total')),
    writable: await text(panel(page).locator('[data-figure="process-writable"] .ml-tile-value')),
    file: await (async () => {
      // The virtualizer draws rows only where they can be seen.
      await panel(page).locator('#table-files').scrollIntoViewIfNeeded();
      return text(panel(page).locator('#table-files .ml-row').first());
    })(),
    pymalloc: await text(panel(page).locator('[data-figure="pymalloc-used"] .ml-tile-value')),
  }), (r) => r.headers.includes('Shared_Clean Shared_Dirty Private_Clean Private_Dirty') && r.total.startsWith('Total')
    && bytesOf(r.writable) > 64 * 1024 ** 2 && r.file.length > 0 && r.pymalloc === '12.3 MiB');
  await shot(page, 'panel-process.png');

  await selectTab(page, 'timeline', 'svg.ml-svg');
  await checks.check('Timeline: RSS, private dirty and traced drawn, the gap shaded, a marker\'s tooltip says what it was', async () => {
    const series = await panel(page).locator('path.ml-series').count();
    const gap = await panel(page).locator('polygon.ml-gap').count();
    await panel(page).locator('g.ml-marker-gc').nth(1).locator('.ml-marker-hit').hover();
    const tip = await text(panel(page).locator('[data-tooltip="marker"]'));
    return { series, gap, tip };
  }, (r) => r.series === 3 && r.gap === 1 && r.tip === 'Garbage collection at 1.2 s gen 2: 1,204 collected in 3.1 ms');
  await shot(page, 'panel-timeline.png');

  await selectTab(page, 'gc', '.ml-classic');
  await checks.check('GC: generations, uncollectable warning and table, cyclic garbage', async () => ({
    warning: await text(panel(page).locator('vscode-tab-panel[data-panel="gc"] .ml-notice.ml-warning')),
    uncollectable: await text(panel(page).locator('#table-uncollectable .ml-row').first()),
    cyclic: await (async () => {
      await panel(page).locator('#table-cyclic').scrollIntoViewIfNeeded();
      await panel(page).locator('#table-cyclic .ml-row').first().waitFor();
      return panel(page).locator('#table-cyclic .ml-row').count();
    })(),
  }), (r) => r.warning.startsWith('2 uncollectable objects in gc.garbage') && r.uncollectable.startsWith('__main__.Resource 2') && r.cyclic === 2);
  await shot(page, 'panel-gc.png');

  await selectTab(page, 'imports', '.ml-row');
  await checks.check('Imports: the heaviest first, nested imports under it', async () => {
    const rows = panel(page).locator('#table-imports .ml-row');
    return [await text(rows.nth(0)), await text(rows.nth(1))];
  }, (r) => r[0].startsWith('json 403.0 KiB 96.0 KiB 516.0 KiB') && r[1].startsWith('json.decoder json'));
  await shot(page, 'panel-imports.png');

  // --- A window reload brings the panel back: the same snapshot, and the editor's annotations ---
  await reloadWindow(page);
  await checks.check('after Developer: Reload Window the panel is back with rich.json, and the editor with its annotations', async () => {
    await panel(page).locator('.ml-header-note', { hasText: 'rich.json' }).waitFor({ timeout: 60_000 });
    await selectTab(page, 'summary', '.ml-tiles');
    const writable = await text(panel(page).locator('[data-figure="writable"] .ml-tile-value'));
    return { writable, annotated: await waitUntil(() => annotationsShown(page)) };
  }, (r) => bytesOf(r.writable) > 64 * 1024 ** 2 && r.annotated === true);
  await shot(page, 'panel-reloaded.png', { panelOnly: false });
  fs.renameSync(rich, `${rich}.moved`);
  await reloadWindow(page);
  await checks.check('a snapshot gone before the reload: the panel says so in a sentence and shows nothing of it', async () => {
    const said = await text(panel(page).locator('.ml-waiting', { hasText: 'cannot be shown again' }));
    return { said, annotated: await annotationsShown(page) };
  }, (r) => r.said.includes('cannot be shown again') && r.said.includes('does not exist') && r.said.includes('rich.json') && r.annotated === false);
  await shot(page, 'panel-reload-missing.png');
  fs.renameSync(`${rich}.moved`, rich);

  // --- Inspect a running process: any process's memory maps, no profiling ---
  const hog = spawn(session.python, ['-c', 'x = bytearray(64 << 20); import time; time.sleep(120)'], { stdio: 'ignore' });
  try {
    await sleep(1000);
    await runCommand(page, 'MemLens: Inspect Process Memory…');
    const pick = page.locator('.quick-input-widget input');
    await pick.fill(String(hog.pid));
    await page.locator('.quick-input-list .monaco-list-row', { hasText: String(hog.pid) }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await checks.check('Inspect Process Memory…: python3 holding 64 MiB fills the Process tab; Refresh reads again; other tabs need a profiled run', async () => {
      const tab = panel(page).locator('vscode-tab-panel[data-panel="process"]');
      await tab.locator('[data-figure="process-writable"]').waitFor({ timeout: 30_000 });
      const seen = {
        writable: await text(tab.locator('[data-figure="process-writable"] .ml-tile-value')),
        title: await text(panel(page).locator('.ml-header h1')),
        file: await (async () => {
          await panel(page).locator('#table-files').scrollIntoViewIfNeeded();
          return text(panel(page).locator('#table-files .ml-row').first());
        })(),
      };
      await shot(page, 'panel-process-live.png');
      const readAt = await text(panel(page).locator('.ml-header-note').first());
      await sleep(1100);
      await tab.locator('#refresh-process').click();
      await panel(page).locator('.ml-header-note').first().filter({ hasNotText: readAt }).waitFor({ timeout: 15_000 });
      seen.refreshed = await text(panel(page).locator('.ml-header-note').first());
      await selectTab(page, 'summary', '.ml-notice');
      seen.summary = await text(panel(page).locator('vscode-tab-panel[data-panel="summary"] .ml-notice'));
      return seen;
    }, (r) => bytesOf(r.writable) >= 64 * 1024 ** 2 && r.title.startsWith('python') && r.title.endsWith(String(hog.pid))
      && r.file.length > 0 && r.refreshed.includes('read at') && r.summary.startsWith('Summary needs a profiled run'));
  } finally {
    hog.kill('SIGKILL');
  }

  // --- Compare and Leaks over the leak fixtures (the test-only commands, by their keys) ---
  await focusWorkbench(page);
  await page.keyboard.press(PRESS.compareLeak);
  await checks.check('Compare, round 1 to round 4: the leaking line (@blobs) on top, the snapshots named; a click opens it', async () => {
    const rows = panel(page).locator('#table-compare-lines .ml-row');
    await rows.first().waitFor({ timeout: 30_000 });
    const seen = {
      top: await text(rows.first()),
      names: await text(panel(page).locator('[data-section="compare-names"]')),
      traced: await text(panel(page).locator('[data-figure="compare-traced"] .ml-tile-value')),
      writable: await text(panel(page).locator('[data-figure="compare-writable"] .ml-tile-value')),
      type: await (async () => {
        await panel(page).locator('#table-compare-types').scrollIntoViewIfNeeded();
        return text(panel(page).locator('#table-compare-types .ml-row').first());
      })(),
    };
    await shot(page, 'panel-compare.png');
    await rows.first().click();
    const position = page.locator('.statusbar-item', { hasText: /^Ln 40, Col \d+/ }).first();
    seen.position = (await position.textContent({ timeout: 15_000 })).trim();
    seen.editor = await text(page.locator('.editor-group-container.active .tab.active'));
    return seen;
  }, (r) => r.top.startsWith('leaky.py:40 leak/ +') && /^\+\d/.test(r.traced) && r.names.includes('“after round 1”') && r.names.includes('“after round 4”')
    && r.writable.length > 0 && r.type.length > 0 && r.position.startsWith('Ln 40,') && r.editor.replace(/\s/g, '').includes('leaky.py'));
  await focusWorkbench(page);
  await page.keyboard.press(PRESS.leaks);
  await checks.check('Leaks, rounds 1 to 4: the leaking line (@blobs) grew in every interval, on top', async () => {
    const rows = panel(page).locator('#table-leak-lines .ml-row');
    await rows.first().waitFor({ timeout: 30_000 });
    return {
      top: await text(rows.first()),
      caption: await text(panel(page).locator('[data-section="leak-names"]')),
      warning: await text(panel(page).locator('vscode-tab-panel[data-panel="leaks"] .ml-notice.ml-warning').first()),
    };
  }, (r) => r.top.startsWith('leaky.py:40 leak/ +') && r.caption.startsWith('4 snapshots') && /different runs/.test(r.warning));
  await shot(page, 'panel-leaks.png');

  // --- Hostile names: text, never markup ---
  // Compare Snapshots showed the later round as the results: its Summary is back.
  await selectTab(page, 'summary', '.ml-tiles');
  await openSnapshotFile(page, hostile);
  await panel(page).locator('.ml-header-note', { hasText: 'hostile.json' }).waitFor({ timeout: 30_000 });
  await panel(page).locator('vscode-tab-panel[data-panel="summary"] .ml-tiles').waitFor();
  await checks.check('hostile names render as text: file name, label, types, imports, mapped file, pymalloc', async () => {
    const frame = await panelFrame(page);
    const seen = { title: await text(panel(page).locator('.ml-header h1')), note: await text(panel(page).locator('.ml-header-note').first()) };
    seen.type = await text(panel(page).locator('[data-card="top-types"] li .ml-list-name').first());
    seen.type2 = await text(panel(page).locator('[data-card="top-types"] li .ml-list-name').nth(1));
    seen.line = await text(panel(page).locator('[data-card="top-exit"] li .ml-list-name').first());
    seen.imp = await text(panel(page).locator('[data-card="heaviest-import"] .ml-list-name'));
    await shot(page, 'panel-hostile.png');
    await selectTab(page, 'process', '.ml-classic');
    seen.pre = (await panel(page).locator('[data-section="pymalloc"] pre').textContent()).split('\n')[0];
    await panel(page).locator('#table-files vscode-textfield').click();
    await page.keyboard.type('alert(8)');
    await panel(page).locator('#table-files').scrollIntoViewIfNeeded();
    seen.lib = await panel(page).locator('#table-files .ml-row .ml-cell').first().getAttribute('title');
    seen.dom = await frame.evaluate(() => ({
      // VS Code adds a script of its own to the page; none may come from the profile.
      scripts: [...document.scripts].filter((s) => /alert|__memlensXss/.test(s.outerHTML)).length,
      imgs: document.querySelectorAll('img').length,
      injected: document.querySelectorAll('b, i, table script, pre script').length,
      xss: window.__memlensXss ?? null,
    }));
    seen.dialogs = dialogs.length;
    return seen;
  }, (r) => r.title === `script> "dq" 'sq'.py` && r.note.includes('snapshot “<b>label</b> <script>alert(1)</script>”')
    && r.type === '<script>alert(1)</script>' && r.type2 === '"><img src=x onerror="window.__memlensXss=2">'
    && r.line === `<script>alert(1)</script> "dq" 'sq'.py:8` && r.imp === '<script>alert(5)</script>'
    && r.pre === '</pre><script>alert(7)</script><img src=x onerror="window.__memlensXss=7">'
    && r.lib === '/tmp/<script>alert(8)</script> "lib".so'
    && r.dom.scripts === 0 && r.dom.imgs === 0 && r.dom.injected === 0 && r.dom.xss === null && r.dialogs === 0);

  await focusWorkbench(page);
  await page.keyboard.press(PRESS.compareHostile);
  await panel(page).locator('#table-compare-lines .ml-row').first().waitFor({ timeout: 30_000 });
  await checks.check('hostile names render as text in Compare and Leaks: lines, types, labels', async () => {
    const frame = await panelFrame(page);
    const cells = (table) => frame.evaluate((t) => [...document.querySelectorAll(`${t} .ml-row .ml-cell`)].map((c) => c.textContent.trim()), table);
    const seen = { names: await text(panel(page).locator('[data-section="compare-names"]')), compareLines: await cells('#table-compare-lines') };
    await panel(page).locator('#table-compare-types').scrollIntoViewIfNeeded();
    await panel(page).locator('#table-compare-types .ml-row').first().waitFor();
    seen.compareTypes = await cells('#table-compare-types');
    await shot(page, 'panel-hostile-compare.png');
    await focusWorkbench(page);
    await page.keyboard.press(PRESS.leaksHostile);
    await panel(page).locator('#table-leak-lines .ml-row').first().waitFor({ timeout: 30_000 });
    seen.leakLines = await cells('#table-leak-lines');
    seen.leakSnapshots = await text(panel(page).locator('.ml-snapshots'));
    await panel(page).locator('#table-leak-types').scrollIntoViewIfNeeded();
    await panel(page).locator('#table-leak-types .ml-row').first().waitFor();
    seen.leakTypes = await cells('#table-leak-types');
    await shot(page, 'panel-hostile-leaks.png');
    seen.dom = await frame.evaluate(() => ({
      scripts: [...document.scripts].filter((s) => /alert|__memlensXss/.test(s.outerHTML)).length,
      imgs: document.querySelectorAll('img').length,
      injected: document.querySelectorAll('b, i, table script, pre script, ml-table script').length,
      xss: window.__memlensXss ?? null,
    }));
    seen.dialogs = dialogs.length;
    return seen;
  }, (r) => {
    // The file is `…/<script>alert(1)</script> "dq" 'sq'.py`: its name after the last slash comes first, its folder after.
    const script = `script> "dq" 'sq'.py:8 <script>alert(1)</`;
    const has = (cells, s) => cells.some((c) => c.includes(s));
    return r.names.includes('“<b>label</b> <script>alert(1)</script>”') && has(r.compareLines, script) && has(r.compareLines, '<img src=x onerror=')
      && r.compareTypes.includes('<script>alert(1)</script>') && r.compareTypes.includes(`'quoted' & "double" <i>type</i>`)
      && has(r.leakLines, script) && r.leakTypes.includes('<script>alert(1)</script>')
      && r.leakSnapshots.includes('<b>label</b>')
      && r.dom.scripts === 0 && r.dom.imgs === 0 && r.dom.injected === 0 && r.dom.xss === null && r.dialogs === 0;
  });

  // --- 100 000 rows: render, sort, filter, scroll (figures printed; loose bounds asserted) ---
  const big = path.join(snapshots, 'big.json');
  fs.writeFileSync(big, JSON.stringify(bigSnapshot(path.join(FIXTURES, 'rich.json'), { dir: session.workspace })));
  log(`big.json: ${(fs.statSync(big).size / 1024 ** 2).toFixed(1)} MiB`);
  await selectTab(page, 'lines', '.ml-row');
  const t0 = Date.now();
  await openSnapshotFile(page, big);
  await panel(page).locator('#table-lines .ml-count', { hasText: '100,000' }).waitFor({ timeout: 60_000 });
  log(`big.json shown ${Date.now() - t0} ms after Enter (file read, validation, model, panel data, message, render)`);
  const figures = await checks.check('100 000 lines and 100 000 types: rows rendered, sorted, filtered and scrolled', async () => {
    const frame = await panelFrame(page);
    return frame.evaluate(async () => {
      const frameDone = () => new Promise((r) => requestAnimationFrame(() => r()));
      /** Frames until `ok()` holds (at most 300), then one more: what a person waits for. */
      const until = async (ok) => {
        for (let i = 0; i < 300 && !ok(); i++) await frameDone();
        await frameDone();
      };
      const firstCell = (table) => document.querySelector(`${table} .ml-row .ml-cell`)?.textContent.trim();
      const out = {};
      const render = performance.getEntriesByName('memlens:render');
      out.renderLinesMs = render[render.length - 1]?.duration;
      out.rowsInDom = document.querySelectorAll('#table-lines .ml-row').length;
      let before = firstCell('#table-lines');
      let t = performance.now();
      [...document.querySelectorAll('#table-lines .ml-th')].find((h) => h.textContent.includes('Line')).click();
      await until(() => firstCell('#table-lines') !== before);
      out.sortLinesMs = performance.now() - t;
      out.firstAfterSort = firstCell('#table-lines');
      // Scroll one step a frame, 120 frames: `interval` is the time between frames (16.7 ms at
      // 60 Hz when none is dropped); `work` is each frame's own cost, from its rAF callback until
      // the task after its rendering (a message posted in the callback runs once the frame's
      // style, layout and paint are done), the virtualizer's row updates included.
      const scroller = document.querySelector('#table-lines lit-virtualizer');
      const stats = (xs) => {
        const s = [...xs].sort((a, b) => a - b);
        return { mean: +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2), p50: +s[Math.floor(s.length * 0.5)].toFixed(2), p95: +s[Math.floor(s.length * 0.95)].toFixed(2), max: +s[s.length - 1].toFixed(2) };
      };
      const run = (step, frames) => new Promise((resolve) => {
        const intervals = [];
        const work = [];
        let last;
        let n = 0;
        const tick = (ts) => {
          if (last !== undefined) intervals.push(ts - last);
          last = ts;
          const start = performance.now();
          const ch = new MessageChannel();
          ch.port1.onmessage = () => {
            work.push(performance.now() - start);
            if (work.length === frames) resolve({ interval: stats(intervals), over17ms: intervals.filter((g) => g > 17).length, work: stats(work) });
          };
          if (step) scroller.scrollTop += step;
          ch.port2.postMessage(0);
          if (++n < frames) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      out.idle = await run(0, 60);
      out.scrollWheel = await run(100, 120);
      out.scrollFast = await run(660, 120);
      out.scrollFast.rowsInDom = document.querySelectorAll('#table-lines .ml-row').length;
      out.scrollFast.scrolledTo = scroller.scrollTop;
      // Rows scrolled out must leave nothing behind (lit-html 3.3.1+ left a comment per removed row).
      out.scrollFast.scrollerNodes = scroller.childNodes.length;
      before = document.querySelector('#table-lines .ml-count')?.textContent.trim();
      t = performance.now();
      const field = document.querySelector('#table-lines vscode-textfield');
      field.value = 'module_42.py';
      field.dispatchEvent(new Event('input', { bubbles: true }));
      await until(() => document.querySelector('#table-lines .ml-count')?.textContent.trim() !== before);
      out.filterLinesMs = performance.now() - t;
      out.filteredBadge = document.querySelector('#table-lines .ml-count')?.textContent.trim();
      t = performance.now();
      document.querySelector('vscode-tab-header[data-tab="types"]').click();
      await until(() => document.querySelector('#table-types .ml-row'));
      out.renderTypesMs = performance.now() - t;
      out.typesBadge = document.querySelector('#table-types .ml-count')?.textContent.trim();
      before = firstCell('#table-types');
      t = performance.now();
      [...document.querySelectorAll('#table-types .ml-th')].find((h) => h.textContent.includes('Type')).click();
      await until(() => firstCell('#table-types') !== before);
      out.sortTypesMs = performance.now() - t;
      return out;
    });
  }, (r) => r.rowsInDom > 0 && r.rowsInDom < 200 && r.typesBadge === '100,000' && r.filteredBadge === '1000 of 100,000'
    // Bounds only broken virtualization crosses (every row in the DOM: seconds a frame), not the
    // 16 ms target, which a machine shared with other work can miss for reasons of its own.
    && r.scrollFast.rowsInDom < 200 && r.scrollFast.scrollerNodes < 1000 && r.scrollFast.work.p50 < 50 && r.scrollWheel.work.p50 < 50);
  void figures;
  await shot(page, 'panel-100k-types.png');
  return checks.summary();
});
