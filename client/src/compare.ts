/**
 * "Dockerfile Lean: Build and Compare": builds the Dockerfile as it is and as the fixes leave it with the user's
 * container engine, then shows both images' figures side by side. The server gives the texts (the analysis);
 * the builds run here, in the extension host, as processes of their own (server/src/node/compare.ts), so a
 * build never holds up the language server, and cancelling ends the engine's whole process tree.
 *
 * Nothing is built unless the user asks, each time (the command, its code action, the conversion preview's
 * button, and a confirmation naming the engine and the folder). Refused in untrusted workspaces and for files
 * that are not on this machine's disk.
 */
import * as vscode from 'vscode';
import * as path from 'path';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import { COMPARE_TEXTS_COMMAND, SOURCE, type CompareTextsResult } from '../../server/src/protocol';
import { compareBuilds, type CompareReport } from '../../server/src/node/compare';
import { findEngine, type EngineName } from '../../server/src/node/engine';
import { renderReport } from './compare-view';

export const COMPARE_COMMAND = 'dockerfileLean.buildAndCompare';
export const CANCEL_COMPARE_COMMAND = 'dockerfileLean.cancelBuildAndCompare';
/** A context key: the palette shows the cancel command while a comparison runs. */
const RUNNING_KEY = 'dockerfileLean.compareRunning';

/** Options a caller (the code action, the preview, a test) may pass. */
export interface CompareCommandArgs {
  uri?: string;
  rules?: string[];
  /** false: build without the confirmation (tests; the preview's own button already asked). */
  confirm?: boolean;
  /** false: no report panel (tests read the returned report). */
  show?: boolean;
  /** The build context (default: the Dockerfile's folder; the confirmation also offers the workspace folder). */
  context?: string;
}

export type CompareOutcome = { refused: string } | { message: string } | { report: CompareReport };

export const UNTRUSTED_REASON = 'Build and Compare is off in an untrusted workspace: it runs your container engine on this workspace\u2019s Dockerfiles, and their RUN steps on this machine. Trust the workspace to use it.';

const COMPARE_RULES = new Set(['multi-stage', 'non-root-user']);

const VERSION: string = (() => {
  try {
    return vscode.extensions.getExtension('dockerfile-lean.dockerfile-lean')?.packageJSON?.version ?? '';
  } catch {
    return '';
  }
})();

export function registerCompare(context: vscode.ExtensionContext, client: LanguageClient): void {
  const output = vscode.window.createOutputChannel('Dockerfile Lean: Build and Compare');
  context.subscriptions.push(output);
  let running: AbortController | null = null;
  const repository: string = (context.extension.packageJSON?.repository?.url as string | undefined)?.replace(/\.git$/, '') ?? '';

  const run = async (args: CompareCommandArgs = {}): Promise<CompareOutcome> => {
    const refuse = (why: string, actions: string[] = []): CompareOutcome => {
      void vscode.window.showWarningMessage(`Dockerfile Lean: ${why}`, ...actions).then((a) => {
        if (a === 'Manage Workspace Trust') void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return { refused: why };
    };
    if (!vscode.workspace.isTrusted) return refuse(UNTRUSTED_REASON, ['Manage Workspace Trust']);
    const doc = args.uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === args.uri) ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(args.uri))) : vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'dockerfile') return refuse('open a Dockerfile first.');
    if (doc.uri.scheme === 'untitled') return refuse('save the Dockerfile first: its folder is the build context.');
    if (doc.uri.scheme !== 'file') return refuse(`Build and Compare needs a Dockerfile on this machine\u2019s disk (its folder is the build context); this one is a ${doc.uri.scheme}: file (a virtual or remote file system).`);
    if (running) return refuse('a Build and Compare is already running (cancel it from its notification).');

    const cfg = vscode.workspace.getConfiguration('dockerfileLean.compare', doc.uri);
    const texts = (await client.sendRequest(ExecuteCommandRequest.type, { command: COMPARE_TEXTS_COMMAND, arguments: [{ uri: doc.uri.toString(), ...(args.rules ? { rules: args.rules } : {}) }] })) as CompareTextsResult;
    if (texts.message || texts.after === texts.before) {
      const message = texts.message ?? 'Nothing to compare.';
      void vscode.window.showInformationMessage(`Dockerfile Lean: ${message}`);
      return { message };
    }
    const wanted = cfg.get<string>('engine', 'auto');
    const found = await findEngine((['docker', 'podman', 'buildah'].includes(wanted) ? wanted : 'auto') as EngineName | 'auto');
    if (!found.engine) return refuse(`${found.problem}. Install docker, podman or buildah, or name one in the setting dockerfileLean.compare.engine.`);
    const engine = found.engine;
    const file = doc.uri.fsPath;
    let contextDir = args.context ?? path.dirname(file);
    if (args.confirm !== false) {
      const rules = texts.rules.join(', ');
      // A Dockerfile in a subfolder is often built from the repository's root: offered, never guessed.
      const wsFolder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
      const fromRoot = wsFolder && wsFolder !== contextDir ? ['Build from the workspace folder'] : [];
      const pick = await vscode.window.showInformationMessage(
        `Build and compare ${path.basename(file)}?`,
        { modal: true, detail: `Builds the current Dockerfile and the fixed one (${rules}) with ${engine.name} ${engine.version}, from the folder ${contextDir}${fromRoot.length ? ` (or the workspace folder ${wsFolder})` : ''}. Their RUN steps run on this machine; each image is then started for ${cfg.get<number>('smokeSeconds', 5)} s${cfg.get<boolean>('allowNetwork', false) ? '' : ' without network'}, and both are removed afterwards${cfg.get<boolean>('keepImages', false) ? ' (kept: dockerfileLean.compare.keepImages)' : ''}.` },
        'Build',
        ...fromRoot,
      );
      if (pick === fromRoot[0] && wsFolder) contextDir = wsFolder;
      else if (pick !== 'Build') return { message: 'not built' };
    }

    const smokeUrl = parseSmokeUrl(cfg.get<string>('smokeUrl', ''));
    const smokeCommand = cfg.get<string>('smokeCommand', '').split(/\s+/).filter(Boolean);
    output.clear();
    output.appendLine(`Build and compare ${file} with ${engine.name} ${engine.version} (${engine.bin}); rewrites: ${texts.rules.join(', ')}`);
    running = new AbortController();
    const abort = running;
    void vscode.commands.executeCommand('setContext', RUNNING_KEY, true);
    let report: CompareReport;
    try {
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Dockerfile Lean: Build and Compare', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          return compareBuilds(
            { dockerfile: vscode.workspace.asRelativePath(doc.uri), before: texts.before, after: texts.after, rules: texts.rules, perRule: texts.perRule, toolchainPaths: texts.toolchainPaths, ecosystem: texts.ecosystem, context: contextDir },
            {
              engine,
              buildArgs: cfg.get<string[]>('engineArgs', []).filter((a) => typeof a === 'string'),
              limits: { buildTimeoutSeconds: cfg.get<number>('buildTimeoutSeconds', 1200), minFreeDiskMB: cfg.get<number>('minFreeDiskMB', 2048) },
              smoke: {
                seconds: cfg.get<number>('smokeSeconds', 5),
                network: cfg.get<boolean>('allowNetwork', false),
                ...(smokeCommand.length ? { command: smokeCommand } : {}),
                ...(smokeUrl && cfg.get<boolean>('allowNetwork', false) ? smokeUrl : {}),
              },
              keep: cfg.get<boolean>('keepImages', false),
              signal: abort.signal,
              onProgress: (message) => progress.report({ message }),
              // The engine's output is shown as text in the output channel, never run.
              onLine: (side, line) => output.appendLine(`[${side}] ${line}`),
              tool: { version: VERSION, repository },
            },
          );
        },
      );
    } finally {
      running = null;
      void vscode.commands.executeCommand('setContext', RUNNING_KEY, false);
    }
    output.appendLine(`verdict: ${report.verdict}${report.reasons.length ? ` (${report.reasons.join('; ')})` : ''}`);
    if (args.show !== false) showReport(context, report, doc, texts, output);
    return { report };
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMPARE_COMMAND, (args?: CompareCommandArgs) => run(args ?? {})),
    vscode.commands.registerCommand(CANCEL_COMPARE_COMMAND, () => {
      if (!running) return false;
      running.abort();
      return true;
    }),
    vscode.languages.registerCodeActionsProvider({ language: 'dockerfile' }, new CompareActions(), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}

