/**
 * The language server: connection, documents and wiring. No analysis here; every request reads the
 * one analysis of the document's current version.
 */
import {
  CodeAction,
  CodeActionKind,
  createConnection,
  ErrorCodes,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { analyze, docsUrl, fixAll, fixesFor, ignoreFixesFor, onRuleError, type Analysis } from './analysis/analyze';
import { buildModel, type Model } from './core/model';
import { printable } from './core/printable';
import { clearShellCache, initShell, shellReady as grammarLoaded } from './core/shell';
import { Deadline } from './core/deadline';
import { sameSettings, type AnalysisContext, type Finding, type Settings } from './core/types';
import { COMMAND_RULE, COMPARE_TEXTS_COMMAND, FIX_ALL_KIND, SERVER_NAME, SHOW_REASON_COMMAND, ServerCommands, type CommandArgs, type CommandResult, type CompareTextsArgs, type CompareTextsResult, type ReasonArgs } from './protocol';
import { compareTexts } from './analysis/compare-inputs';
import { minimalEdit, toDiagnostic, toLspEdits, type DiagnosticData } from './lsp/convert';
import { plainText } from './core/plain-text';
import { SettingsStore } from './lsp/settings';
import { contextFor } from './lsp/context';
import { useBaselineWasmCompiler } from './node/wasm-tier';
import { describeError } from './lsp/errors';
import { processExists } from './lsp/client-process';
import { installTestHook } from './lsp/test-hook';
import { keepReadingAfterBadHeaders } from './lsp/reader';
import { trace } from './node/trace';
import { RULE_IDS, getRule } from './rules/index';
import { turnRuleOff } from './node/config-edit';
import { readBounded } from './node/files';

trace('loaded');
keepReadingAfterBadHeaders();
const connection: Connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const settings = new SettingsStore(connection);
useBaselineWasmCompiler();
const shellReady = initShell().then(() => trace('shell grammar ready'), (err) => {
  connection.console.error(`shell grammar failed to load; RUN bodies are not analysed: ${String(err)}`);
});

/** Milliseconds to wait after a change before analysing, so a burst of keystrokes costs one analysis. */
const DEBOUNCE_MS = 12;

/**
 * The time budget of each analysis, fix-all and code action (core/deadline.ts): past it, the multi-stage
 * conversion is not planned and everything else still publishes. The slowest plan of the fixtures and examples
 * took 140 ms, the first one of a process (warm: under 60 ms).
 */
const BUDGET_MS = 2000;

function budget(context: AnalysisContext = {}): AnalysisContext {
  return { ...context, deadline: new Deadline(BUDGET_MS, { poll: exitIfClientGone, pollMs: CLIENT_POLL_MS }) };
}

/**
 * The client's process (initialize `processId`). The connection checks it every 3 s with a timer, which cannot
 * run while an analysis keeps this thread busy; so a long analysis also asks, at its boundaries (between rules,
 * in the multi-stage planner), at most every CLIENT_POLL_MS, and the server exits once the client is gone.
 */
let clientPid: number | null = null;
const CLIENT_POLL_MS = 500;
let shutdownReceived = false;

function exitIfClientGone(): void {
  if (clientPid !== null && !processExists(clientPid)) process.exit(shutdownReceived ? 0 : 1);
}

interface DocState {
  analysis: Analysis | null;
  version: number;
  model: Model | null;
  modelVersion: number;
  /** An analysis made before the client answered the settings request (see current). */
  speculative: { cfg: Settings; model: Model; analysis: Analysis } | null;
  settings: Settings | null;
  timer: NodeJS.Timeout | null;
  justOpened: boolean;
  /** The analysis last published: a re-check that finds nothing changed publishes nothing. */
  published: Analysis | null;
}
const states = new Map<string, DocState>();
let resolveSupport = false;
/** Whether the client shows a diagnostic's related information (the findings folded into it: core/overlaps.ts). */
let relatedSupport = false;
/** The command a declined conversion's "Show why" action runs: the client's own (initializationOptions), else the server's. */
let reasonCommand = SHOW_REASON_COMMAND;
/** The client can create files in a workspace edit (a new project config file). */
let createFileSupport = false;
/**
 * A command of the client's that previews the conversion (initializationOptions `conversionCommand`): the
 * conversion's quick fix then carries that command, with `{ uri, version }`, instead of the edit. Clients that
 * name none get the edit.
 */
let conversionCommand: string | null = null;

/** The document being analysed or fixed, for the log line of a rule that fails (analysis is synchronous). */
let analysing: string | null = null;
function on<T>(uri: string, work: () => T): T {
  analysing = uri;
  try {
    return work();
  } finally {
    analysing = null;
  }
}

// The rule and the document, never the document's text (an error's message may quote it).
onRuleError((ruleId, err) => {
  connection.console.error(`rule ${ruleId} failed on ${analysing ? printable(analysing) : 'a document'}: ${describeError(err)}`);
});
installTestHook(process.env);

function state(uri: string): DocState {
  let s = states.get(uri);
  if (!s) {
    s = { analysis: null, version: -1, model: null, modelVersion: -1, speculative: null, settings: null, timer: null, justOpened: false, published: null };
    states.set(uri, s);
  }
  return s;
}

/** The model of the document's current version: the parse, shared by every analysis of that version. */
function modelOf(s: DocState, doc: TextDocument): Model {
  if (!s.model || s.modelVersion !== doc.version) {
    const uri = doc.uri;
    s.model = on(uri, () => buildModel(doc.getText(), contextFor(uri)));
    s.modelVersion = doc.version;
    trace(`parsed ${uri} v${doc.version}`);
  }
  return s.model;
}

/** The analysis of the document's current version, computed once and shared by every request. */
async function current(uri: string): Promise<{ doc: TextDocument; analysis: Analysis } | null> {
  const doc = documents.get(uri);
  if (!doc) return null;
  const s = state(uri);
  const pending = settings.get(uri);
  // The parse needs neither the settings nor the shell grammar: it runs while the client answers the
  // settings request and, on a cold start, while the grammar is still being compiled.
  if (!s.analysis || s.version !== doc.version) {
    const model = modelOf(s, doc);
    // A document's first analysis: rather than wait for the client's answer, analyse with the settings
    // it most likely sends; the answer decides whether that analysis stands.
    const guess = s.speculative?.model === model ? null : grammarLoaded() ? settings.guess(uri) : null;
    if (guess) {
      s.speculative = { cfg: guess, model, analysis: on(uri, () => analyze(model, guess, undefined, budget())) };
      trace(`analysed ${uri} v${doc.version} before the settings answer`);
    }
  }
  const cfg = await pending;
  trace('settings');
  await shellReady;
  const latest = documents.get(uri);
  if (!latest) return null;
  if (!s.analysis || s.version !== latest.version || s.settings !== cfg) {
    const model = modelOf(s, latest);
    const speculative = s.speculative;
    s.speculative = null;
    if (speculative && speculative.model === model && sameSettings(speculative.cfg, cfg)) s.analysis = speculative.analysis;
    else {
      s.analysis = on(uri, () => analyze(model, cfg, undefined, budget()));
      trace(`analysed ${uri} v${latest.version}`);
    }
    s.version = latest.version;
    s.settings = cfg;
  }
  return { doc: latest, analysis: s.analysis };
}

async function validate(uri: string): Promise<void> {
  const doc = documents.get(uri);
  if (!doc) return;
  const version = doc.version;
  try {
    const cur = await current(uri);
    // Stale: a newer version arrived while this one waited; its own run will publish.
    if (!cur || cur.doc.version !== version) return;
    const s = states.get(uri);
    if (s) {
      if (s.published === cur.analysis) return;
      s.published = cur.analysis;
    }
    const diagnostics: Diagnostic[] = cur.analysis.findings.map((f) => toDiagnostic(f, version, uri, relatedSupport));
    await connection.sendDiagnostics({ uri, version, diagnostics });
  } catch (err) {
    connection.console.error(`analysis failed for ${printable(uri)}: ${describeError(err)}`);
  }
}

function schedule(uri: string, delay: number): void {
  const s = state(uri);
  if (s.timer) clearTimeout(s.timer);
  s.timer = setTimeout(() => {
    s.timer = null;
    void validate(uri);
  }, delay);
}

connection.onInitialize((params): InitializeResult => {
  trace('initialize');
  const caps = params.capabilities;
  settings.canPull = !!caps.workspace?.configuration;
  settings.setWorkspaceFolders(params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []));
  resolveSupport = !!caps.textDocument?.codeAction?.resolveSupport?.properties?.includes('edit');
  relatedSupport = !!caps.textDocument?.publishDiagnostics?.relatedInformation;
  const own = (params.initializationOptions as { showReasonCommand?: unknown } | undefined)?.showReasonCommand;
  if (typeof own === 'string' && /^[\w.-]{1,100}$/.test(own)) reasonCommand = own;
  const workspaceEdit = caps.workspace?.workspaceEdit;
  createFileSupport = !!workspaceEdit?.documentChanges && !!workspaceEdit.resourceOperations?.includes('create');
  const init = params.initializationOptions as { conversionCommand?: unknown } | null | undefined;
  conversionCommand = typeof init?.conversionCommand === 'string' && init.conversionCommand !== '' ? init.conversionCommand : null;
  if (typeof params.processId === 'number' && Number.isInteger(params.processId) && params.processId > 0) clientPid = params.processId;
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
      executeCommandProvider: { commands: [...Object.values(ServerCommands), SHOW_REASON_COMMAND, COMPARE_TEXTS_COMMAND] },
    },
    serverInfo: { name: SERVER_NAME, version: '0.1.0' },
  };
});

