#!/usr/bin/env node
// `npm run package`: production build, then vsce (offline; dependencies are bundled by esbuild, so
// --no-dependencies), then a check that the .vsix holds what it should and nothing else.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeserver.mjs';
import { vsixProblems } from './vsix-contents.mjs';

const out = join(repoRoot, 'dist-vsix', 'seqlab.vsix');
const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: opts.capture ? 'pipe' : 'inherit' });
  if (r.status !== 0) {
    if (opts.capture) process.stderr.write(r.stdout + r.stderr);
    console.error(`package: ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(1);
  }
  return r.stdout;
}

mkdirSync(join(repoRoot, 'dist-vsix'), { recursive: true });
run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production']);
// Without a `repository` in package.json vsce cannot rewrite README's relative links (and asks
// about the missing field); without a LICENSE file it asks too. Both prompts would hang CI.
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const flags = ['--no-dependencies', '-o', out];
if (!manifest.repository) flags.push('--allow-missing-repository', '--no-rewrite-relative-links');
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(repoRoot, f)))) flags.push('--skip-license');
const vsceOut = run(process.execPath, [vsce, 'package', ...flags], { capture: true });
for (const line of vsceOut.split('\n')) if (/WARNING|ERROR|DONE/.test(line)) console.log(line.trim());

// What went in: vsce ls lists the files .vscodeignore lets through.
const files = run(process.execPath, [vsce, 'ls', '--no-dependencies'], { capture: true })
  .split('\n').map((l) => l.trim()).filter(Boolean);
const bad = files.filter((f) => /\.map$|^src\/|^test\/|^node_modules\/|^out\/|^\.|tsconfig|\.ts$/.test(f));
for (const need of ['package.json', 'dist/extension.js']) {
  if (!files.includes(need)) { console.error(`package: ${need} is not in the .vsix`); process.exit(1); }
}
if (bad.length) { console.error(`package: files that must not ship are in the .vsix: ${bad.join(', ')}`); process.exit(1); }
const problems = vsixProblems(files, readFileSync(join(repoRoot, 'README.md'), 'utf8'));
if (problems.length) { console.error(`package: ${problems.join('; ')}`); process.exit(1); }
const size = statSync(out).size;
console.log(`package: ${out} ${(size / 1024).toFixed(0)} KiB (${size} bytes), ${files.length} files`);
