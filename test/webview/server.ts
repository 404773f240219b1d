/**
 * Test harness for the panel's real bundles in headless Chromium: serves dist/ and media/ from
 * 127.0.0.1 with the panel's own HTML and CSP (src/host/panel/html.ts), plus a fake
 * `acquireVsCodeApi` that records what the page posts to the host (the VS Code host cannot run
 * here; everything else is the real thing).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, extname, normalize, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, panelHtml } from '../../src/host/panel/html';
import { parseDefinition } from '../../src/core/dsl';
import { PROTOCOL_VERSION, panelSpec, type ExperimentMsg, type HostToView } from '../../src/protocol';

/** Repository root (this file's grandparent; the working directory when loaded from an ES module). */
export const ROOT = typeof __dirname === 'string' && existsSync(join(__dirname, 'server.ts')) ? join(__dirname, '..', '..') : process.cwd();
const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.map': 'application/json', '.html': 'text/html',
};

/** The fake VS Code webview API: records posted messages, keeps state. */
const FAKE_API = `
window.__posted = [];
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => { window.__posted.push(JSON.parse(JSON.stringify(m))); },
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});`;

export interface Served { server: Server; origin: string; close(): Promise<void> }

export async function serve(): Promise<Served> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/panel') {
      const origin = `http://${req.headers.host}`;
      const nonce = makeNonce((n) => randomBytes(n));
      let html = panelHtml({
        cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`,
        styleUris: [`${origin}/dist/webview.css`, `${origin}/media/panel.css`], title: 'test',
      });
      html = html.replace('<script nonce', `<script nonce="${nonce}">${FAKE_API}</script>\n<script nonce`);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!/^(dist|media)\//.test(rel)) return void res.writeHead(404).end();
    const file = join(ROOT, rel);
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export const CHROMIUM = process.env.SEQLAB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium; `webgpu: false` leaves WebGPU off (no --enable-unsafe-webgpu) to exercise the
 * fallback. `swiftshaderGpu` (default true) makes SwiftShader Chromium's GPU (--use-angle=swiftshader):
 * WebGL and WebGPU then run on it, and so do canvas, rasterization and compositing, all in
 * software threads of the GPU process. false: Chromium's own choice on a machine without a GPU
 * (chrome://gpu: canvas, rasterization and compositing "Software only"; WebGL still on SwiftShader
 * as a software fallback), which is what a user without a GPU gets.
 */
export async function launch(o: { webgpu?: boolean; swiftshaderGpu?: boolean; args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(o.args ?? []),
      ...(o.webgpu === false ? [] : ['--enable-unsafe-webgpu']), '--enable-unsafe-swiftshader', ...(o.swiftshaderGpu === false ? [] : ['--use-angle=swiftshader']),
      '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

/** The hello example as the host would send it (parsed by the real DSL parser). */
export function helloExperiment(over: (spec: NonNullable<ExperimentMsg['spec']>) => void = () => {}): ExperimentMsg {
  return exampleExperiment('hello', over);
}

/** One of the shipped examples (examples/<name>.seqlab.json) as the host sends it. */
export function exampleExperiment(name: string, over: (spec: NonNullable<ExperimentMsg['spec']>) => void = () => {}): ExperimentMsg {
  const file = join(ROOT, 'examples', `${name}.seqlab.json`);
  return experimentOf(file, readFileSync(file, 'utf8'), over, name);
}

/** A definition (built-in task, no data files) as the host would send it. */
export function experimentOf(file: string, text: string, over: (spec: NonNullable<ExperimentMsg['spec']>) => void = () => {}, name?: string): ExperimentMsg {
  const r = parseDefinition(text, { file, workspaceRoot: ROOT });
  if (!r.spec) throw new Error(`${relative(ROOT, file)} does not parse: ${JSON.stringify(r.diagnostics)}`);
  over(r.spec);
  // the data files it names, as the host reads them: data.file, or every file of data.folder
  const dir = dirname(file);
  const files: { path: string; bytes: ArrayBuffer }[] = [];
  if (r.spec.data.file) files.push({ path: join(dir, r.spec.data.file), bytes: bytesOf(join(dir, r.spec.data.file)) });
  if (r.spec.data.folder) {
    const folder = join(dir, r.spec.data.folder);
    for (const f of readdirSync(folder)) files.push({ path: join(folder, f), bytes: bytesOf(join(folder, f)) });
  }
  return {
    key: `file://${file}`, name: name ?? r.spec.name, definitionFile: file, relPath: relative(ROOT, file), workspaceRoot: ROOT,
    definitionText: text, files, fileErrors: [], spec: panelSpec(r.spec), problems: [],
  };
}

