// Bundles the client, the server and the CLI with esbuild, copies the shell grammar's wasm files,
// and bundles the tests (test/**/*.test.ts → out/test/**/*.test.js). The server and the CLI are always
// minified (a smaller bundle compiles faster at startup); `--production` also minifies the client and
// drops the source maps.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const production = process.argv.includes('--production');
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });

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
  banner: { js: "var __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(dist, 'extension.js'), external: ['vscode'] }),
  esbuild.build({ ...common, minify: true, entryPoints: [path.join(root, 'server/src/server.ts')], outfile: path.join(dist, 'server.js') }),
  esbuild.build({ ...common, minify: true, entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(dist, 'cli.js'), banner: { js: '#!/usr/bin/env node\n' + common.banner.js } }),
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
