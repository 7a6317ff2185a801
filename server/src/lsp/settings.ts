/**
 * Settings per document: the client's (pulled per document, cached, cleared when the client says they
 * changed) over the project config file next to the document (see node/config.ts). A rule severity the
 * client sets explicitly wins; what it leaves at "default" comes from the file, then from the rule. The
 * search for the config file of a document inside a workspace folder ends at that folder.
 */
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { DiagnosticSeverity, MessageType, ShowMessageNotification, type Connection, type Diagnostic } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, normalizeSettings, type Settings } from '../core/types';
import { configForDir, mergeSettings, searchTop, type ConfigError, type ProjectConfig } from '../node/config';
import { SOURCE } from '../protocol';
import { plainText } from '../core/plain-text';
import { printable } from '../core/printable';
import { isInside } from '../node/files';

interface Merged {
  client: Settings;
  config: ProjectConfig | null;
  result: Settings;
}

/** How long to wait for the client's answer to workspace/configuration. */
const SETTINGS_TIMEOUT_MS = 2000;

export class SettingsStore {
  private cache = new Map<string, Promise<Settings>>();
  private merged = new Map<string, Merged>();
  /** Per config file: the error last shown, so each is shown once. */
  private shownErrors = new Map<string, string>();
  private pushed: Settings = DEFAULT_SETTINGS;
  /** The documents the client has answered the settings request for. */
  private answered = new Set<string>();
  /** The client's most recent answer for any document: what it most likely answers for the next one. */
  private lastAnswer: Settings | null = null;
  canPull = false;
  /** The workspace folders the client opened (file-system paths), from initialize. */
  private folders: string[] = [];

  constructor(private readonly connection: Connection) {}