/** A file's bytes in an ArrayBuffer of their own, as the host reads a data file (src/node/workspaceFile.ts). */
export function bytesOf(file: string): ArrayBuffer {
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

const BYTES = '__seqlabArrayBuffer';

export type Posted = { type: string; seq: number; [k: string]: unknown };

/** A panel page driven like the host drives it. */
export class PanelPage {
  private seq = 0;
  constructor(readonly page: Page, readonly origin: string) {}

  static async open(browser: Browser, origin: string): Promise<PanelPage> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const p = new PanelPage(page, origin);
    page.on('console', (m) => { if (process.env.SEQLAB_TEST_VERBOSE) console.log(`[page ${m.type()}] ${m.text()}`); });
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(`${origin}/panel`);
    await p.waitFor((m) => m.type === 'ready');
    return p;
  }

  async cspViolations(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  }

  async posted(): Promise<Posted[]> {
    return this.page.evaluate(() => (window as unknown as { __posted: Posted[] }).__posted);
  }

  async waitFor(pred: (m: Posted) => boolean, timeoutMs = 120_000): Promise<Posted> {
    const t0 = Date.now();
    for (;;) {
      const found = (await this.posted()).find(pred);
      if (found) return found;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting; posted: ${JSON.stringify((await this.posted()).map((m) => m.type === 'log' ? `log:${m.message}` : m.type))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Send a host message (stamped with version and the next sequence number unless raw). */
  async send(body: Record<string, unknown>, raw = false): Promise<void> {
    const m = raw ? body : { v: PROTOCOL_VERSION, seq: ++this.seq, ...body };
    // ArrayBuffers (data files' bytes) cross into the page as base64 and are posted as ArrayBuffers,
    // as VS Code posts them (a string expression: no helper of the test's compiler inside the page)
    let buffers = 0;
    const json = JSON.stringify(m, (_k, v) => (v instanceof ArrayBuffer ? (buffers++, { [BYTES]: Buffer.from(v).toString('base64') }) : v));
    if (!buffers) return void (await this.page.evaluate((x) => window.postMessage(x, '*'), m));
    await this.page.evaluate(`window.postMessage(JSON.parse(${JSON.stringify(json)}, function (k, v) {
      if (v && typeof v === 'object' && typeof v[${JSON.stringify(BYTES)}] === 'string') {
        var s = atob(v[${JSON.stringify(BYTES)}]), u = new Uint8Array(s.length);
        for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
        return u.buffer;
      }
      return v;
    }), '*')`);
  }

  async init(experiment: ExperimentMsg, preferredBackend: string, metricsInterval = 5, checkpointSeconds = 0, language?: string, restore?: Extract<HostToView, { type: 'init' }>['restore']): Promise<void> {
    const init: Omit<Extract<HostToView, { type: 'init' }>, 'v' | 'seq'> = {
      type: 'init', experiment,
      settings: { preferredBackend: preferredBackend as never, metricsInterval, probeTimeShare: 20, checkpointSeconds },
      assets: { workerUrl: `${this.origin}/dist/worker.js`, wasmBase: `${this.origin}/dist/` },
      overlays: [], ...(restore ? { restore } : {}),
      // as the host sends it: the display language and vscode.l10n.bundle (the extension's l10n bundle of it)
      ...(language ? { l10n: { language, bundle: JSON.parse(readFileSync(join(ROOT, 'l10n', `bundle.l10n.${language}.json`), 'utf8')) } } : {}),
    };
    await this.send(init as unknown as Record<string, unknown>);
  }

  /** Train to completion answering runStart like the host does; returns the run's messages. */
  async trainToEnd(timeoutMs = 240_000): Promise<{ metrics: { step: number; loss: number }[]; end: Posted }> {
    await this.page.waitForFunction(() => document.body.dataset.phase === 'ready', undefined, { timeout: 120_000 });
    await this.page.click('#btn-start');
    const start = await this.waitFor((m) => m.type === 'runStart');
    await this.send({ type: 'runCreated', clientRunId: start.clientRunId, runId: 'test-run' });
    const end = await this.waitFor((m) => m.type === 'runEnd', timeoutMs);
    const metrics = (await this.posted()).filter((m) => m.type === 'metrics').flatMap((m) => m.rows as { step: number; loss: number }[]);
    return { metrics, end };
  }
}

/** d3's '#rrggbb' / 'rgb(r, g, b)' colours as numbers (pixel checks). */
export const rgb = (c: string): number[] => (c.startsWith('#') ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) : c.match(/\d+/g)!.slice(0, 3).map(Number));

/** RGBA of the pixel at (x, y), in the canvas's own pixels, of canvas `#id` (pixel checks). */
export const pixel = (p: PanelPage, id: string, x: number, y: number): Promise<number[]> =>
  p.page.evaluate(([id, x, y]) => Array.from((document.getElementById(id as string) as HTMLCanvasElement).getContext('2d')!.getImageData(x as number, y as number, 1, 1).data), [id, x, y] as const);

/**
 * Move the mouse over (x, y), in the canvas's own pixels, of canvas `#id` (scrolled into view
 * first; the canvas may be drawn at another size than it is shown). Returns the page point.
 */
export async function hoverCanvas(p: PanelPage, id: string, x: number, y: number): Promise<{ x: number; y: number }> {
  const canvas = p.page.locator(`#${id}`);
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const [w, h] = await p.page.evaluate((id) => { const c = document.getElementById(id) as HTMLCanvasElement; return [c.width, c.height]; }, id);
  const at = { x: box.x + (x * box.width) / w!, y: box.y + (y * box.height) / h! };
  await p.page.mouse.move(at.x, at.y);
  return at;
}

/** The static server and headless Chromium of one test file: started before its tests, closed after them. */
export function useBrowser(o: Parameters<typeof launch>[0] = {}): { readonly browser: Browser; readonly origin: string; open(): Promise<PanelPage> } {
  let served: Served | undefined;
  let browser: Browser | undefined;
  before(async () => {
    served = await serve();
    browser = await launch(o);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });
  return {
    get browser() { return browser!; },
    get origin() { return served!.origin; },
    open: () => PanelPage.open(browser!, served!.origin),
  };
}
