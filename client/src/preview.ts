/**
 * The conversion's preview: a diff of the document beside the converted text, with Apply and Cancel in the diff
 * editor's title bar. It waits for an answer for as long as the diff is open; closing the diff cancels.
 */
import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'dockerfile-lean-preview';

export type Answer = 'apply' | 'cancel' | 'compare';

interface Pending {
  uri: vscode.Uri;
  /** Whether the title bar also offers "Build both and compare before applying". */
  comparable: boolean;
  answer(a: Answer): void;
}

export class Previews implements vscode.TextDocumentContentProvider {
  private texts = new Map<string, string>();
  private pending = new Map<string, Pending>();
  private emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(context: vscode.ExtensionContext) {
    context.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      vscode.commands.registerCommand('dockerfileLean.applyPreview', (uri?: vscode.Uri) => this.answer(uri, 'apply')),
      vscode.commands.registerCommand('dockerfileLean.cancelPreview', (uri?: vscode.Uri) => this.answer(uri, 'cancel')),
      vscode.commands.registerCommand('dockerfileLean.comparePreview', (uri?: vscode.Uri) => this.answer(uri, 'compare')),
      // Closing the diff is an answer too: no.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = previewOf(tab);
          if (uri) this.pending.get(uri.toString())?.answer('cancel');
        }
        this.updateContext();
      }),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.updateContext()),
      this.emitter,
    );
  }

  /**
   * `dockerfileLean.previewActive`: the active tab is a preview that waits for an answer (the title bar's buttons
   * show); `dockerfileLean.previewComparable`: that preview also offers Build and Compare.
   */
  private updateContext(): void {
    const active = activePreview();
    const p = active ? this.pending.get(active.toString()) : undefined;
    const waiting = !!p;
    const comparable = !!p?.comparable;
    if (waiting !== this.waiting) {
      this.waiting = waiting;
      void vscode.commands.executeCommand('setContext', 'dockerfileLean.previewActive', waiting);
    }
    if (comparable !== this.comparable) {
      this.comparable = comparable;
      void vscode.commands.executeCommand('setContext', 'dockerfileLean.previewComparable', comparable);
    }
  }
  private waiting = false;
  private comparable = false;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /**
   * Shows `newText` beside `doc` and resolves with the user's answer; the diff closes either way. `comparable`: the
   * title bar also offers to build both first ('compare').
   */
  async ask(doc: vscode.TextDocument, newText: string, label: string, comparable = false): Promise<Answer> {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: doc.uri.path, query: String(Date.now()) });
    const key = uri.toString();
    this.texts.set(key, newText);
    const answered = new Promise<Answer>((resolve) => this.pending.set(key, { uri, comparable, answer: resolve }));
    const hint = vscode.window.setStatusBarMessage(`$(eye) ${label}: Apply or Cancel above the diff`);
    try {
      await vscode.commands.executeCommand('vscode.diff', doc.uri, uri, `${label}: ${basename(doc.uri)} (preview)`, { preview: false });
      this.updateContext();
      return await answered;
    } finally {
      hint.dispose();
      this.pending.delete(key);
      for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
        if (previewOf(tab)?.toString() === key) await vscode.window.tabGroups.close(tab);
      }
      this.texts.delete(key);
      this.updateContext();
    }
  }

  /** Answers the preview named (the title-bar button passes its editor's URI), else the active one. */
  private answer(uri: vscode.Uri | undefined, a: Answer): void {
    const target = uri instanceof vscode.Uri && uri.scheme === PREVIEW_SCHEME ? uri : activePreview();
    const p = target && this.pending.get(target.toString());
    if (p) p.answer(a);
    else if (a === 'apply') void vscode.window.showWarningMessage('Dockerfile Lean: no preview is waiting for an answer.');
  }
}

/** The preview URI a tab shows (the right side of our diff), or null. */
function previewOf(tab: vscode.Tab): vscode.Uri | null {
  return tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === PREVIEW_SCHEME ? tab.input.modified : null;
}

function activePreview(): vscode.Uri | null {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  return tab ? previewOf(tab) : null;
}

export function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
