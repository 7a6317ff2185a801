// extensionTestsPath entry: the extension host loads this module and awaits run().
// One mocha run for every *.test.js beside it. When DFL_E2E_RESULTS names a file, a JSON summary
// ({ passed, failed, tests: [{ title, state, error }] }) is written there for run-all.mjs.
const fs = require('fs');
const path = require('path');

/** Runs every *.test.js in `dir` (another suite folder may reuse this runner). */
exports.runDir = async function runDir(dir) {
  // mocha 12's entry is an ES module re-exporting its CommonJS build; Node 24 (the extension host's
  // Node) can require() it, and plain require() keeps the test files on the CommonJS loader, where
  // VS Code resolves require('vscode').
  const mochaExports = require('mocha');
  const Mocha = mochaExports.default || mochaExports;
  const mocha = new Mocha({
    ui: 'tdd', color: false, reporter: 'spec', timeout: 60000, slow: 5000,
    grep: process.env.DFL_E2E_GREP || undefined,
  });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(path.join(dir, f));

  const tests = [];
  const failures = await new Promise((resolve) => {
    const runner = mocha.run(resolve);
    let hookStart = 0;
    let hookMs = 0;
    runner.on('hook', () => { hookStart = Date.now(); });
    runner.on('hook end', () => { hookMs += Date.now() - hookStart; });
    runner.on('end', () => console.log(`hooks took ${hookMs} ms`));
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on('fail', (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', error: String(err && (err.stack || err.message) || err) }));
  });
  const passed = tests.filter((t) => t.state === 'passed').length;
  const failed = tests.filter((t) => t.state === 'failed').length;
  console.log(`extension-host suite: ${passed} passed, ${failed} failed`);
  if (process.env.DFL_E2E_RESULTS) {
    fs.writeFileSync(process.env.DFL_E2E_RESULTS, `${JSON.stringify({ passed, failed, tests }, null, 2)}\n`);
  }
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
};

exports.run = () => exports.runDir(__dirname);
