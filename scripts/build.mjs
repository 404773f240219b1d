// One build script for every bundle: the CLI (Node), the extension host (Node, `vscode` external)
// and the training panel's webview (browser). Entries that do not exist yet are skipped.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRecurrence, recurrenceWasmName } from './wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
mkdirSync(dist, { recursive: true });

// Node bundles take the packages' ESM builds ('module'): tfjs's "main" node builds are marked
// side-effect free, so esbuild would drop the imports that register backends and kernels.
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

const targets = [
  {
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(dist, 'cli.js'),
    platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entryPoints: [join(root, 'src/host/extension.ts')],
    outfile: join(dist, 'extension.js'),
    platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'],
    external: ['vscode'],
  },
  {
    entryPoints: [join(root, 'webview/main.ts')],
    outfile: join(dist, 'webview.js'),
    platform: 'browser', format: 'esm', target: 'es2022',
  },
  {
    entryPoints: [join(root, 'webview/worker.ts')],
    outfile: join(dist, 'worker.js'),
    platform: 'browser', format: 'esm', target: 'es2022',
  },
].filter((t) => existsSync(t.entryPoints[0]));

// The wasm backend's binaries travel next to the bundles (setWasmPaths points at dist/). Not the
// threaded build: tfjs never uses it in Node, and the panel is not cross-origin isolated.
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];
for (const f of WASM_FILES) copyFileSync(join(wasmDir, f), join(dist, f));
rmSync(join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'), { force: true });

// Our fused recurrence for the wasm and cpu backends (AssemblyScript -> WebAssembly SIMD128), beside them.
writeFileSync(join(dist, recurrenceWasmName), await compileRecurrence());

// The DSL's JSON Schema for editors, one per display language (package.nls*.json pick the file for
// contributes.jsonValidation): annotations for completion and hover only, since the extension's own
// diagnostics report every problem (src/core/dsl/schemaL10n.ts). A text without a translation fails here.
const schemaOut = await esbuild.build({
  entryPoints: [join(root, 'src/core/dsl/schemaL10n.ts')], bundle: true, write: false, platform: 'node', format: 'cjs',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', schemaOut.outputFiles[0].text)(mod, mod.exports, () => ({}));
const { seqlabSchema, editorSchema, localizeSchema } = mod.exports;
for (const [locale, file] of [['en', 'seqlab.schema.json'], ['ko', 'seqlab.schema.ko.json']]) {
  writeFileSync(join(dist, file), JSON.stringify(editorSchema(localizeSchema(seqlabSchema, locale)), null, 2) + '\n');
}

if (watch) {
  for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  chmodSync(join(dist, 'cli.js'), 0o755); // the `seqlab` bin
}
