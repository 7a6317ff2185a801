// Bundles the client, the server and the CLI with esbuild, copies the shell grammar's wasm files,
// and bundles the tests (test/**/*.test.ts → out/test/**/*.test.js). The server and the CLI are always
// minified (a smaller bundle compiles faster at startup); `--production` also minifies the client and
// drops the source maps. `--readable` leaves the server and the CLI unminified, so CPU profiles name
// functions (for profiling only: startup is slower).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const production = process.argv.includes('--production');
const small = !process.argv.includes('--readable');
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });

// web-tree-sitter loads two Node built-ins with `import()`. Code that V8 restores from a cache has no
// dynamic-import hook, so in the bundle these become plain requires (same modules, same exports),
// through the bundle's own `require` (the module names a local variable `require` too).
const requireNodeBuiltins = {
  name: 'require-node-builtins',
  setup(build) {
    build.onLoad({ filter: /web-tree-sitter[\\/]tree-sitter\.js$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, 'utf8');
      let out = src.replace(/\bimport\((["'])(fs\/promises|module)\1\)/g, 'Promise.resolve(__builtinRequire("$2"))');
      if (out === src) throw new Error('web-tree-sitter no longer imports fs/promises or module dynamically: revisit require-node-builtins');
      // Language.load also takes a compiled WebAssembly.Module (the launcher compiles the grammar early);
      // the loader underneath already accepts one.
      const before = out;
      out = out.replace('if (input instanceof Uint8Array) {', 'if (input instanceof Uint8Array || input instanceof WebAssembly.Module) {');
      if (out === before) throw new Error('web-tree-sitter Language.load changed: revisit require-node-builtins');
      return { contents: out, loader: 'js' };
    });
  },
};

// vscode-languageserver and vscode-jsonrpc load `child_process` and `crypto` when their modules load, for
// code the server never runs on its way to answering `initialize` (resolving global node modules, pipe
// names, random ids). Loading those two Node built-ins took about 12 ms of a 35 ms bundle start here, so in
// the bundle they load at their first use instead: the require becomes a stand-in object whose property
// reads load the module (every use in these files reads a property, `(0, crypto_1.randomUUID)()`).
const LAZY_BUILTINS = {
  'vscode-languageserver/lib/node/files.js': ['child_process'],
  'vscode-jsonrpc/lib/node/ril.js': ['crypto'],
  'vscode-jsonrpc/lib/node/main.js': ['crypto'],
};
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]vscode-(languageserver|jsonrpc)[\\/]lib[\\/]node[\\/](files|ril|main)\.js$/ }, async (args) => {
      const rel = args.path.split(/[\\/]node_modules[\\/]/).pop().replace(/\\/g, '/');
      const ids = LAZY_BUILTINS[rel];
      if (!ids) return undefined;
      let out = await fs.promises.readFile(args.path, 'utf8');
      for (const id of ids) {
        const before = out;
        out = out.replace(`require("${id}")`, `__lazyBuiltin("${id}")`);
        if (out === before) throw new Error(`${rel} no longer requires ${id}: revisit lazy-builtins`);
      }
      return { contents: out, loader: 'js' };
    });
  },
};

// Libraries only some runs need (the YAML config reader) go in files of their own, loaded on first use:
// every start of the server and the CLI would otherwise read and load their code for nothing.
const LAZY = { yaml: 'vendor-yaml.js' };
const lazyVendor = {
  name: 'lazy-vendor',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${Object.keys(LAZY).join('|')})$`) }, (args) => ({ path: `./${LAZY[args.path]}`, external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // web-tree-sitter's module reads import.meta.url, which a CommonJS bundle must provide.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: {
    js:
      "var __importMetaUrl = require('url').pathToFileURL(__filename).href, __builtinRequire = require, " +
      '__lazyBuiltin = (id) => { let m; return new Proxy({}, { get: (_, key) => (m ??= require(id))[key] }); };',
  },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(dist, 'extension.js'), external: ['vscode'] }),
  // The server and the CLI: a small launcher each (dist/server.js, dist/cli.js) that runs the bundle
  // (server.main.js, cli.main.js) with a V8 code cache (server/src/node/launch.ts).
  esbuild.build({ ...common, minify: small, plugins: [requireNodeBuiltins, lazyVendor, lazyBuiltins], entryPoints: [path.join(root, 'server/src/server.ts')], outfile: path.join(dist, 'server.main.js') }),
  esbuild.build({ ...common, minify: small, plugins: [requireNodeBuiltins, lazyVendor, lazyBuiltins], entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(dist, 'cli.main.js') }),
  ...Object.entries(LAZY).map(([pkg, file]) =>
    esbuild.build({ ...common, minify: true, stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: root, loader: 'js' }, outfile: path.join(dist, file) }),
  ),
  // Both launchers are npm bins (dockerfile-lean, dockerfile-lean-server): a shebang each.
  esbuild.build({ ...common, minify: true, entryPoints: [path.join(root, 'server/src/launch/server.ts')], outfile: path.join(dist, 'server.js'), banner: { js: '#!/usr/bin/env node' } }),
  // The GitHub Action's entry (action.yml): runs dist/cli.js, so it needs nothing built where it is used.
  esbuild.build({ ...common, minify: true, entryPoints: [path.join(root, 'server/src/action.ts')], outfile: path.join(dist, 'action.js') }),
  esbuild.build({ ...common, minify: true, entryPoints: [path.join(root, 'server/src/launch/cli.ts')], outfile: path.join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node' } }),
]);

for (const [pkg, file] of [['web-tree-sitter', 'tree-sitter.wasm'], ['tree-sitter-bash', 'tree-sitter-bash.wasm']]) {
  fs.copyFileSync(require.resolve(`${pkg}/${file}`), path.join(dist, file));
}

// Tests written in TypeScript: each file bundled on its own, dependencies left external.
const testFiles = [];
const walk = (d) => {
  if (!fs.existsSync(d)) return;
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory() && e.name !== 'e2e' && e.name !== 'fixtures' && e.name !== 'images') walk(p);
    else if (e.isFile() && /\.(test|helpers)\.ts$/.test(e.name)) testFiles.push(p);
  }
};
walk(path.join(root, 'test'));
if (testFiles.length) {
  fs.rmSync(path.join(root, 'out/test'), { recursive: true, force: true });
  await esbuild.build({
    ...common,
    sourcemap: 'inline',
    minify: false,
    entryPoints: testFiles,
    outdir: path.join(root, 'out/test'),
    outbase: path.join(root, 'test'),
    packages: 'external',
  });
}
