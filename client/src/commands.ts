/**
 * Palette commands: each asks the server for its edit and applies it. The client computes no edit.
 * The conversion shows its result as a diff first and applies it only when the user accepts.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';
import type { TextEdit } from 'vscode-languageserver-types';
import { COMMAND_RULE, ServerCommands, type CommandResult } from '../../server/src/protocol';
import { COMPARE_COMMAND } from './compare';

const COMPARE_CHOICE = 'Build both and compare before applying';

const PREVIEW_SCHEME = 'dockerfile-lean-preview';

/** Options a caller (or a test) may pass: `confirm: false` applies without asking; 'decline' answers no. */
interface RunOptions {
  confirm?: boolean | 'decline';
}

class PreviewProvider implements vscode.TextDocumentContentProvider {
  private texts = new Map<string, string>();
  private emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.emitter.fire(uri);
  }
  delete(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  const previews = new PreviewProvider();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, previews));

  const run = async (serverCommand: string, label: string, preview: boolean, opts: RunOptions = {}): Promise<boolean> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'dockerfile') {
      void vscode.window.showWarningMessage('Dockerfile Lean: open a Dockerfile first.');
      return false;
    }
    const doc = editor.document;
    const result = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: serverCommand,
      arguments: [{ uri: doc.uri.toString(), apply: false }],
    })) as (CommandResult & { edits: TextEdit[] }) | null;
    if (!result || result.newText === null || result.edits.length === 0) {
      void vscode.window.showInformationMessage(`Dockerfile Lean: ${result?.message ?? 'Nothing to change.'}`);
      return false;
    }
    if (preview && opts.confirm !== false) {
      const previewUri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: doc.uri.path, query: String(Date.now()) });
      previews.set(previewUri, result.newText);
      await vscode.commands.executeCommand('vscode.diff', doc.uri, previewUri, `${label}: ${path(doc.uri)} (preview)`, { preview: true });
      const compare = serverCommand === ServerCommands.convertToMultiStage ? [COMPARE_CHOICE] : [];
      const answer = opts.confirm === 'decline' ? 'Cancel' : await vscode.window.showInformationMessage(`${label}: apply these changes?`, 'Apply', ...compare, 'Cancel');
      // Close the preview tab either way; the Dockerfile stays open.
      for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
        if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === previewUri.toString()) await vscode.window.tabGroups.close(tab);
      }
      previews.delete(previewUri);
      if (answer === COMPARE_CHOICE) {
        // Builds both first; the report offers to apply the same text.
        void vscode.commands.executeCommand(COMPARE_COMMAND, { uri: doc.uri.toString(), rules: [COMMAND_RULE[serverCommand]] });
        return false;
      }
      if (answer !== 'Apply') return false;
      await vscode.window.showTextDocument(doc);
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of result.edits) edit.replace(doc.uri, client.protocol2CodeConverter.asRange(e.range), e.newText);
    return vscode.workspace.applyEdit(edit);
  };

  const commands: [string, string, string, boolean][] = [
    ['dockerfileLean.convertToMultiStage', ServerCommands.convertToMultiStage, 'Convert to Multi-Stage Build', true],
    ['dockerfileLean.insertNonRootUser', ServerCommands.insertNonRootUser, 'Insert Non-Root User', false],
    ['dockerfileLean.mergeRunInstructions', ServerCommands.mergeRunInstructions, 'Merge RUN Instructions', false],
    ['dockerfileLean.fixAll', ServerCommands.fixAll, 'Fix All', false],
  ];
  for (const [id, serverCommand, label, preview] of commands) {
    context.subscriptions.push(vscode.commands.registerCommand(id, (opts?: RunOptions) => run(serverCommand, label, preview, opts ?? {})));
  }
}

function path(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
