/**
 * The memory panel's HTML: a strict Content Security Policy with a fresh nonce, the bundled script
 * and styles from `out/webview/`, and no profile data at all (that arrives by message and is
 * rendered as text). Pure, so unit tests check the policy.
 */

/** What the page links to, as webview URIs, and the policy's inputs. */
export interface PanelHtmlParts {
  /** `webview.cspSource`: the origin of the extension's resources in the webview. */
  cspSource: string;
  /** A fresh random value for this page, base64 or hex. */
  nonce: string;
  script: string;
  style: string;
  codicons: string;
}

/**
 * The Content-Security-Policy: nothing by default; scripts only with the nonce; styles and fonts
 * only from the extension's resources (and `<style>` elements with the nonce, which Lit uses where
 * a browser lacks constructable stylesheets); images from the resources and `data:` (codicons'
 * CSS holds none today, but VS Code's theme icons may). No `unsafe-inline`, no `unsafe-eval`, no
 * network.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

/** The page. The codicon stylesheet's id is the one `@vscode-elements/elements`' icon looks for. */
export function panelHtml(p: PanelHtmlParts): string {
  const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(panelCsp(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${attr(p.codicons)}" nonce="${attr(p.nonce)}">
<link rel="stylesheet" href="${attr(p.style)}" nonce="${attr(p.nonce)}">
<title>MemLens memory</title>
</head>
<body>
<noscript>The MemLens memory panel needs scripts.</noscript>
<script nonce="${attr(p.nonce)}" src="${attr(p.script)}"></script>
</body>
</html>`;
}
