// Compiles the extension test suite (test/vscode/index.ts + suite/*.test.ts) to out/test/vscode/
// as CommonJS for the extension host. `vscode` and `mocha` stay external: the host provides the
// first, the repo's node_modules the second.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outdir = join(root, 'out', 'test', 'vscode');
const suite = readdirSync(join(here, 'suite')).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, 'suite', f));

rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [join(here, 'index.ts'), ...suite],
  outbase: here,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`test/vscode: compiled index + ${suite.length} suite file(s) to ${outdir}`);
