// Snapshots end to end in a real VS Code, as a person uses them: profiles
// leaky_loop.py (keeps 1 MiB a tick on line 12) from the command palette, takes two snapshots
// with `MemLens: Take Snapshot` while it runs (typing a label into the input box), compares them
// with `MemLens: Compare Snapshots…` (the last two come picked), and reads what shows on screen:
// the `+` growth after the leaking line, the growth CodeLens above tick(), the Compare tab's top
// row in the memory panel, and the Snapshots view listing both. First, a hostile run shared in
// the workspace's snapshots folder (`memlens.snapshots.folder`), whose labels and paths carry a
// `[x](command:…)` link, is compared and searched for leaks from the palette: the toasts quote its
// text but hold no command link. Screenshots go to test-results/.
// Usage: node test/e2e/run-snapshots.mjs
import fs from 'node:fs';
import path from 'node:path';
import { afterText, Checks, log, main, openFromExplorer, panel, RESULTS, ROOT, runCommand, sleep, toast } from './harness.mjs';

const VSIX = path.join(ROOT, 'out', 'memlens.vsix');
const LEAK_LINE = 12;
/** The shared snapshots folder, relative to the workspace. */
const SHARED = '.memlens/runs';
/** One click on it as a link would type `echo pwned` into a terminal and run it. */
const HOSTILE = '[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22echo%20pwned%5Cn%22%7D)';

/**
 * Writes a run into the workspace's shared snapshots folder as a repository could carry it: the
 * leak fixtures' rounds 1-3 (made in /tmp/memlens-leak-ws, test/fixtures/README.md) with the link
 * in the run folder's name, the program's folder, the labels and the type names. The newest run.
 */
function writeHostileRun(workspace) {
  const dir = path.join(workspace, SHARED, `20991231-235959-${HOSTILE}.py`);
  fs.mkdirSync(dir, { recursive: true });
  for (const n of [1, 2, 3]) {
    const text = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'leak', `round${n}.json`), 'utf8');
    const doc = JSON.parse(text.split('/tmp/memlens-leak-ws').join(path.join(workspace, HOSTILE)));
    doc.label = `${HOSTILE} round ${n}`;
    doc.census.types.forEach((t, i) => { t.type = `${HOSTILE}${i}`; });
    fs.writeFileSync(path.join(dir, `snapshot-${n}.json`), JSON.stringify(doc));
  }
}

/** The visible toasts' texts, and every link in them that would run a command. */
function toastLinks(page) {
  return page.evaluate(() => {
    const toasts = [...document.querySelectorAll('.notifications-toasts .notification-list-item')];
    const commands = toasts.flatMap((t) => [...t.querySelectorAll('a')])
      .map((a) => a.getAttribute('href') ?? a.getAttribute('data-href') ?? '')
      .filter((href) => href.trim().toLowerCase().startsWith('command:'));
    return { texts: toasts.map((t) => t.querySelector('.notification-list-item-message')?.textContent ?? ''), commands };
  });
}

/** Takes a snapshot from the palette, typing `label` into the input box. */
async function takeSnapshot(page, label) {
  await runCommand(page, 'MemLens: Take Snapshot');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(label);
  await page.keyboard.press('Enter');
  return toast(page, new RegExp(`MemLens: snapshot ${label} taken`));
}