  /** Settings sent with didChangeConfiguration by clients that cannot be asked. */
  setPushed(raw: unknown): void {
    const section = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).dockerfileLean : undefined;
    this.pushed = section !== undefined ? normalizeSettings(section) : this.pushed;
    this.cache.clear();
    this.answered.clear();
    this.lastAnswer = null;
  }

  /** The client's workspace folders (`file:` URIs; others are left out). */
  setWorkspaceFolders(uris: readonly string[]): void {
    this.folders = [];
    for (const uri of uris) {
      if (!uri.startsWith('file:')) continue;
      try {
        this.folders.push(path.resolve(fileURLToPath(uri)));
      } catch {
        // not a local path
      }
    }
  }

  /** The innermost workspace folder that holds `dir`, or null. */
  private folderOf(dir: string): string | null {
    let best: string | null = null;
    for (const f of this.folders) if (isInside(dir, f) && (best === null || f.length > best.length)) best = f;
    return best;
  }

  clear(uri?: string): void {
    if (uri) {
      this.cache.delete(uri);
      this.merged.delete(uri);
      this.answered.delete(uri);
    } else {
      this.cache.clear();
      this.answered.clear();
      this.lastAnswer = null;
    }
  }

  /**
   * While the client has not answered for this document yet: the settings it most likely sends (its last
   * answer for another document, else the pushed settings or the defaults), with the project config file
   * applied. Null when the answer is known or the client is not asked. The server analyses with these
   * while the request is on its way, and keeps that analysis only if the answer turns out the same.
   */
  guess(uri: string): Settings | null {
    if (!this.canPull || this.answered.has(uri)) return null;
    return mergeSettings(this.lastAnswer ?? this.pushed, this.projectConfig(uri));
  }

  /**
   * The settings for a document. The same object comes back while neither the client's settings nor the
   * config file changed (the server re-analyses when the object changes).
   */
  async get(uri: string): Promise<Settings> {
    return this.withConfig(uri, await this.client(uri));
  }

  private client(uri: string): Promise<Settings> {
    if (!this.canPull) return Promise.resolve(this.pushed);
    let p = this.cache.get(uri);
    if (!p) {
      const pulled = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'dockerfileLean' })
        .then((raw) => (raw === null || raw === undefined ? this.pushed : normalizeSettings(raw)))
        .catch(() => this.pushed);
      // A client that never answers must not stop the document from being checked: after a while, the pushed
      // settings (or the defaults) stand in. An answer that comes later is used from the next analysis on.
      let timer: NodeJS.Timeout | undefined;
      const fallback = new Promise<Settings>((resolve) => {
        timer = setTimeout(() => resolve(this.pushed), SETTINGS_TIMEOUT_MS);
      });
      p = Promise.race([pulled.finally(() => clearTimeout(timer)), fallback]);
      const cached = p;
      void pulled.then((settings) => {
        if (this.cache.get(uri) === cached) {
          this.cache.set(uri, Promise.resolve(settings));
          this.answered.add(uri);
          this.lastAnswer = settings;
        }
      });
      this.cache.set(uri, p);
    }
    return p;
  }

  private withConfig(uri: string, client: Settings): Settings {
    const config = this.projectConfig(uri);
    const memo = this.merged.get(uri);
    if (memo && memo.client === client && memo.config === config) return memo.result;
    const result = mergeSettings(client, config);
    this.merged.set(uri, { client, config, result });
    return result;
  }

  /**
   * The project config file a "turn the rule off" edit goes to: the one the document uses, else a new
   * `.dockerfilelean.yaml` where the search for it ends (the repository root or the workspace folder; the
   * document's folder when neither is above it). Null for a document that is no local file, or whose config
   * file has an error (the user fixes it first).
   */
  configTarget(uri: string): { file: string; exists: boolean } | null {
    if (!uri.startsWith('file:')) return null;
    try {
      const dir = path.dirname(fileURLToPath(uri));
      const search = { stopAt: this.folderOf(dir) };
      const loaded = configForDir(dir, search);
      if (loaded) return loaded.config ? { file: loaded.config.file, exists: true } : null;
      return { file: path.join(searchTop(dir, search) ?? dir, '.dockerfilelean.yaml'), exists: false };
    } catch {
      return null;
    }
  }

  /** The config file for a `file:` document (re-read when it changes); errors shown once, the defaults used. */
  private projectConfig(uri: string): ProjectConfig | null {
    if (!uri.startsWith('file:')) return null;
    let loaded;
    try {
      const dir = path.dirname(fileURLToPath(uri));
      loaded = configForDir(dir, { stopAt: this.folderOf(dir) });
    } catch {
      return null;
    }
    if (!loaded) return null;
    const file = loaded.error?.file ?? loaded.config?.file ?? '';
    if (loaded.error) {
      const errors = loaded.errors?.length ? loaded.errors : [loaded.error];
      const key = JSON.stringify(errors);
      if (this.shownErrors.get(file) !== key) {
        this.shownErrors.set(file, key);
        this.showConfigErrors(file, errors);
      }
    } else if (this.shownErrors.has(file)) {
      // Fixed: its diagnostics go.
      this.shownErrors.delete(file);
      void this.connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics: [] });
    }
    return loaded.config;
  }

  /**
   * A config file's errors: a diagnostic at each (published for the file's URI, open in the editor or not), and one
   * notification that names the file as the workspace shows it.
   */
  private showConfigErrors(file: string, errors: ConfigError[]): void {
    // As the workspace shows it: relative to the workspace folder, else to the repository root.
    const dir = path.dirname(file);
    const folder = this.folderOf(dir) ?? searchTop(dir);
    const shown = folder ? path.relative(folder, file) || path.basename(file) : file;
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    // The messages quote the file's text (JSON.parse does): shown with control characters escaped.
    const text = printable(`${shown} line ${first.line}: ${plainText(first.message)}${more}. The defaults apply until it is fixed.`);
    this.connection.console.warn(printable(`config: ${file}:${first.line}:${first.column}: ${first.message}`));
    // A notification, not a request: nothing waits for the user to dismiss it.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Dockerfile Lean: ${text}` });
    const diagnostics: Diagnostic[] = errors.map((e) => {
      const start = { line: e.line - 1, character: e.column - 1 };
      const end = e.endLine !== undefined && e.endColumn !== undefined ? { line: e.endLine - 1, character: e.endColumn - 1 } : start;
      return { range: { start, end }, severity: DiagnosticSeverity.Error, source: SOURCE, message: printable(`${plainText(e.message)}; until it is fixed, the defaults apply.`) };
    });
    void this.connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics });
  }
}
