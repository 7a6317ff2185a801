/** Plain data shared by the analysis core and its adapters. Positions are 0-based, characters in UTF-16 code units (as in LSP). */
import type { Deadline } from './deadline';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A replacement of the text between two offsets of the original document. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface Fix {
  /** Shown as the quick-fix title. */
  title: string;
  edits: TextEdit[];
  /** The main fix for its finding. */
  preferred: boolean;
  /** Offered in the editor only: fix-all and the CLI's `fix` skip it (it rests on a guess the user confirms). */
  manual?: boolean;
}

/** Another rule's finding that the same fix resolves, reported inside the finding that carries the fix (core/overlaps.ts). */
export interface RelatedFinding {
  rule: string;
  message: string;
  range: Range;
}

export interface Finding {
  rule: string;
  severity: Severity;
  /** The first line says what is wrong and what would fix it; the lines after it are the detail (core/message.ts). */
  message: string;
  range: Range;
  /** Whether a safe, automatic fix exists. When false, `reason` says why not. */
  fixable: boolean;
  reason?: string;
  /**
   * Whatever the rule's fix needs, small and serialisable (travels in Diagnostic.data). `quickFixOnly: true` on a
   * finding that is not fixable: the rule still offers a manual quick fix in the editor (fix-all and `fix` skip it).
   */
  data?: Record<string, unknown>;
  /** Findings of other rules this finding's fix resolves too, each reported here instead of on its own. */
  related?: RelatedFinding[];
}

/** A rule's options by name: plain values, checked against the rule's `meta.options` before it sees them. */
export type RuleOptions = Readonly<Record<string, string | number | boolean>>;

export interface Settings {
  enable: boolean;
  /** Per rule id: its severity, or 'off'. Missing ids take the rule's default. */
  rules: Record<string, SeveritySetting>;
  /** Per rule id: its options (from a project config file). Missing ones take the rule's defaults. */
  options?: Record<string, RuleOptions>;
  /**
   * Whether the editor's fix-all (`source.fixAll`, e.g. on save) also applies the multi-stage conversion.
   * Off by default: fix-all applies only the local fixes; the conversion goes through a preview.
   */
  fixAllIncludesConversion?: boolean;
}

/**
 * Files next to the Dockerfile (its folder, taken as the build context), read on demand. Recipes use
 * them to learn binary names, build outputs and versions (`go.mod`, `package.json`, `pom.xml`, …).
 * `read` takes a relative POSIX path and returns the text, or null when there is no such file or it
 * cannot be read. The adapters provide it; the core never touches the file system itself.
 */
export interface WorkspaceFiles {
  read(relPath: string): string | null;
  /**
   * The entries of a folder of the build context ('' = the context itself): names, folders with a trailing `/`,
   * sorted; null when there is no such folder or it cannot be listed. Optional: an adapter without a folder
   * to look into leaves it out, and the recipes then treat what the folder holds as unknown.
   */
  list?(relDir: string): string[] | null;
  /**
   * The compose files of the project around the build context (compose.yaml, docker-compose.yml…): in its folder and
   * the folders above it, up to the repository's root (a folder with `.git`) and at most three levels up, each with
   * `dir`, the path from the compose file's folder down to the build context ('' for the same folder), and `env`, the
   * text of the `.env` file beside it (compose reads its variables from there), if any. Optional: an
   * adapter that cannot look there leaves it out, and only a compose file in the context itself is seen.
   */
  composeFiles?(): { name: string; text: string; dir: string; env?: string | null }[];
}

/** What an analysis may look at besides the text. */
export interface AnalysisContext {
  files?: WorkspaceFiles | null;
  /**
   * The document's path with `/` separators, as the adapter knows it (the CLI: the file it was given, resolved;
   * the server: a `file:` URI's path). Rules read only its folder names: a Dockerfile under `.devcontainer/`
   * defines a development environment. Absent or null when there is no file (standard input, an unsaved editor).
   */
  path?: string | null;
  /** The run's time budget (see core/deadline.ts): past it, the multi-stage conversion is not planned. None: no limit. */
  deadline?: Deadline | null;
}

export const DEFAULT_SETTINGS: Settings = { enable: true, rules: {} };

/** Whether two records hold the same keys with the same plain values (in any order). */
function sameRecord(a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined, same: (x: unknown, y: unknown) => boolean): boolean {
  if (a === b) return true;
  const ka = a ? Object.keys(a) : [];
  const kb = b ? Object.keys(b) : [];
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !same(a![k], b![k])) return false;
  return true;
}

/** Whether two settings would give the same analysis: same switch, severities and options. */
export function sameSettings(a: Settings, b: Settings): boolean {
  return (
    a.enable === b.enable &&
    sameRecord(a.rules, b.rules, Object.is) &&
    sameRecord(a.options, b.options, (x, y) => sameRecord(x as RuleOptions, y as RuleOptions, Object.is))
  );
}

export const SEVERITIES: readonly SeveritySetting[] = ['off', 'hint', 'info', 'warning', 'error'];

/** Turns whatever a client or a config sent into valid settings; anything unknown falls back to the defaults. */
export function normalizeSettings(raw: unknown): Settings {
  const out: Settings = { enable: true, rules: {} };
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  if (typeof r.enable === 'boolean') out.enable = r.enable;
  const fixAll = r.fixAll && typeof r.fixAll === 'object' ? (r.fixAll as Record<string, unknown>) : null;
  if (fixAll?.includeConversion === true) out.fixAllIncludesConversion = true;
  if (r.rules && typeof r.rules === 'object') {
    for (const [id, sev] of Object.entries(r.rules as Record<string, unknown>)) {
      if (typeof sev === 'string' && (SEVERITIES as readonly string[]).includes(sev)) out.rules[id] = sev as SeveritySetting;
    }
  }
  if (r.options && typeof r.options === 'object') {
    for (const [id, opts] of Object.entries(r.options as Record<string, unknown>)) {
      if (!opts || typeof opts !== 'object') continue;
      const plain = Object.entries(opts as Record<string, unknown>).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v));
      if (plain.length) (out.options ??= {})[id] = Object.fromEntries(plain) as RuleOptions;
    }
  }
  return out;
}
