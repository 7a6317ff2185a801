#!/usr/bin/env node
// Browser UI layer: the packaged .vsix installed into code-server, driven through the real workbench
// by headless Chromium. Scenarios (one workbench session, each scenario passes or fails on its own):
//   quick-fix-non-root   squiggle + Problems count on example c, Ctrl+. , pick the fix, Ctrl+S, disk
//   quick-fix-merge      Ctrl+. on an apt-get RUN of example a, pick "Merge…", Ctrl+S, disk
//   quick-fix-convert    Ctrl+. "Convert…" on the Go example: the preview opens and waits; closing it changes nothing
//   palette-convert      F1 "Dockerfile Lean: Convert to Multi-Stage Build", the preview's title-bar Apply, Ctrl+S, disk
//   doc-shots            (E2E_DOC_SHOTS=1) the README's pictures, cropped: docs-*.png
//   problems-and-hover   a FastAPI-style file: the Problems panel's rows start with the messages' short first
//                        sentences (the lone apt-get update inside the merge, as its related information) and
//                        the hover shows the detail
// Screenshots go to test/e2e/artifacts/ (E2E_ARTIFACTS), one always on failure.
//
//   E2E_VSIX=<file>     use this .vsix instead of packaging the repo (npm run build must have run)
//   E2E_SETTLE_MS       pause before retrying Ctrl+. (default 1500)
//   DFL_E2E_RESULTS     write { passed, failed, tests } JSON here
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  REPO, ARTIFACTS, VSIX, log, assertInstalled, makeScratch, codeServerCli, startServer, launchBrowser,
} from './lib.mjs';

const FIXTURES = {
  apt: 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["curl", "--version"]\n',
  go: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nCMD ["/out/server"]\n',
  node: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n',
  fastapi: 'FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN apt-get update\nRUN apt-get install -y gcc libpq-dev\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["uvicorn", "main:app", "--host", "0.0.0.0"]\n',
};
const SETTLE_MS = Number(process.env.E2E_SETTLE_MS ?? 1500);

/**
 * Package the repo as a .vsix (dist/ must be built), deciding contents by the repo's .vscodeignore.
 * vsce lists every file under its folder before applying .vscodeignore, and this folder holds the
 * 800 MB tool cache (and other caches): run it on a copy without node_modules/.git/.cache folders,
 * which takes a second instead of most of a minute and packs the same files.
 */
export function packageVsix(out = VSIX) {
  if (!existsSync(join(REPO, 'dist/extension.js'))) throw new Error('dist/extension.js missing: run npm run build first');
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const stage = mkdtempSync(join(tmpdir(), 'dfl-e2e-vsix-'));
  try {
    cpSync(REPO, stage, {
      recursive: true,
      filter: (src) => {
        const rel = relative(REPO, src);
        return !rel.split(sep).some((part) => SKIP_DIRS.has(part)) && rel !== join('test', 'e2e', 'artifacts');
      },
    });
    const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out];
    // Without a .vscodeignore or package.json "files" vsce would pack everything: fall back to ours.
    if (!existsSync(join(REPO, '.vscodeignore')) && !JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).files) args.push('--ignoreFile', join(REPO, 'test/e2e/vsix.ignore'));
    execFileSync(join(REPO, 'node_modules/.bin/vsce'), args, { cwd: stage, stdio: ['ignore', 'pipe', 'inherit'] });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return out;
}
const SKIP_DIRS = new Set(['node_modules', '.git', '.cache']);