connection.onShutdown(() => {
  shutdownReceived = true;
});

connection.onDidChangeConfiguration((change) => {
  settings.setPushed(change.settings);
  for (const doc of documents.all()) schedule(doc.uri, 0);
});

// A project config file changed (clients that watch `.dockerfilelean.*`): the documents it can apply to (in its
// folder and below) are checked again; the settings store re-reads the file, which it caches by modification
// time. One re-check is pending at a time and the notifications that arrive meanwhile join it; a document whose
// analysis comes out unchanged is not published again. So a burst costs a few cheap re-checks, not one round of
// every open document per notification.
let changedConfigDirs = new Set<string>();
let recheck: NodeJS.Timeout | null = null;
connection.onDidChangeWatchedFiles((params) => {
  for (const change of Array.isArray(params?.changes) ? params.changes : []) {
    // A config file that is not a local file applies to no document (see lsp/settings.ts).
    const dir = folderOf(change?.uri);
    if (dir !== null) changedConfigDirs.add(dir);
  }
  if (changedConfigDirs.size > 0) recheck ??= setTimeout(recheckConfigs, DEBOUNCE_MS);
});

function recheckConfigs(): void {
  recheck = null;
  const dirs = [...changedConfigDirs];
  changedConfigDirs = new Set();
  for (const doc of documents.all()) {
    const own = folderOf(doc.uri);
    if (own !== null && dirs.some((d) => own === d || isInside(own, d))) schedule(doc.uri, 0);
  }
}

