/** Settings pulled per document, cached, cleared when the client says they changed. */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, normalizeSettings, type Settings } from '../core/types';

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
      p = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'dockerfileLean' })
        .then((raw) => (raw === null || raw === undefined ? this.pushed : normalizeSettings(raw)))
        .catch(() => this.pushed);
      this.cache.set(uri, p);
    }
    return p;
  }
}
