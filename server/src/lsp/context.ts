/** The build context of an open document: the folder of a `file:` URI; other schemes have none. */
import * as path from 'path';
import { fileURLToPath } from 'url';
import type { AnalysisContext } from '../core/types';
import { folderFiles } from '../node/workspace-files';

export function contextFor(uri: string): AnalysisContext {
  if (!uri.startsWith('file:')) return {};
  try {
    return { files: folderFiles(path.dirname(fileURLToPath(uri))) };
  } catch {
    return {};
  }
}
