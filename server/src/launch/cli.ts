/** `dist/cli.js`: starts the command-line bundle with a code cache (see node/launch.ts). */
import * as path from 'path';
import { launch } from '../node/launch';

launch(path.join(__dirname, 'cli.main.js'));
