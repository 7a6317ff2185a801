/** Starts the language client for Dockerfiles and registers the palette commands (Build and Compare among them). Nothing else. */
import * as path from 'path';
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCommands, SHOW_REASON_COMMAND } from './commands';
import { registerCompare } from './compare';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<{ client: LanguageClient }> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  // Project config files: the server re-analyses open Dockerfiles when one changes.
  const configWatcher = workspace.createFileSystemWatcher('**/.dockerfilelean.{json,yaml,yml}');
  context.subscriptions.push(configWatcher);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'untitled', language: 'dockerfile' },
    ],
    synchronize: { configurationSection: 'dockerfileLean', fileEvents: configWatcher },
    // The conversion's quick fix runs the palette command, which previews it, instead of applying its edit; a
    // declined conversion's "Show why" action opens the reason in the editor rather than a notification.
    initializationOptions: { conversionCommand: 'dockerfileLean.convertToMultiStage', showReasonCommand: SHOW_REASON_COMMAND },
  };
  client = new LanguageClient('dockerfileLean', 'Dockerfile Lean', serverOptions, clientOptions);
  registerCommands(context, client);
  registerCompare(context, client);
  await client.start();
  return { client };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
