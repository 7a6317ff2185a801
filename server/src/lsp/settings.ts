/** Settings pulled per document, cached, cleared when the client says they changed. */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, normalizeSettings, type Settings } from '../core/types';

/** How long to wait for the client's answer to workspace/configuration. */
const SETTINGS_TIMEOUT_MS = 2000;

export class SettingsStore {
  private cache = new Map<string, Promise<Settings>>();
  private pushed: Settings = DEFAULT_SETTINGS;
  canPull = false;

  constructor(private readonly connection: Connection) {}

  /** Settings sent with didChangeConfiguration by clients that cannot be asked. */
  setPushed(raw: unknown): void {
    const section = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).dockerfileLean : undefined;
    this.pushed = section !== undefined ? normalizeSettings(section) : this.pushed;
    this.cache.clear();
  }

  clear(uri?: string): void {
    if (uri) this.cache.delete(uri);
    else this.cache.clear();
  }

  get(uri: string): Promise<Settings> {
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
        if (this.cache.get(uri) === cached) this.cache.set(uri, Promise.resolve(settings));
      });
      this.cache.set(uri, p);
    }
    return p;
  }
}
