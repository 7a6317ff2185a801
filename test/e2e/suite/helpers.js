// Helpers for the extension-host suite: fixtures, Dockerfile creation, event-driven waiting.
const assert = require('assert');
const vscode = require('vscode');

const EXTENSION_ID = 'dockerfile-lean.dockerfile-lean';
const SOURCE = 'dockerfile-lean';

/** The three examples of the extension's contract. */
const FIXTURES = {
  apt: 'FROM debian:bookworm-slim\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get clean\nCMD ["curl", "--version"]\n',
  go: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server .\nCMD ["/out/server"]\n',
  node: 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node","index.js"]\n',
};

const root = () => vscode.workspace.workspaceFolders[0].uri;

/** `code` of a diagnostic as a string (VS Code turns code + codeDescription into { value, target }). */
function codeOf(d) {
  return d.code !== null && typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

/** Our diagnostics for `uri`, optionally only those of one rule. */
function ours(uri, rule) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && (!rule || codeOf(d) === rule));
}

function describe(uri) {
  return JSON.stringify(ours(uri).map((d) => ({
    code: codeOf(d), severity: d.severity, lines: `${d.range.start.line}-${d.range.end.line}`, message: d.message,
  })));
}

/**
 * Resolves once `predicate()` holds, checking now and on every diagnostics change (no polling sleep).
 * Rejects after `timeout` ms with `what` and the diagnostics of `uri` at that moment.
 */
function waitFor(uri, predicate, what, timeout = 20000) {
  return new Promise((resolve, reject) => {
    let sub;
    let timer;
    const done = (err, value) => { clearTimeout(timer); if (sub) sub.dispose(); if (err) reject(err); else resolve(value); };
    const check = () => {
      let v;
      try { v = predicate(); } catch (e) { done(e); return true; }
      if (v) { done(null, v); return true; }
      return false;
    };
    if (check()) return;
    sub = vscode.languages.onDidChangeDiagnostics(() => check());
    timer = setTimeout(() => done(new Error(`timed out after ${timeout} ms waiting for ${what}; diagnostics now: ${describe(uri)}`)), timeout);
  });
}

/** Wait until the rule's diagnostic is present (resolves with it). */
function waitForRule(uri, rule, timeout) {
  return waitFor(uri, () => ours(uri, rule)[0], `a ${rule} diagnostic`, timeout);
}

/** Wait until no diagnostic of the rule is left. */
function waitForNoRule(uri, rule, timeout) {
  return waitFor(uri, () => ours(uri, rule).length === 0, `${rule} to be gone`, timeout);
}

