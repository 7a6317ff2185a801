/** Ids shared by the server and the client. No analysis here. */
export const SERVER_NAME = 'dockerfile-lean';
export const SOURCE = 'dockerfile-lean';
export const FIX_ALL_KIND = 'source.fixAll.dockerfile-lean';

/** Commands the server executes (workspace/executeCommand). The client's palette commands have other ids. */
export const ServerCommands = {
  convertToMultiStage: 'dockerfile-lean.server.convertToMultiStage',
  insertNonRootUser: 'dockerfile-lean.server.insertNonRootUser',
  mergeRunInstructions: 'dockerfile-lean.server.mergeRunInstructions',
  fixAll: 'dockerfile-lean.server.fixAll',
} as const;

/**
 * Shows why a finding's fix declined (the multi-stage conversion's reason, in full): the server sends it as a
 * `window/showMessage`. A client with a view of its own names its command in `initializationOptions.showReasonCommand`
 * and gets that command in the code action instead, with the same `ReasonArgs`.
 */
export const SHOW_REASON_COMMAND = 'dockerfile-lean.server.showNotConvertedReason';

/** The arguments of the show-reason command. */
export interface ReasonArgs {
  /** What was not done (`Not converted to a multi-stage build`). */
  title: string;
  /** Why, in full. */
  reason: string;
  /** The finding's whole message. */
  message: string;
  /** The rule's documentation page. */
  docs: string;
}

/**
 * What "Build and compare" builds for a document: `{ uri, rules? }` in, CompareTextsResult out. The client runs the
 * builds (it has the workspace's trust, the cancellation and the engine's processes); the analysis stays here.
 */
export const COMPARE_TEXTS_COMMAND = 'dockerfile-lean.server.compareTexts';

export interface CompareTextsArgs {
  uri: string;
  /** Only these rules' fixes (default: every fix, the conversion included). */
  rules?: string[];
}

export interface CompareTextsResult {
  before: string;
  after: string;
  rules: string[];
  perRule: Record<string, string>;
  toolchainPaths: string[] | null;
  ecosystem: string | null;
  /** Why nothing changes, when nothing does. */
  message?: string;
}

/** The rule each single-rule command applies. */
export const COMMAND_RULE: Record<string, string | null> = {
  [ServerCommands.convertToMultiStage]: 'multi-stage',
  [ServerCommands.insertNonRootUser]: 'non-root-user',
  [ServerCommands.mergeRunInstructions]: 'merge-run',
  [ServerCommands.fixAll]: null,
};

/** Arguments of every server command: the document, and whether to apply the edit or only return it. */
export interface CommandArgs {
  uri: string;
  /** When false, the server returns the edit (for a preview) instead of applying it. */
  apply?: boolean;
}

/** What a server command returns. */
export interface CommandResult {
  /** The whole new text, or null when there is nothing to change. */
  newText: string | null;
  /** Why nothing changed, in words a person can act on. */
  message?: string;
  applied?: boolean;
}
