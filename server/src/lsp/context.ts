/** The build context of an open document: the folder of a `file:` URI; other schemes have none. */
import * as path from 'path';
import { fileURLToPath } from 'url';
import type { AnalysisContext } from '../core/types';
import { folderFiles } from '../node/workspace-files';

export function contextFor(uri: string): AnalysisContext {
  if (!uri.startsWith('file:')) return {};
  try {
    const file = fileURLToPath(uri);
    return { files: folderFiles(path.dirname(file)), path: file.split(path.sep).join('/') };
  } catch {
    return {};
  }
}