let counter = 0;
/** Write `text` to <workspace>/cases/<n>-<slug>/<name>, open it and make it the active editor. */
async function createDockerfile(slug, text, name = 'Dockerfile') {
  counter += 1;
  const uri = vscode.Uri.joinPath(root(), 'cases', `${String(counter).padStart(2, '0')}-${slug}`, name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  return { uri, doc, editor };
}

async function readDisk(uri) {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}

/** How each rule's quick fix is recognised by title (VS Code does not hand back CodeAction.diagnostics). */
const FIX_TITLES = {
  'merge-run': /merge/i,
  'apt-hygiene': /apt|recommends|package list/i,
  'non-root-user': /non-root|user/i,
  'multi-stage': /multi-stage|multi stage|stage/i,
};

/**
 * Code actions for `range` of kind `kind`, asked again every 100 ms until `pick(actions)` returns a
 * non-empty list, for at most `timeout` ms. Why ask again: executeCodeActionProvider runs in the
 * workbench, whose markers trail the extension host's diagnostics by a moment (the extension host
 * sees them first, then batches them over), and a server that reads context.diagnostics answers with
 * nothing while the workbench has none. This is that race, not a guess at the server's speed.
 */
async function codeActionsUntil(uri, range, kind, pick, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    // itemResolveCount: resolve lazily computed edits (codeAction/resolve), as the lightbulb does on pick
    const all = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 100)) || [];
    if (process.env.DFL_E2E_DEBUG) console.log(`code actions (${kind}) for ${what}:`, JSON.stringify(all.map((a) => a.title)));
    const picked = pick(all);
    if (picked.length) return picked;
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${timeout} ms; offered: ${JSON.stringify(all.map((a) => [a.title, a.kind && a.kind.value]))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The quick fixes for one diagnostic (see codeActionsUntil), best match first. */
function quickFixes(uri, diagnostic, timeout) {
  const rule = codeOf(diagnostic);
  if (process.env.DFL_E2E_DEBUG) {
    console.log(`quick fixes for ${rule} at ${JSON.stringify(diagnostic.range)}; all:`, JSON.stringify(ours(uri).map((d) => [codeOf(d), d.range])));
  }
  const others = Object.entries(FIX_TITLES).filter(([r]) => r !== rule).map(([, re]) => re);
  // the range of one diagnostic can overlap others (merge-run spans the apt-get lines): prefer the
  // actions titled for this rule and not for another
  return codeActionsUntil(uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value, (all) => {
    const mine = all.filter((a) => FIX_TITLES[rule].test(a.title));
    const only = mine.filter((a) => !others.some((re) => re.test(a.title)));
    return only.length ? only : mine;
  }, `quick fix for ${rule}`, timeout);
}

/** The conversion preview's diff tab, if one is open (its right side has the preview scheme). */
function previewTab() {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'dockerfile-lean-preview');
}

/** Resolves once a preview tab is open (checking now and on every tab change), within `timeout` ms. */
function waitForPreview(timeout = 20000) {
  return new Promise((resolve, reject) => {
    if (previewTab()) { resolve(previewTab()); return; }
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => { const t = previewTab(); if (t) { sub.dispose(); clearTimeout(timer); resolve(t); } });
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no preview tab within ${timeout} ms`)); }, timeout);
  });
}

/**
 * Apply a code action the way the workbench does: its edit first, then its command. A command that opens the
 * conversion preview is answered with `answer` ('apply' by default: the title bar's Apply).
 */
async function applyAction(action, answer = 'apply') {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applyEdit refused "${action.title}"`);
  if (action.command) {
    const cmd = typeof action.command === 'string' ? { command: action.command, arguments: [] } : action.command;
    const running = vscode.commands.executeCommand(cmd.command, ...(cmd.arguments || []));
    if (cmd.command === 'dockerfileLean.convertToMultiStage') {
      await waitForPreview();
      await vscode.commands.executeCommand(answer === 'apply' ? 'dockerfileLean.applyPreview' : 'dockerfileLean.cancelPreview');
    }
    await running;
  }
  assert.ok(action.edit || action.command, `code action "${action.title}" has neither edit nor command`);
}

/** Index of the first line matching `re` (string: exact trimmed-line match), -1 if none. */
function lineIndex(text, re) {
  const lines = text.split(/\r?\n/);
  return lines.findIndex((l) => (typeof re === 'string' ? l.trim() === re : re.test(l)));
}

function assertLine(text, re, msg) {
  const i = lineIndex(text, re);
  assert.ok(i >= 0, `${msg || `expected a line ${re}`} in:\n${text}`);
  return i;
}

/** Revert and close every editor, so no test leaves a dirty document for the next. */
async function closeAll() {
  const ws = root().toString();
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.toString().startsWith(ws))) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Update a setting in the workspace (resource settings of the extension are read per folder). */
async function setSetting(section, key, value) {
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Workspace);
}

module.exports = {
  EXTENSION_ID, SOURCE, FIXTURES, root, codeOf, ours, describe, waitFor, waitForRule, waitForNoRule,
  createDockerfile, readDisk, codeActionsUntil, quickFixes, applyAction, previewTab, waitForPreview, FIX_TITLES, lineIndex, assertLine, closeAll, setSetting,
};
