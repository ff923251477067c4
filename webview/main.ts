/**
 * The memory panel's entry (bundled by esbuild to out/webview/main.js with its styles in
 * main.css): mounts `<memlens-panel>`, routes the host's messages to it, reports script errors
 * and CSP violations to the host's log, and says `ready` first, as the protocol asks.
 */
import type { ToPanel } from '../src/protocol/panel';
import { MemlensPanel } from './app';
import { post } from './host';
import './panel.css';

// Lit gives this nonce to any <style> it has to create (where constructable stylesheets are missing).
(window as unknown as { litNonce?: string }).litNonce = (document.currentScript as HTMLScriptElement | null)?.nonce || undefined;

window.addEventListener('error', (e) => post({ type: 'problem', message: `script error: ${e.message}` }));
window.addEventListener('unhandledrejection', (e) => post({ type: 'problem', message: `unhandled rejection: ${String(e.reason)}` }));
document.addEventListener('securitypolicyviolation', (e) =>
  post({ type: 'problem', message: `blocked by the content security policy: ${e.violatedDirective} ${e.blockedURI}` }));

/** The messages the host sends; VS Code's own traffic on this window is ignored. */
const TO_PANEL: ReadonlySet<string> = new Set<ToPanel['type']>(['show', 'clear', 'process', 'compare', 'leaks', 'select']);

const panel = new MemlensPanel();
document.body.append(panel);
window.addEventListener('message', (e: MessageEvent<ToPanel>) => {
  const msg = e.data;
  if (typeof msg === 'object' && msg !== null && TO_PANEL.has(msg.type)) panel.receive(msg);
});
post({ type: 'ready' });
