#!/usr/bin/env node
// Launcher A (offline; what `npm run test:vscode` and CI use): runs the mocha suite in
// out/test/vscode/ inside the extension host of a real VS Code (code-server 4.139 = Code 1.139,
// OSS build) opened in headless Debian Chromium, with this repository as the development extension.
//
// Passes: by default two, each its own server and window:
//   1. display language en, every test whose title does not contain "@ko"
//   2. display language ko (code-server --locale ko), only the tests whose title contains "@ko"
//   3. workspace trust enabled, the folder not trusted: only the tests whose title contains "@untrusted"
// Overrides: SEQLAB_TEST_LOCALE=ko and/or SEQLAB_TEST_GREP=<mocha grep> run a single pass with
// exactly that (SEQLAB_TEST_GREP_INVERT=1 inverts the grep). SEQLAB_TEST_NO_BUILD=1 skips
// `npm run build` + the suite build. SEQLAB_TEST_TIMEOUT_S (default 600) bounds the whole run.
// SEQLAB_TEST_EXTENSION_DIR tests another unpacked copy of the extension instead of the repo.
// SEQLAB_TEST_KEEP=1 keeps the scratch dirs, SEQLAB_TEST_VERBOSE=1 shows code-server's output.
// Exit code: 0 when every pass ran and passed, 1 otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { format } from 'node:util';
import { join } from 'node:path';
import {
  repoRoot, ensureSetup, makeScratch, makeWorkspace, startCodeServer, launchChromium, workbenchUrl, testPasses,
} from '../../scripts/vscode-test/codeserver.mjs';

const timeoutS = Number(process.env.SEQLAB_TEST_TIMEOUT_S || 600);
const testsIndex = join(repoRoot, 'out', 'test', 'vscode', 'index.js');
// The extension under test: the repository itself, or SEQLAB_TEST_EXTENSION_DIR (an unpacked copy).
const extensionDir = process.env.SEQLAB_TEST_EXTENSION_DIR || repoRoot;
const log = (msg) => console.log(`[vscode-test] ${msg}`);
const verbose = process.env.SEQLAB_TEST_VERBOSE === '1';
// The workbench's own log lines that are expected offline (see the notes); shown with SEQLAB_TEST_VERBOSE=1.
const noise = [
  /ENOTFOUND open-vsx\.org/, /authentication provider 'github'/, /vsda/, /^Resolv(ing|ed) connection token/,
  /^Creating a socket/, /^\[reconnection-grace-time\]/, /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/, /^\[AgentHost/, /^\[AccountPolicyGate\]/, /^\[driver\]/,
];

const cleanups = [];
async function cleanupAll() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch (e) { console.error(e); }
  }
}

const hardTimer = setTimeout(async () => {
  console.error(`[vscode-test] FAILED: overall timeout of ${timeoutS} s reached (SEQLAB_TEST_TIMEOUT_S); stopping.`);
  await cleanupAll();
  process.exit(1);
}, timeoutS * 1000);
hardTimer.unref();
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await cleanupAll(); process.exit(130); });

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/** One pass: fresh server + workspace + browser, returns the suite's exit code. */
async function runPass({ name, locale, grep, invert, env, trust }) {
  const t0 = Date.now();
  const scratch = makeScratch(`seqlab-vscode-${name}-`);
  cleanups.push(scratch.cleanup);
  const workspace = makeWorkspace(join(scratch.dir, 'workspace'));
  const server = await startCodeServer({ dir: scratch.dir, locale, env, trust });
  cleanups.push(server.stop);
  log(`[${name}] code-server ${server.url} (pid ${server.pid}), workspace ${workspace}, locale ${locale || 'default'}` +
    (grep ? `, grep ${invert ? 'NOT ' : ''}/${grep}/` : ''));

  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    if (!verbose && noise.some((re) => re.test(text))) return;
    for (const line of text.split('\n')) console.log(`  ${line}`);
    void type;
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  page.on('pageerror', (e) => { if (verbose) console.log(`[page error] ${e.message}`); });
  await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: extensionDir, extensionTestsPath: testsIndex }));
  const code = await exited;
  log(`[${name}] suite exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (code !== 0 && process.env.SEQLAB_TEST_VERBOSE !== '1') {
    const tail = server.output().split('\n').filter((l) => l.trim() && !noise.some((re) => re.test(l))).slice(-20);
    console.log(`[vscode-test] [${name}] last code-server output:\n${tail.join('\n')}`);
  }
  await browser.close();
  await server.stop();
  scratch.cleanup();
  return code;
}

let exitCode = 1;
try {
  const t0 = Date.now();
  ensureSetup();
  if (process.env.SEQLAB_TEST_NO_BUILD !== '1') {
    run('npm', ['run', '--silent', 'build']);
    run(process.execPath, [join(repoRoot, 'test', 'vscode', 'build.mjs')]);
  }
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} missing: run node test/vscode/build.mjs`);
  if (!existsSync(join(extensionDir, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing: npm run build failed to produce it');

  const results = [];
  for (const p of testPasses()) results.push([p.name, await runPass(p)]);
  const failed = results.filter(([, c]) => c !== 0);
  log(`${results.map(([n, c]) => `${n}: ${c === 0 ? 'passed' : `FAILED (exit ${c})`}`).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  exitCode = failed.length ? 1 : 0;
} catch (e) {
  console.error(`[vscode-test] FAILED: ${e instanceof Error ? e.stack : e}`);
  exitCode = 1;
} finally {
  await cleanupAll();
}
process.exit(exitCode);
