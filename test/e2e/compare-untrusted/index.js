// extensionTestsPath of the untrusted-workspace suite: one launch with workspace trust on, the folder never trusted
// (run by test/compare/run.mjs).
exports.run = () => require('../suite/index.js').runDir(__dirname);