const untilDisk = async (file, ok, what, timeout = 20000) => {
  const end = Date.now() + timeout;
  let text = readFileSync(file, 'utf8');
  while (!ok(text)) {
    if (Date.now() > end) throw new Error(`${what} not on disk after ${timeout} ms; file is:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
    text = readFileSync(file, 'utf8');
  }
  return text;
};
const lines = (t) => t.split('\n');
const lineIdx = (t, re) => lines(t).findIndex((l) => re.test(l));

class Workbench {
  constructor(page, shots) { this.page = page; this.shots = shots; this.n = 0; }

  async shot(name) {
    this.n += 1;
    const path = join(ARTIFACTS, `ui-${this.shots}-${String(this.n).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path }).catch(() => {});
    return path;
  }

  editor(rel) { return this.page.locator(`.monaco-editor[data-uri$="${rel}"]`).first(); }

  async problems() {
    return (await this.page.locator('[id="status.problems"]').getAttribute('aria-label')) ?? '';
  }

  /** Open a workspace file through Quick Open and wait for its editor. */
  async open(rel) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(rel);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: rel.split('/').pop() }).first().waitFor({ timeout: 10000 });
    await this.page.keyboard.press('Enter');
    const ed = this.editor(rel);
    await ed.waitFor({ timeout: 20000 });
    return ed;
  }

  /** Ctrl+. until the quick-fix menu shows a row matching `title`; click it. */
  async quickFix(title, name, { click = true } = {}) {
    const row = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    // Ctrl+. right as the squiggle appears can find no actions yet: settle, then retry up to 4 times
    await this.page.waitForTimeout(SETTLE_MS);
    for (let i = 1; ; i++) {
      await this.page.keyboard.press('Control+Period');
      try { await row.waitFor({ timeout: 5000 }); break; } catch (e) {
        await this.shot(`${name}-retry-${i}`);
        if (i === 4) {
          const shown = await this.page.locator('.action-widget .monaco-list-row').allInnerTexts().catch(() => []);
          throw new Error(`quick-fix menu never showed ${title} after ${i} tries; rows: ${JSON.stringify(shown)}`);
        }
        log(`  quick-fix menu without ${title} (try ${i}), retrying`);
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(SETTLE_MS);
      }
    }
    await this.shot(`${name}-menu`);
    if (click) await row.click();
  }

  /** A text-labelled action in the active editor's title bar (the preview's Apply and Cancel). */
  titleAction(label) {
    return this.page.locator('.editor-actions .action-item', { hasText: new RegExp(`^${label}$`) }).first();
  }

  /** Waits for the conversion preview (its diff and its title-bar buttons), long past the old notification's 10 s. */
  async previewShown(name) {
    await this.page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30000 });
    await this.titleAction('Apply').waitFor({ timeout: 10000 });
    await this.titleAction('Cancel').waitFor({ timeout: 10000 });
    await this.shot(`${name}-preview`);
    await this.page.waitForTimeout(11000);
    if (!(await this.titleAction('Apply').isVisible())) throw new Error('the preview closed by itself');
    if (await this.page.locator('.notification-toast').count()) throw new Error('a notification asks instead of the preview');
  }

  async save(ed) {
    await ed.locator('.view-lines').click({ position: { x: 5, y: 5 } }).catch(() => {});
    await this.page.keyboard.press('Control+S');
  }
}

