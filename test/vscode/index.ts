// Mocha entry for the extension tests. VS Code (test-electron) or code-server (smoke-test driver)
// loads the compiled out/test/vscode/index.js inside the extension host and awaits run().
// Env (set by test/vscode/launch-codeserver.mjs, inherited by the extension host):
// SEQLAB_TEST_GREP (mocha grep), SEQLAB_TEST_GREP_INVERT=1 (run what does NOT match),
// SEQLAB_TEST_LOCALE (the display language the launcher started VS Code with).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60000, color: false, reporter: 'spec' });
  const grep = process.env.SEQLAB_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
    if (process.env.SEQLAB_TEST_GREP_INVERT === '1') mocha.invert();
  }
  const suiteDir = join(__dirname, 'suite');
  // smoke first: it checks that the extension activated by itself, before any test activates it.
  const files = readdirSync(suiteDir).filter((f) => f.endsWith('.test.js'))
    .sort((a, b) => Number(b === 'smoke.test.js') - Number(a === 'smoke.test.js') || a.localeCompare(b));
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js in ${suiteDir}`));
  for (const f of files) mocha.addFile(join(suiteDir, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