/** The folder of a `file:` URI, or null. */
function folderOf(uri: unknown): string | null {
  if (typeof uri !== 'string' || !uri.startsWith('file:')) return null;
  try {
    return path.dirname(fileURLToPath(uri));
  } catch {
    return null;
  }
}

function isInside(dir: string, folder: string): boolean {
  const rel = path.relative(folder, dir);
  return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel);
}

documents.onDidOpen((e) => {
  trace(`open ${e.document.uri}`);
  // The document set fires a content change right after the open; that one needs no second run.
  state(e.document.uri).justOpened = true;
  void validate(e.document.uri);
});
documents.onDidChangeContent((e) => {
  const s = state(e.document.uri);
  if (s.justOpened) {
    s.justOpened = false;
    return;
  }
  schedule(e.document.uri, DEBOUNCE_MS);
});
documents.onDidClose((e) => {
  const s = states.get(e.document.uri);
  if (s?.timer) clearTimeout(s.timer);
  states.delete(e.document.uri);
  settings.clear(e.document.uri);
  // The shell-parse cache is shared by all documents (one body text, one entry): once none is open, it goes.
  if (documents.keys().length === 0) clearShellCache();
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

function isOurs(d: Diagnostic): d is Diagnostic & { data: DiagnosticData } {
  return d.source === SERVER_NAME && !!d.data && typeof (d.data as DiagnosticData).rule === 'string';
}

/** The finding behind a diagnostic, looked up again in the current analysis. */
function findingFor(analysis: Analysis, d: Diagnostic & { data: DiagnosticData }): Finding | undefined {
  return analysis.findings.find(
    (f) => f.rule === d.data.rule && f.range.start.line === d.range.start.line && f.range.start.character === d.range.start.character,
  );
}

/** Whether position `a` comes before or at `b`. */
function atOrBefore(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/**
 * The findings a code-action request asks about, each with the diagnostic its actions name: those behind our
 * diagnostics in the context; when the context holds none of ours (clients that send no diagnostics, e.g.
 * Neovim 0.7), those of the current analysis whose range overlaps the request's range.
 */
function findingsAsked(params: CodeActionParams, analysis: Analysis, version: number): [Finding, Diagnostic][] {
  const context = Array.isArray(params.context?.diagnostics) ? params.context.diagnostics : [];
  const ours = context.filter(isOurs);
  if (ours.length > 0) {
    const out: [Finding, Diagnostic][] = [];
    for (const d of ours) {
      // Not only fixable ones: every finding can be ignored, and some carry a quick fix only the user applies.
      const f = findingFor(analysis, d);
      if (f) out.push([f, d]);
    }
    return out;
  }
  const { start, end } = params.range;
  return analysis.findings.filter((f) => atOrBefore(f.range.start, end) && atOrBefore(start, f.range.end)).map((f) => [f, toDiagnostic(f, version, params.textDocument.uri, relatedSupport)]);
}

/** The largest config file the "turn off" action edits (the config reader's own limit). */
const MAX_CONFIG_BYTES = 1 << 20;

/** "Turn <rule> off in the project config": an edit of the config file the document uses, or one creating it. */
function turnOffAction(uri: string, rule: string): CodeAction | null {
  const target = settings.configTarget(uri);
  if (!target) return null;
  const configUri = pathToFileURL(target.file).href;
  const name = path.basename(target.file);
  const title = `Turn ${rule} off in the project config (${name})`;
  const json = target.file.endsWith('.json');
  if (!target.exists) {
    if (!createFileSupport) return null;
    const newText = turnRuleOff('', rule, json);
    if (newText === null) return null;
    return {
      title,
      kind: CodeActionKind.QuickFix,
      edit: {
        documentChanges: [
          { kind: 'create', uri: configUri, options: { ignoreIfExists: true } },
          { textDocument: { uri: configUri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText }] },
        ],
      },
    };
  }
  // The text as the editor has it when the file is open there, else as on disk.
  const open = documents.get(configUri);
  let text: string;
  if (open) text = open.getText();
  else {
    const r = readBounded(fileURLToPath(configUri), { maxBytes: MAX_CONFIG_BYTES });
    if (!r.ok) return null;
    text = r.data.toString('utf8');
  }
  const newText = turnRuleOff(text, rule, json);
  if (newText === null) return null;
  const before = TextDocument.create(configUri, json ? 'json' : 'yaml', 0, text);
  const edit = minimalEdit(text, newText, (o) => before.positionAt(o));
  return edit ? { title, kind: CodeActionKind.QuickFix, edit: { changes: { [configUri]: [edit] } } } : null;
}

function fixAllEdit(doc: TextDocument, cfg: Settings, only?: string[]): { newText: string; edit: ReturnType<typeof minimalEdit> } {
  const text = doc.getText();
  const { text: newText } = on(doc.uri, () => fixAll(text, cfg, only, budget(contextFor(doc.uri))));
  return { newText, edit: minimalEdit(text, newText, (o) => doc.positionAt(o)) };
}

/**
 * The rules the editor's fix-all (`source.fixAll`, run on save by `editor.codeActionsOnSave`) applies: the local,
 * safe fixes. The multi-stage conversion rewrites the whole file (base image, stages), so it is a quick fix and a
 * palette command that previews it, and joins fix-all only with `dockerfileLean.fixAll.includeConversion`.
 */
const LOCAL_FIX_RULES = RULE_IDS.filter((id) => id !== 'multi-stage');

connection.onCodeAction(async (params: CodeActionParams) => {
  const cur = await current(params.textDocument.uri);
  if (!cur) return null;
  const { doc, analysis } = cur;
  const uri = doc.uri;
  const only = params.context.only;
  const actions: CodeAction[] = [];
  const wantsFixAll = only?.some((k) => FIX_ALL_KIND.startsWith(k) && k !== '' && k.startsWith('source'));
  if (wantsFixAll) {
    const cfg = state(uri).settings ?? (await settings.get(uri));
    const { edit } = fixAllEdit(doc, cfg, cfg.fixAllIncludesConversion ? undefined : LOCAL_FIX_RULES);
    if (edit) actions.push({ title: 'Fix all Dockerfile Lean findings', kind: FIX_ALL_KIND, edit: { changes: { [uri]: [edit] } } });
    return actions;
  }
  if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return actions;
  const asked = findingsAsked(params, analysis, doc.version);
  for (const [f, d] of asked) {
    if (f.rule === 'multi-stage' && !f.fixable && f.reason) {
      // A declined conversion still says why, in full (the diagnostic's message may be cut short by the editor).
      const args: ReasonArgs = { title: 'Not converted to a multi-stage build', reason: plainText(f.reason), message: plainText(f.message), docs: docsUrl(f.rule) };
      actions.push({ title: 'Show why it was not converted', kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title: 'Show why it was not converted', command: reasonCommand, arguments: [args] } });
    }
    // A finding that is not fixable may still carry a quick fix the user applies by hand (never fix-all).
    if (!f.fixable && f.data?.quickFixOnly !== true) continue;
    if (f.rule === 'multi-stage' && conversionCommand) {
      // The client previews the conversion and applies it only when the user accepts. The title names the runtime.
      const title = typeof f.data?.title === 'string' ? plainText(f.data.title) : 'Convert to a multi-stage build';
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, command: { title, command: conversionCommand, arguments: [{ uri, version: doc.version }] } });
      continue;
    }
    if (f.rule === 'multi-stage' && resolveSupport) {
      // The conversion is computed only when the user picks it; its title (with the runtime) is known from the analysis.
      const title = typeof f.data?.title === 'string' ? plainText(f.data.title) : 'Convert to a multi-stage build';
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, data: { uri, version: doc.version, rule: f.rule, line: f.range.start.line, character: f.range.start.character } });
      continue;
    }
    for (const fix of on(uri, () => fixesFor(analysis.model, f, budget()))) {
      actions.push({ title: plainText(fix.title), kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fix.preferred, edit: { changes: { [uri]: toLspEdits(fix.edits) } } });
    }
  }
  // Every finding, fixable or not, can be silenced: for its instruction, in the file, in the project config.
  const offOnce = new Map<string, CodeAction | null>();
  for (const [f, d] of asked) {
    for (const fix of ignoreFixesFor(analysis.model, f)) {
      actions.push({ title: plainText(fix.title), kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: toLspEdits(fix.edits) } } });
    }
    if (!offOnce.has(f.rule)) offOnce.set(f.rule, turnOffAction(uri, f.rule));
    const off = offOnce.get(f.rule);
    if (off) actions.push({ ...off, diagnostics: [d] });
  }
  return actions;
});