async function scenarioQuickFixNonRoot(wb, ws) {
  const file = join(ws, 'node/Dockerfile');
  const ed = await wb.open('node/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await wb.page.waitForFunction(() => /Warnings: 1\b/.test(document.getElementById('status.problems')?.getAttribute('aria-label') ?? ''), null, { timeout: 20000 })
    .catch(async () => { throw new Error(`Problems count: "${await wb.problems()}", want 1 warning`); });
  log(`  squiggle shown; status bar: ${await wb.problems()}`);
  await wb.shot('diagnostic');
  // put the cursor on the diagnostic: F8 jumps to it (and opens the marker view, which Escape closes)
  await ed.locator('.view-line').first().click();
  await wb.page.mouse.move(3, 600); // keep the hover off the squiggle
  await wb.page.keyboard.press('Control+Home');
  await wb.page.keyboard.press('F8');
  await wb.page.locator('.marker-widget').first().waitFor({ timeout: 10000 }).catch(() => {});
  await wb.shot('marker');
  await wb.page.keyboard.press('Escape');
  await wb.quickFix(/non-root|user/i, 'non-root');
  await ed.locator('.view-line', { hasText: 'USER node' }).first().waitFor({ timeout: 20000 });
  await wb.save(ed);
  const disk = await untilDisk(file, (t) => t.includes('USER node'), 'USER node');
  if (!lines(disk).includes('COPY --chown=node:node . .')) throw new Error(`no "COPY --chown=node:node . ." on disk:\n${disk}`);
  const user = lineIdx(disk, /^USER node\s*$/);
  const cmd = lineIdx(disk, /^CMD /);
  if (!(user >= 0 && cmd > user)) throw new Error(`USER node must come before CMD on disk:\n${disk}`);
  await ed.locator('.squiggly-warning').first().waitFor({ state: 'detached', timeout: 20000 });
  await wb.page.waitForFunction(() => /No Problems|Warnings: 0\b/.test(document.getElementById('status.problems')?.getAttribute('aria-label') ?? ''), null, { timeout: 20000 })
    .catch(async () => { throw new Error(`Problems count after the fix: "${await wb.problems()}"`); });
  await wb.shot('after-fix');
}

async function scenarioQuickFixMerge(wb, ws) {
  const file = join(ws, 'apt/Dockerfile');
  const ed = await wb.open('apt/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await wb.page.waitForFunction(() => /Warnings: [1-9]/.test(document.getElementById('status.problems')?.getAttribute('aria-label') ?? ''), null, { timeout: 20000 });
  log(`  squiggles shown; status bar: ${await wb.problems()}`);
  await wb.shot('diagnostics');
  await ed.locator('.view-line', { hasText: 'apt-get install' }).first().click();
  await wb.page.mouse.move(3, 600);
  await wb.quickFix(/Merge/, 'merge');
  await ed.locator('.view-line', { hasText: 'apt-get update && \\' }).first().waitFor({ timeout: 20000 });
  await wb.save(ed);
  const disk = await untilDisk(file, (t) => t.includes('RUN apt-get update && \\'), 'RUN apt-get update && \\');
  const runs = lines(disk).filter((l) => /^RUN\b/.test(l));
  if (runs.length !== 1) throw new Error(`${runs.length} RUN instructions on disk, want 1:\n${disk}`);
  if (!lines(disk).includes('RUN apt-get update && \\')) throw new Error(`no line "RUN apt-get update && \\":\n${disk}`);
  await wb.shot('after-merge');
}

async function scenarioPaletteConvert(wb, ws) {
  const file = join(ws, 'go/Dockerfile');
  const ed = await wb.open('go/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await ed.locator('.view-line').first().click();
  await wb.page.keyboard.press('F1');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10000 });
  await input.fill('>Dockerfile Lean: Convert to Multi-Stage Build');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Convert to Multi-Stage Build' }).first().waitFor({ timeout: 10000 });
  await wb.shot('palette');
  await wb.page.keyboard.press('Enter');
  // The conversion previews first: a diff with Apply and Cancel in its title bar, waiting for an answer.
  await wb.previewShown('palette');
  log('  preview shown, accepting with the title bar\'s Apply');
  await wb.titleAction('Apply').click();
  const after = wb.editor('go/Dockerfile');
  await after.locator('.view-line', { hasText: 'AS build' }).first().waitFor({ timeout: 20000 });
  await wb.save(after);
  const disk = await untilDisk(file, (t) => t.includes('AS build'), 'the converted Dockerfile');
  const want = [/^FROM golang:1\.22 AS build$/, /^FROM gcr\.io\/distroless\/static-debian12:nonroot$/,
    /^COPY --from=build \/out\/server \/out\/server$/, /^CMD \["\/out\/server"\]$/];
  let at = -1;
  for (const re of want) {
    const i = lines(disk).findIndex((l, k) => k > at && re.test(l));
    if (i < 0) throw new Error(`expected ${re} after line ${at + 1} on disk:\n${disk}`);
    at = i;
  }
  await wb.shot('after-convert');
}

async function scenarioQuickFixConvert(wb, ws) {
  const file = join(ws, 'go/Dockerfile');
  const before = readFileSync(file, 'utf8');
  const ed = await wb.open('go/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await ed.locator('.view-line').first().click();
  await wb.page.mouse.move(3, 600);
  await wb.page.keyboard.press('Control+Home');
  await wb.quickFix(/^Convert/, 'convert');
  // The quick fix previews too; closing the diff is a no.
  await wb.previewShown('quick-fix');
  await wb.page.locator('.editor-group-container.active .tab.active .codicon-close, .editor-group-container.active .tab.active .tab-actions .action-label').first().click();
  await wb.page.locator('.monaco-diff-editor').first().waitFor({ state: 'detached', timeout: 10000 });
  const now = wb.editor('go/Dockerfile');
  await now.waitFor({ timeout: 10000 });
  if ((await now.locator('.view-line', { hasText: 'AS build' }).count()) > 0) throw new Error('closing the preview converted the file');
  if (readFileSync(file, 'utf8') !== before) throw new Error('closing the preview changed the file on disk');
  await wb.shot('closed-unchanged');
}

/**
 * Pictures for the README, each of one thing: the quick-fix menu beside its squiggle, the hover with the
 * rule's message, the Problems panel, the conversion preview with its Apply and Cancel. Cropped to the part
 * that shows it; saved as docs-*.png in the artifacts folder.
 */
async function scenarioDocShots(wb) {
  const page = wb.page;
  const area = async (selector, pad = 0) => {
    const box = await page.locator(selector).first().boundingBox();
    return box && { x: Math.max(0, box.x - pad), y: Math.max(0, box.y - pad), width: box.width + 2 * pad, height: box.height + 2 * pad };
  };
  const save = async (name, clip) => page.screenshot({ path: join(ARTIFACTS, `docs-${name}.png`), ...(clip ? { clip } : {}) });
  const palette = async (command) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(`>${command}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press('Enter');
  };
  // Only the example's tab in the pictures.
  await palette('View: Close All Editors');
  const ed = await wb.open('apt-tools/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(SETTLE_MS);
  const editorArea = async (h = 265) => {
    const box = await area('.editor-group-container.active');
    return { x: box.x, y: box.y, width: Math.min(box.width, 900), height: Math.min(box.height, h) };
  };
  // The hover on the install's squiggle: the message, the rule's link and its quick fix.
  const install = ed.locator('.view-line', { hasText: 'apt-get install' }).first();
  const lineBox = await install.boundingBox();
  await page.mouse.move(lineBox.x + 110, lineBox.y + lineBox.height / 2);
  await page.locator('.monaco-hover .hover-contents, .monaco-hover .marker').first().waitFor({ timeout: 15000 });
  await page.waitForTimeout(500);
  await save('hover', await editorArea());
  await page.mouse.move(3, 600);
  await page.keyboard.press('Escape');
  // The quick-fix menu, opened at the end of a squiggled line so the lines below stay readable.
  await install.click();
  await page.keyboard.press('End');
  await wb.quickFix(/^Merge/, 'docs', { click: false });
  await save('quick-fix', await editorArea());
  await page.keyboard.press('Escape');
  // The Problems panel with the file's findings.
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 10000 });
  await page.waitForTimeout(500);
  const panel = await area('.part.panel');
  await save('problems', { ...panel, height: Math.min(panel.height, 150) });
  await page.keyboard.press('Control+Shift+M');
  // The conversion preview with its buttons, the side bar hidden so both sides have room.
  await palette('View: Close All Editors');
  await wb.open('go-service/Dockerfile');
  await palette('Dockerfile Lean: Convert to Multi-Stage Build');
  await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30000 });
  await wb.titleAction('Apply').waitFor({ timeout: 10000 });
  await palette('View: Toggle Primary Side Bar Visibility');
  await page.waitForTimeout(1500);
  const group = await area('.editor-group-container.active');
  await save('convert-preview', { x: group.x, y: group.y, width: group.width, height: 300 });
  await palette('View: Toggle Primary Side Bar Visibility');
  await wb.titleAction('Cancel').click();
  await page.locator('.monaco-diff-editor').first().waitFor({ state: 'detached', timeout: 10000 });
}

async function scenarioProblemsAndHover(wb) {
  // Only this file's problems in the panel: the server clears a closed document's diagnostics.
  await wb.page.keyboard.press('Escape');
  await wb.page.keyboard.press('F1');
  const palette = wb.page.locator('.quick-input-widget input');
  await palette.waitFor({ timeout: 10000 });
  await palette.fill('>View: Close All Editors');
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Close All Editors' }).first().waitFor({ timeout: 10000 });
  await wb.page.keyboard.press('Enter');
  await wb.page.waitForFunction(() => /No Problems|Warnings: 0\b/.test(document.getElementById('status.problems')?.getAttribute('aria-label') ?? ''), null, { timeout: 20000 }).catch(() => {});
  const ed = await wb.open('fastapi/Dockerfile');
  await ed.locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
  await wb.page.waitForTimeout(SETTLE_MS);
  await wb.page.keyboard.press('Control+Shift+M');
  const panel = wb.page.locator('.markers-panel');
  await panel.waitFor({ timeout: 10000 });
  const merge = 'Merge these 3 RUN instructions: apt-get update on line 4 runs in a RUN of its own.';
  await panel.locator('.monaco-list-row', { hasText: merge }).first().waitFor({ timeout: 20000 });
  await wb.page.waitForTimeout(500);
  await wb.shot('problems');
  const rows = await panel.locator('.monaco-list-row').allInnerTexts();
  log(`  Problems rows:\n    ${rows.map((r) => r.replace(/\n/g, ' ⏎ ')).join('\n    ')}`);
  // Every marker row begins with its message's first line, one sentence of at most 100 characters, before the
  // source and the code (the detail lines follow in the same row).
  // (The list is virtual: rows below the panel's height are not rendered; the four warnings come first.)
  const markers = rows.filter((r) => r.includes('\ndockerfile-lean\n'));
  for (const rule of ['multi-stage', 'non-root-user', 'merge-run', 'pip-hygiene']) {
    if (!markers.some((r) => r.includes(`\n${rule}\n`))) throw new Error(`no ${rule} row in the Problems panel: ${JSON.stringify(rows)}`);
  }
  const badge = await panel.locator('.monaco-list-row .monaco-count-badge').first().innerText().catch(() => '');
  if (badge.trim() !== '5') throw new Error(`the file's problem count is ${JSON.stringify(badge)}, want 5 (the lone update is inside the merge)`);
  for (const r of markers) {
    const first = r.split('\n')[0];
    if (first.length > 100 || !first.endsWith('.')) throw new Error(`a Problems row begins with ${first.length} characters: ${first}`);
  }
  if (!rows.some((r) => r.includes('this merge resolves it'))) throw new Error(`no related-information row for the lone apt-get update: ${JSON.stringify(rows)}`);
  if (rows.some((r) => /^apt-get update runs in a RUN of its own/.test(r.trim()) && !r.includes('this merge resolves it'))) throw new Error(`the lone update is also reported on its own: ${JSON.stringify(rows)}`);
  await wb.page.keyboard.press('Control+Shift+M');
  // The hover over the install shows the whole message: the first sentence, then the detail.
  const install = ed.locator('.view-line', { hasText: 'apt-get install' }).first();
  const box = await install.boundingBox();
  const hover = wb.page.locator('.monaco-hover', { hasText: 'Recommended packages add' }).first();
  for (let i = 0; i < 3; i++) {
    await wb.page.mouse.move(box.x + 60 + i * 8, box.y + box.height / 2);
    try { await hover.waitFor({ state: 'visible', timeout: 8000 }); break; } catch (e) { if (i === 2) throw new Error('no hover with the detail over the install'); }
  }
  await wb.shot('hover');
  const text = await hover.innerText();
  // (gcc's install also keeps libc6-dev, which gcc only recommends: the first sentence names it.)
  if (!/apt-get install: add --no-install-recommends( and keep [\w.+-]+)?\.\s*\n\s*Recommended packages add/.test(text)) throw new Error(`hover text: ${JSON.stringify(text)}`);
  await wb.page.mouse.move(3, 600);
}

const SCENARIOS = [
  ['quick-fix-non-root', scenarioQuickFixNonRoot],
  ['quick-fix-merge', scenarioQuickFixMerge],
  ['quick-fix-convert', scenarioQuickFixConvert],
  ['palette-convert', scenarioPaletteConvert],
  // Its file's findings would count in the status bar the scenarios above read.
  ['problems-and-hover', scenarioProblemsAndHover],
  ...(process.env.E2E_DOC_SHOTS ? [['doc-shots', scenarioDocShots]] : []),
];

export async function runUi({ vsix = process.env.E2E_VSIX } = {}) {
  assertInstalled();
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) if (/^ui-.*\.png$/.test(f)) rmSync(join(ARTIFACTS, f));
  const results = [];
  const d = makeScratch('ui', { 'workbench.editor.enablePreview': false, 'editor.hover.delay': 3000 });
  const cleanup = [];
  try {
    let t = Date.now();
    const file = vsix ?? packageVsix();
    log(`vsix ${file} (${Date.now() - t} ms)`);
    t = Date.now();
    const out = await codeServerCli(d, ['--install-extension', file]);
    log(`installed: ${out.trim().split('\n').pop()} (${Date.now() - t} ms)`);
    // The pictures show the project's own examples (go-service with its go.mod for the conversion).
    const examples = process.env.E2E_DOC_SHOTS ? { 'apt-tools': 'examples/apt-tools/Dockerfile', 'go-service': 'examples/go-service/Dockerfile', 'go-service/go.mod': 'examples/go-service/go.mod' } : {};
    const files = { node: FIXTURES.node, apt: FIXTURES.apt, go: FIXTURES.go, fastapi: FIXTURES.fastapi };
    for (const [dir, src] of Object.entries(examples)) {
      const dest = dir.endsWith('.mod') ? join(d.workspace, dir) : join(d.workspace, dir, 'Dockerfile');
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, readFileSync(join(REPO, src)));
    }
    for (const [dir, text] of Object.entries(files)) {
      mkdirSync(join(d.workspace, dir), { recursive: true });
      writeFileSync(join(d.workspace, dir, 'Dockerfile'), text);
    }
    const server = await startServer(d, 'code-server');
    cleanup.unshift(() => server.stop());
    log(`code-server ${server.base} ready in ${server.startMs} ms`);
    const { browser, context } = await launchBrowser(d);
    cleanup.unshift(() => browser.close());
    const page = await context.newPage();
    t = Date.now();
    await page.goto(server.url(d.workspace));
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    await page.getByRole('treeitem', { name: 'node' }).first().waitFor({ timeout: 90000 });
    log(`workbench ready ${Date.now() - t} ms after navigation`);
    await new Workbench(page, '00').shot('workbench');

    for (const [name, fn] of SCENARIOS) {
      const wb = new Workbench(page, name);
      const t0 = Date.now();
      log(`scenario ${name}`);
      try {
        await fn(wb, d.workspace);
        results.push({ title: name, state: 'passed', ms: Date.now() - t0 });
        log(`  passed (${Date.now() - t0} ms)`);
      } catch (e) {
        const shot = await wb.shot('FAILURE');
        results.push({ title: name, state: 'failed', ms: Date.now() - t0, error: String(e.stack ?? e) });
        console.error(`  FAILED ${name}: ${e.message}\n  screenshot: ${shot}`);
        for (let i = 0; i < 3; i++) await page.keyboard.press('Escape').catch(() => {});
      }
    }
  } catch (e) {
    console.error(`UI layer could not run: ${e.stack ?? e}`);
    console.error(`server log: ${d.logFile}`);
    results.push({ title: 'ui setup', state: 'failed', error: String(e.stack ?? e) });
  } finally {
    for (const f of cleanup) await Promise.resolve().then(f).catch(() => {});
  }
  if (results.every((r) => r.state === 'passed')) d.dispose();
  else console.error(`scratch folder kept: ${d.root}`);
  const passed = results.filter((r) => r.state === 'passed').length;
  const failed = results.length - passed;
  if (process.env.DFL_E2E_RESULTS) writeFileSync(process.env.DFL_E2E_RESULTS, `${JSON.stringify({ passed, failed, tests: results }, null, 2)}\n`);
  log(`UI scenarios: ${passed} passed, ${failed} failed; screenshots in ${ARTIFACTS}`);
  return { passed, failed, tests: results };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { failed, passed } = await runUi();
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
