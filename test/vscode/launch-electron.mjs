#!/usr/bin/env node
// Launcher B (needs internet: `npm run test:electron`): the same mocha suite (out/test/vscode/) in a
// desktop VS Code that @vscode/test-electron downloads from the update server into .vscode-test/.
// It cannot run offline (no npm or Debian package ships a VS Code desktop build), so CI uses
// test/vscode/launch-codeserver.mjs; this one is for developers' machines.
//
// Same passes and env as launch-codeserver.mjs (English without "@ko" tests, then Korean with only
// them; SEQLAB_TEST_LOCALE / SEQLAB_TEST_GREP / SEQLAB_TEST_GREP_INVERT for a single pass).
// SEQLAB_VSCODE_VERSION picks the VS Code version to download (default 'stable'; e.g. 1.90.0 to
// check the oldest version engines.vscode allows). On Linux without a display use xvfb-run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot, makeScratch, makeWorkspace, registerLanguagePack, testPasses } from '../../scripts/vscode-test/codeserver.mjs';

const testsIndex = join(repoRoot, 'out', 'test', 'vscode', 'index.js');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

let failed = 0;
try {
  run('npm', ['run', '--silent', 'build']);
  run(process.execPath, [join(repoRoot, 'test', 'vscode', 'build.mjs')]);
  for (const pass of testPasses()) {
    const scratch = makeScratch(`seqlab-electron-${pass.name}-`);
    try {
      const workspace = makeWorkspace(join(scratch.dir, 'workspace'));
      const userData = join(scratch.dir, 'user-data');
      const launchArgs = [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome',
        '--skip-release-notes', '--disable-gpu', '--user-data-dir', userData, '--extensions-dir', join(scratch.dir, 'extensions')];
      if (pass.locale) {
        launchArgs.push('--locale', pass.locale);
        // As in code-server: without a registered language pack VS Code falls back to English.
        if (!pass.locale.startsWith('en')) registerLanguagePack(userData, pass.locale);
      }
      console.log(`[vscode-test electron] [${pass.name}] locale ${pass.locale || 'default'}${pass.grep ? `, grep ${pass.invert ? 'NOT ' : ''}/${pass.grep}/` : ''}`);
      const code = await runTests({
        version: process.env.SEQLAB_VSCODE_VERSION || 'stable',
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: testsIndex,
        extensionTestsEnv: pass.env,
        launchArgs,
      }).then(() => 0, (err) => { console.error(`[vscode-test electron] [${pass.name}] ${err}`); return 1; });
      if (code !== 0) failed++;
    } finally {
      scratch.cleanup();
    }
  }
} catch (e) {
  console.error(`[vscode-test electron] FAILED: ${e instanceof Error ? e.message : e}`);
  failed++;
}
console.log(`[vscode-test electron] ${failed ? 'FAILED' : 'passed'}`);
process.exit(failed ? 1 : 0);
