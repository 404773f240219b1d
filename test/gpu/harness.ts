/**
 * Runs a browser entry (bundled here with esbuild's JS API) in headless Debian Chromium with
 * WebGPU on (SwiftShader here): a 127.0.0.1 server hands out one HTML page and the bundle from
 * memory. Used by test/gpu/*.test.ts and bench/gpu/run.ts.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = process.env.SEQLAB_CHROMIUM ?? '/usr/bin/chromium';

export interface GpuPage {
  page: Page;
  browser: Browser;
  close(): Promise<void>;
}

export async function bundle(entry: string): Promise<string> {
  const r = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
    sourcemap: 'inline', logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' },
  });
  return r.outputFiles[0].text;
}

/** Serve `entry` (bundled) on a blank page and open it in headless Chromium with WebGPU enabled. */
export async function openGpuPage(entry: string, o: { verbose?: boolean } = {}): Promise<GpuPage> {
  const js = await bundle(entry);
  const server: Server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>seqlab gpu</title><script type="module" src="/page.js"></script>');
    } else if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--no-sandbox', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(0);
  page.on('console', (m) => { if (o.verbose || process.env.SEQLAB_TEST_VERBOSE || m.type() === 'error') console.log(`[page ${m.type()}] ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (window as unknown as { seqlabReady?: boolean }).seqlabReady === true, undefined, { timeout: 120_000 });
  return {
    page, browser,
    close: async () => {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
