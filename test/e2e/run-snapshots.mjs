// Snapshots end to end in a real VS Code, as a person uses them (issue 4): profiles
// leaky_loop.py (keeps 1 MiB a tick on line 12) from the command palette, takes two snapshots
// with `MemLens: Take Snapshot` while it runs (typing a label into the input box), compares them
// with `MemLens: Compare Snapshots…` (the last two come picked), and reads what shows on screen:
// the `+` growth after the leaking line, the growth CodeLens above tick(), the Compare tab's top
// row in the memory panel, and the Snapshots view listing both. Screenshots go to test-results/.
// Usage: node test/e2e/run-snapshots.mjs
import fs from 'node:fs';
import path from 'node:path';
import { afterText, Checks, log, main, openFromExplorer, panel, RESULTS, ROOT, runCommand, sleep, toast } from './harness.mjs';

const VSIX = path.join(ROOT, 'out', 'memlens.vsix');
const LEAK_LINE = 12;

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

  const session = newSession();
  session.installVsix(VSIX);
  const base = await session.startServer({ smokeTestDriver: false });
  const page = await session.openPage();
  await page.goto(`${base}/?folder=${encodeURIComponent(session.workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  log('workbench loaded');

  await openFromExplorer(page, 'leaky_loop.py', 'A long-running service');
  await runCommand(page, 'MemLens: Profile Memory');
  await checks.check('the snapshot button appears in the status bar once the program traces', async () =>
    (await page.locator('.statusbar-item', { hasText: /^\s*Snapshot\s*$/ }).first().textContent({ timeout: 30_000 })).trim(),
  (t) => t === 'Snapshot');

  await checks.check('Take Snapshot from the palette, labelled "first"', () => takeSnapshot(page, 'first'),
    (t) => /^MemLens: snapshot first taken: [\d.]+ MiB traced, [\d.]+ (ms|s) into the run\.$/.test(t));
  await sleep(1500);
  await checks.check('a second snapshot, "second"', () => takeSnapshot(page, 'second'), (t) => t.includes('second taken'));

  await checks.check('Compare Snapshots… offers the two, picked, and compares them', async () => {
    await page.keyboard.press('Escape');
    await runCommand(page, 'MemLens: Compare Snapshots…');
    const picked = page.locator('.quick-input-list .monaco-list-row[aria-checked="true"]');
    await picked.first().waitFor({ timeout: 10_000 });
    const names = (await picked.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    await page.screenshot({ path: path.join(RESULTS, 'snapshots-pick.png') });
    await page.keyboard.press('Enter');
    return { names, said: await toast(page, /MemLens: from "first" to "second"/) };
  }, (r) => r.names.length === 2 && r.names[0].includes('first') && r.names[1].includes('second') &&
    /most growth: leaky_loop\.py:12 \+[\d.]+ MiB/.test(r.said));

  await checks.check('the leaking line shows its growth inline', () => afterText(page, LEAK_LINE, /^\+/),
    (t) => /^\+\d+\.\d MiB · \+\d+ blocks since "first"$/.test(t));
  await checks.check('the growth CodeLens above tick()', async () => {
    const lens = page.locator('.codelens-decoration').filter({ hasText: /since "first"/ }).first();
    return (await lens.textContent({ timeout: 20_000 })).trim();
  }, (t) => /^MemLens: \+[\d.]+ MiB since "first" \(now [\d.]+ MiB\)/.test(t));

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
