// A client process for limits.test.mjs (not a test file itself): starts the server with the environment given as
// a JSON argument, opens the Dockerfile given as the second argument (a long job under the test hook), prints
// the server's process id once the job is under way, then waits to be killed. The server's initialize names
// this process as its client.
import { Client } from './client.mjs';

const [env, text] = [JSON.parse(process.argv[2]), process.argv[3]];
const c = await Client.start({ env });
c.notify('textDocument/didOpen', { textDocument: { uri: 'untitled:orphan-Dockerfile', languageId: 'dockerfile', version: 1, text } });
// The analysis starts as soon as the open is read; give it a moment to be well inside the hook's loop.
setTimeout(() => process.stdout.write(`${c.proc.pid}\n`), 1000);
setInterval(() => {}, 1000);
