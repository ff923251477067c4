// The memory panel's page (src/panel/html.ts): a strict Content Security Policy with the nonce,
// resources only from the extension, no inline script or style allowed, no profile data in it.
import * as assert from 'node:assert/strict';
import { panelCsp, panelHtml } from '../../src/panel/html';

const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abc123+/==',
  script: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webview/main.js',
  style: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webview/main.css',
  codicons: 'https://file+.vscode-resource.vscode-cdn.net/ext/out/webview/codicon.css',
};

suite('panel page', () => {
  test('the policy: nothing by default, scripts by nonce only, styles and fonts from the extension', () => {
    assert.equal(
      panelCsp(parts.cspSource, parts.nonce),
      "default-src 'none'; script-src 'nonce-abc123+/=='; " +
        "style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc123+/=='; " +
        'font-src https://file+.vscode-resource.vscode-cdn.net; img-src https://file+.vscode-resource.vscode-cdn.net data:',
    );
    assert.doesNotMatch(panelCsp(parts.cspSource, parts.nonce), /unsafe/);
  });

  test('the page: the policy first, every script and stylesheet with the nonce, codicons under the id vscode-elements looks for', () => {
    const page = panelHtml(parts);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
    assert.ok(meta, 'a CSP meta element');
    assert.ok(page.indexOf(meta[0]) < page.indexOf('<link'), 'the policy comes before any resource');
    assert.equal(meta[1].replace(/&quot;/g, '"'), panelCsp(parts.cspSource, parts.nonce));
    const scripts = [...page.matchAll(/<script([^>]*)>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], / nonce="abc123\+\/=="/);
    assert.match(scripts[0][1], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/out\/webview\/main\.js"/);
    assert.equal([...page.matchAll(/<link rel="stylesheet"[^>]* nonce="abc123\+\/=="/g)].length, 2);
    assert.match(page, /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="[^"]+codicon\.css"/);
    assert.doesNotMatch(page, /<style|\sstyle=|\son\w+=/, 'no inline styles or handlers');
  });
});
