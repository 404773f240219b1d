/**
 * The training panel's HTML shell and its Content-Security-Policy. No `vscode` import, so the
 * browser tests serve exactly the page the extension serves (with their own resource origin).
 */

export interface PanelHtmlOptions {
  /** webview.cspSource (or the test server's origin). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  /** The document title (e.g. the experiment's name). */
  title: string;
  /** `<html lang>`: the display language (vscode.env.language); default 'en'. */
  lang?: string;
  /** Shown until the script runs, in the display language; default `Loading <title>…`. */
  loading?: string;
}

/**
 * - scripts: only the nonce'd bundle; 'wasm-unsafe-eval' because the wasm backend is bundled;
 *   no 'unsafe-eval' (tfjs is bundled from its ESM sources, which never call Function()).
 * - connect-src: the page fetches dist/worker.js and the wasm binaries from the extension's own
 *   resources to hand them to a blob: worker (a worker cannot be created from the resource origin).
 * - nothing remote: every source is the extension's local resource origin, data: or blob:.
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `worker-src ${cspSource} blob:`,
    `connect-src ${cspSource} blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function makeNonce(random: (n: number) => Uint8Array): string {
  return Array.from(random(18), (b) => b.toString(16).padStart(2, '0')).join('');
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="${esc(o.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(panelCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.styleUris.map((u) => `<link rel="stylesheet" href="${esc(u)}">`).join('\n')}
<title>${esc(o.title)}</title>
</head>
<body>
<div id="app"><p class="boot">${esc(o.loading ?? `Loading ${o.title}…`)}</p></div>
<script nonce="${esc(o.nonce)}" type="module" src="${esc(o.scriptUri)}"></script>
</body>
</html>
`;
}