connection.onCodeActionResolve(async (action) => {
  const data = action.data as { uri: string; version: number; rule: string; line: number; character: number } | undefined;
  if (!data?.uri) return action;
  const cur = await current(data.uri);
  if (!cur) return action;
  const f = cur.analysis.findings.find((x) => x.rule === data.rule && x.range.start.line === data.line && x.range.start.character === data.character);
  const fix = f && on(data.uri, () => fixesFor(cur.analysis.model, f, budget())[0]);
  if (fix) {
    action.title = plainText(fix.title);
    action.edit = { changes: { [data.uri]: toLspEdits(fix.edits) } };
  }
  return action;
});

/** The texts "Build and compare" builds for an open document (the builds are the client's). */
async function compareTextsFor(args: CompareTextsArgs): Promise<CompareTextsResult> {
  const doc = documents.get(args.uri);
  if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `document not open: ${args.uri}`);
  const rules = Array.isArray(args.rules) ? args.rules.filter((r) => typeof r === 'string' && RULE_IDS.includes(r)) : undefined;
  if (rules && rules.length === 0) throw new ResponseError(ErrorCodes.InvalidParams, 'no known rule in rules');
  const cfg = await settings.get(doc.uri);
  await shellReady;
  const text = doc.getText();
  const r = on(doc.uri, () => compareTexts(text, cfg, rules, () => budget(contextFor(doc.uri))));
  const result: CompareTextsResult = { before: text, ...r };
  if (r.after === text) {
    const { findings } = on(doc.uri, () => analyze(text, cfg, rules, budget(contextFor(doc.uri))));
    const blocked = findings.find((f) => !f.fixable && f.reason);
    result.message = blocked ? plainText(`Nothing to compare: ${blocked.reason}.`) : 'Nothing to compare: the fixes change nothing in this Dockerfile.';
  }
  return result;
}

