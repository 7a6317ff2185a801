/**
 * Palette commands: each asks the server for its edit and applies it. The client computes no edit.
 * The conversion shows its result as a diff first and applies it only when the user accepts (preview.ts).
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import type { TextEdit } from 'vscode-languageserver-types';
import { COMMAND_RULE, ServerCommands, type CommandResult, type ReasonArgs } from '../../server/src/protocol';
import { basename, Previews } from './preview';
import { COMPARE_COMMAND } from './compare';

const REASON_SCHEME = 'dockerfile-lean-reason';
/** The command a declined conversion's "Show why it was not converted" action runs (the server is told its id). */
export const SHOW_REASON_COMMAND = 'dockerfileLean.showNotConvertedReason';

/**
 * Options a caller may pass: `uri`, the document (the conversion's quick fix names it; else the active editor);
 * for tests, `confirm: false` applies without a preview and 'decline' answers no.
 */
interface RunOptions {
  uri?: string;
  confirm?: boolean | 'decline';
}

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  const previews = new Previews(context);

  const run = async (serverCommand: string, label: string, preview: boolean, opts: RunOptions = {}): Promise<boolean> => {
    const doc = await documentFor(opts);
    if (!doc || doc.languageId !== 'dockerfile') {
      void vscode.window.showWarningMessage('Dockerfile Lean: open a Dockerfile first.');
      return false;
    }
    const version = doc.version;
    const result = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: serverCommand,
      arguments: [{ uri: doc.uri.toString(), apply: false }],
    })) as (CommandResult & { edits: TextEdit[] }) | null;
    if (!result || result.newText === null || result.edits.length === 0) {
      void vscode.window.showInformationMessage(`Dockerfile Lean: ${result?.message ?? 'Nothing to change.'}`);
      return false;
    }
    if (preview && opts.confirm !== false) {
      const answer = opts.confirm === 'decline' ? 'cancel' : await previews.ask(doc, result.newText, label, serverCommand === ServerCommands.convertToMultiStage);
      if (answer === 'compare') {
        // Builds both first; the report offers to apply the same text.
        void vscode.commands.executeCommand(COMPARE_COMMAND, { uri: doc.uri.toString(), rules: [COMMAND_RULE[serverCommand]] });
        return false;
      }
      if (answer !== 'apply') return false;
      // The edit was computed for the text the preview shows: on another text it would land in the wrong place.
      if (doc.isClosed || doc.version !== version) {
        void vscode.window.showWarningMessage(`Dockerfile Lean: ${basename(doc.uri)} changed since the preview was made; nothing was applied. Run ${label} again.`);
        return false;
      }
      await vscode.window.showTextDocument(doc);
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of result.edits) edit.replace(doc.uri, client.protocol2CodeConverter.asRange(e.range), e.newText);
    return vscode.workspace.applyEdit(edit);
  };

  // Why a conversion declined, in full, as a read-only Markdown document beside the Dockerfile (no save prompt).
  const reasons = new ReasonDocs();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(REASON_SCHEME, reasons));
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_REASON_COMMAND, async (args?: Partial<ReasonArgs>) => {
      if (!args || typeof args.reason !== 'string') return undefined;
      const title = typeof args.title === 'string' ? args.title : 'Not converted';
      const text = [`# ${title}`, '', `**Why:** ${args.reason}.`, '', ...(args.message ? [args.message, ''] : []), ...(args.docs ? [`More: ${args.docs}`, ''] : [])].join('\n');
      const uri = vscode.Uri.from({ scheme: REASON_SCHEME, path: '/Why not converted.md' });
      reasons.set(uri, text);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
      return text;
    }),
  );

  const commands: [string, string, string, boolean][] = [
    ['dockerfileLean.convertToMultiStage', ServerCommands.convertToMultiStage, 'Convert to Multi-Stage Build', true],
    ['dockerfileLean.insertNonRootUser', ServerCommands.insertNonRootUser, 'Insert Non-Root User', false],
    ['dockerfileLean.mergeRunInstructions', ServerCommands.mergeRunInstructions, 'Merge RUN Instructions', false],
    ['dockerfileLean.fixAll', ServerCommands.fixAll, 'Fix All', false],
  ];
  for (const [id, serverCommand, label, preview] of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(id, (opts?: RunOptions) => run(serverCommand, label, preview, opts && typeof opts === 'object' ? opts : {})));
  }
}

/** The document a command acts on: the one named (the quick fix's argument), else the active editor's. */
async function documentFor(opts: RunOptions): Promise<vscode.TextDocument | undefined> {
  if (typeof opts.uri === 'string') {
    const uri = vscode.Uri.parse(opts.uri);
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? vscode.workspace.openTextDocument(uri).then((d) => d, () => undefined);
  }
  return vscode.window.activeTextEditor?.document;
}

/** Read-only documents of text the client made (a declined conversion's reason). */
class ReasonDocs implements vscode.TextDocumentContentProvider {
  private texts = new Map<string, string>();
  private emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.emitter.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}
