// What the .vsix must and must not hold, beyond "no sources": shared by `npm run package` and
// test/core/package.test.ts (which checks `vsce ls` without building a package).
//   - dist/cli.js stays out: VS Code never runs a package's `bin`; the CLI is used from a checkout.
//   - the threaded wasm build stays out: tfjs never loads it in Node, and the panel is not
//     cross-origin isolated (webview/backend.ts maps it to the SIMD build).
//   - every image the README shows is in (the extension's details page renders the README).
export const MUST_NOT_SHIP = ['dist/cli.js', 'dist/tfjs-backend-wasm-threaded-simd.wasm'];

/** Relative image paths in a README's markdown: ![alt](media/x.png). */
export function readmeImages(readme) {
  return [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((p) => !/^[a-z]+:/i.test(p));
}

/** What is wrong with a list of packaged files (paths as `vsce ls` prints them). */
export function vsixProblems(files, readme) {
  const problems = [];
  for (const f of MUST_NOT_SHIP) if (files.includes(f)) problems.push(`${f} must not ship`);
  for (const img of readmeImages(readme)) if (!files.includes(img)) problems.push(`${img} (shown in README.md) is not in the .vsix`);
  for (const need of ['dist/extension.js', 'dist/webview.js', 'dist/worker.js', 'dist/seqlab.schema.json', 'dist/seqlab.schema.ko.json']) {
    if (!files.includes(need)) problems.push(`${need} is not in the .vsix`);
  }
  return problems;
}