connection.onExecuteCommand(async (params) => {
  if (params.command === SHOW_REASON_COMMAND) {
    const a = (params.arguments?.[0] ?? {}) as Partial<ReasonArgs>;
    if (typeof a.reason !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { reason } as the first argument');
    const text = plainText(`${typeof a.title === 'string' ? a.title : 'Not converted'}: ${a.reason}.`);
    // A notification: the reason is information, not a question waiting for an answer.
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: text });
    return { message: text };
  }
  if (params.command === COMPARE_TEXTS_COMMAND) {
    const a = params.arguments?.[0] as CompareTextsArgs | undefined;
    if (typeof a?.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { uri } as the first argument');
    return compareTextsFor(a);
  }
  if (!Object.hasOwn(COMMAND_RULE, params.command)) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
  const args = (params.arguments?.[0] ?? {}) as CommandArgs;
  if (typeof args.uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { uri } as the first argument');
  const doc = documents.get(args.uri);
  if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `document not open: ${args.uri}`);
  const cfg = await settings.get(doc.uri);
  await shellReady;
  const rule = COMMAND_RULE[params.command];
  // Fix All, like fix-all on save, leaves the conversion to its own (previewed) command unless told otherwise.
  const only = rule ? [rule] : cfg.fixAllIncludesConversion ? undefined : LOCAL_FIX_RULES;
  // A rule's own command is the user choosing that rule's fixes: its hints and infos too, as quick fixes would.
  const { newText, edit } = fixAllEdit(doc, rule && cfg.rules[rule] === undefined ? { ...cfg, rules: { ...cfg.rules, [rule]: getRule(rule)!.meta.defaultSeverity } } : cfg, only);
  const result: CommandResult & { edits: typeof edit[] } = { newText: edit ? newText : null, edits: edit ? [edit] : [] };
  if (!edit) {
    const { findings } = on(doc.uri, () => analyze(doc.getText(), cfg, only, budget(contextFor(doc.uri))));
    const blocked = findings.find((f) => !f.fixable && f.reason);
    result.message = blocked ? plainText(`Nothing changed: ${blocked.reason}.`) : 'Nothing to change.';
  } else if (args.apply !== false) {
    const r = await connection.workspace.applyEdit({ label: 'Dockerfile Lean', edit: { changes: { [doc.uri]: [edit] } } });
    result.applied = r.applied;
  }
  return result;
});

process.on('uncaughtException', (err) => {
  connection.console.error(`uncaught: ${describeError(err)}`);
});
process.on('unhandledRejection', (err) => {
  connection.console.error(`unhandled: ${describeError(err)}`);
});

documents.listen(connection);
connection.listen();
