/** `dist/server.js`: starts the language server bundle with a code cache (see node/launch.ts). */
import * as path from 'path';
import { launch } from '../node/launch';

launch(path.join(__dirname, 'server.main.js'), 5000);