function parseSmokeUrl(text: string): { port: number; urlPath: string } | null {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' && u.port ? { port: Number(u.port), urlPath: `${u.pathname}${u.search}` } : null;
  } catch {
    return null;
  }
}

/** "Build both and compare before applying", next to the multi-stage and non-root findings. */
class CompareActions implements vscode.CodeActionProvider {
  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (doc.uri.scheme !== 'file') return [];
    const out: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const d of ctx.diagnostics) {
      const code = typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? '');
      if (d.source !== SOURCE || !COMPARE_RULES.has(code) || seen.has(code)) continue;
      // A finding known not to be fixable has nothing to compare.
      if ((d as { data?: { fixable?: boolean } }).data?.fixable === false) continue;
      seen.add(code);
      const a = new vscode.CodeAction(`Build both and compare before applying (${code})`, vscode.CodeActionKind.QuickFix);
      a.diagnostics = [d];
      a.command = { command: COMPARE_COMMAND, title: 'Build and Compare', arguments: [{ uri: doc.uri.toString(), rules: [code] } satisfies CompareCommandArgs] };
      if (!vscode.workspace.isTrusted) a.disabled = { reason: UNTRUSTED_REASON };
      out.push(a);
    }
    return out;
  }
}

function showReport(context: vscode.ExtensionContext, report: CompareReport, doc: vscode.TextDocument, texts: CompareTextsResult, output: vscode.OutputChannel): void {
  const panel = vscode.window.createWebviewPanel('dockerfileLean.compareReport', `Compare: ${path.basename(doc.uri.fsPath)}`, vscode.ViewColumn.Beside, { enableScripts: true, localResourceRoots: [] });
  const version = doc.version;
  const canApply = report.after.built && report.verdict !== 'cancelled' && texts.after !== texts.before;
  panel.webview.html = renderReport(report, { canApply, cspSource: panel.webview.cspSource });
  panel.webview.onDidReceiveMessage(async (m: { type?: string }) => {
    if (m?.type === 'apply' && canApply) {
      if (doc.isClosed || doc.version !== version || doc.getText() !== texts.before) {
        void vscode.window.showWarningMessage('Dockerfile Lean: the Dockerfile changed since it was built; run Build and Compare again.');
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(texts.before.length)), texts.after);
      if (await vscode.workspace.applyEdit(edit)) {
        await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
        panel.dispose();
      }
    } else if (m?.type === 'issue' && report.issueText) {
      const issue = await vscode.workspace.openTextDocument({ language: 'markdown', content: report.issueText });
      await vscode.window.showTextDocument(issue, vscode.ViewColumn.Active);
    } else if (m?.type === 'copy' && report.issueText) {
      await vscode.env.clipboard.writeText(report.issueText);
      void vscode.window.showInformationMessage('Dockerfile Lean: the issue text is on the clipboard.');
    } else if (m?.type === 'output') output.show(true);
  }, undefined, context.subscriptions);
}
