// extensionTestsPath of the Build and Compare suite (run by test/compare/run.mjs, the `compare` layer: it builds
// images, so it needs root, podman and the local stand-in bases, like the images layer).
exports.run = () => require('../suite/index.js').runDir(__dirname);