await main(300_000, async (newSession) => {
  if (!fs.existsSync(VSIX)) throw new Error(`missing ${VSIX}: run npm run package first`);
  fs.mkdirSync(RESULTS, { recursive: true });
  const checks = new Checks('snapshots');

  const session = newSession({ settings: { 'memlens.snapshots.folder': SHARED } });
  session.installVsix(VSIX);
  writeHostileRun(session.workspace);
  const base = await session.startServer({ smokeTestDriver: false });
  const page = await session.openPage();
  checks.screenshotFailures(page);
  await page.goto(`${base}/?folder=${encodeURIComponent(session.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  log('workbench loaded');

  // The hostile run is the newest, so its last two snapshots come picked and its three are searched.
  const hostileToasts = (said) => (r) => r.commands.length === 0 && r.texts.some((t) => said.test(t)) &&
    r.texts.some((t) => t.includes('[x] (command:workbench.action.terminal.sendSequence'));
  await checks.check('comparing the hostile snapshots: the toast quotes their labels and paths, with no command link', async () => {
    // The keyboard goes to the workbench once the Explorer is up (F1 before then is lost).
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'leaky_loop.py' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.part.sidebar .title-label').first().click();
    await runCommand(page, 'MemLens: Compare Snapshots…');
    await page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]').nth(1).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await toast(page, /MemLens: from "/);
    return toastLinks(page);
  }, hostileToasts(/^MemLens: from ".*round 2" to ".*round 3".*most growth: /));
  await checks.check('finding leaks in the hostile run: the toast names its file, with no command link', async () => {
    // The comparison opened the memory panel, which took the keyboard: give it back to the workbench.
    await page.locator('.part.sidebar .title-label').first().click();
    await runCommand(page, 'MemLens: Find Leaks');
    await toast(page, /grew in every one/);
    return toastLinks(page);
  }, hostileToasts(/grew in every one of the 2 intervals; fastest: /));
  await sleep(1000); // the toasts slide in
  await page.screenshot({ path: path.join(RESULTS, 'snapshots-hostile.png') });
  log('screenshot test-results/snapshots-hostile.png');
  // Back to an empty workbench for the run below: no comparison, toasts or panel.
  await page.locator('.part.sidebar .title-label').first().click();
  await runCommand(page, 'MemLens: End Comparison');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await runCommand(page, 'View: Close All Editor Groups');

  await openFromExplorer(page, 'leaky_loop.py', 'A long-running service');
  await runCommand(page, 'MemLens: Profile Memory');
  await checks.check('the snapshot button appears in the status bar once the program traces', async () =>
    (await page.locator('.statusbar-item', { hasText: /^\s*Snapshot\s*$/ }).first().textContent({ timeout: 30_000 })).trim(),
  (t) => t === 'Snapshot');

  await checks.check('Take Snapshot from the palette, labelled "first"', () => takeSnapshot(page, 'first'),
    (t) => /^MemLens: snapshot first taken: ≈ [\d.]+ MiB traced, [\d.]+ (ms|s) into the run\.$/.test(t));
  await sleep(1500);
  await checks.check('a second snapshot, "second"', () => takeSnapshot(page, 'second'), (t) => t.includes('second taken'));

  await checks.check('Compare Snapshots… offers the two, picked, and compares them', async () => {
    await page.keyboard.press('Escape');
    await runCommand(page, 'MemLens: Compare Snapshots…');
    // The command palette's rows can still be on screen for a moment: read the rows once the
    // widget shows the picker's own title.
    await page.locator('.quick-input-title', { hasText: 'MemLens: Compare Snapshots' }).waitFor({ timeout: 10_000 });
    const picked = page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]');
    await picked.first().waitFor({ timeout: 10_000 });
    const names = (await picked.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await page.screenshot({ path: path.join(RESULTS, 'snapshots-pick.png') });
    await page.keyboard.press('Enter');
    return { names, said: await toast(page, /MemLens: from "first" to "second"/) };
  }, (r) => r.names.length === 2 && r.names[0].includes('first') && r.names[1].includes('second') &&
    /most growth: leaky_loop\.py:12 ≈ \+[\d.]+ MiB/.test(r.said));

  // The run is in the fast mode (the default): growth is an estimate, marked ≈.
  await checks.check('the leaking line shows its growth inline', () => afterText(page, LEAK_LINE, /^≈ \+/),
    (t) => /^≈ \+\d+\.\d MiB since "first"$/.test(t));
  await checks.check('the growth CodeLens above tick()', async () => {
    const lens = page.locator('.codelens-decoration').filter({ hasText: /since "first"/ }).first();
    return (await lens.textContent({ timeout: 20_000 })).trim();
  }, (t) => /^MemLens: ≈ \+[\d.]+ MiB since "first" \(now ≈ [\d.]+ MiB\)/.test(t));

  await checks.check('the Compare tab\'s top row is the leaking line', async () => {
    const row = panel(page).locator('#table-compare-lines .ml-row').first();
    return (await row.innerText({ timeout: 30_000 })).replace(/\s+/g, ' ').trim();
  }, (t) => t.includes('leaky_loop.py:12') && /\+[\d.]+ MiB/.test(t));
  await page.screenshot({ path: path.join(RESULTS, 'snapshots-compare.png') });
  log('screenshot test-results/snapshots-compare.png');

  await checks.check('the Snapshots view lists the run with both snapshots', async () => {
    await page.locator('.activitybar .action-item a[aria-label="MemLens"]').click();
    const rows = page.locator('.pane-body .monaco-list-row', { hasText: /first|second/ });
    await rows.nth(1).waitFor({ timeout: 20_000 });
    return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }, (rows) => rows.length === 2 && rows[0].startsWith('first') && rows[1].startsWith('second'));
  await page.screenshot({ path: path.join(RESULTS, 'snapshots-view.png') });
  log('screenshot test-results/snapshots-view.png');

  await runCommand(page, 'MemLens: Stop Profiling');
  await checks.check('after the run the comparison stays, and the exit snapshot joins the list', async () => {
    const said = await toast(page, /The comparison stays shown/);
    const exit = page.locator('.pane-body .monaco-list-row', { hasText: /^exit/ }).first();
    await exit.waitFor({ timeout: 20_000 });
    return said;
  }, (t) => /leaky_loop\.py was stopped/.test(t));

  return checks.summary();
});
