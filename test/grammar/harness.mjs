// Loads the injection grammar into vscode-textmate on top of the stub host grammars and tokenizes
// fixture text. Shared by grammar.test.mjs; run `node test/grammar/harness.mjs FILE` to dump the
// tokens of a file while working on the grammar.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export const INJECTION_SCOPE = 'dockerfile-lean.injection';
export const INJECTION_FILE = path.join(root, 'syntaxes', 'dockerfile-lean.injection.tmLanguage.json');

/** Grammar files by scope name; the host grammars can be swapped for real ones through the environment. */
export function grammarFiles(env = process.env) {
  return {
    [INJECTION_SCOPE]: INJECTION_FILE,
    'source.dockerfile': env.DFL_DOCKERFILE_GRAMMAR || path.join(here, 'stubs', 'dockerfile.stub.tmLanguage.json'),
    'source.shell': env.DFL_SHELL_GRAMMAR || path.join(here, 'stubs', 'shell.stub.tmLanguage.json'),
  };
}

let onigLib = null;
function loadOniguruma() {
  if (!onigLib) {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    onigLib = oniguruma
      .loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength))
      .then(() => ({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }));
  }
  return onigLib;
}

export const LANGUAGE_IDS = { dockerfile: 1, shellscript: 2 };

/** The source.dockerfile grammar with our injection, the way VS Code wires `injectTo`. */
export async function loadDockerfileGrammar(files = grammarFiles()) {
  const registry = new vsctm.Registry({
    onigLib: loadOniguruma(),
    loadGrammar: async (scopeName) => {
      const file = files[scopeName];
      if (!file) return null;
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
    getInjections: (scopeName) => (scopeName === 'source.dockerfile' ? [INJECTION_SCOPE] : undefined),
  });
  const grammar = await registry.loadGrammarWithConfiguration('source.dockerfile', LANGUAGE_IDS.dockerfile, {
    // Mirrors the `embeddedLanguages` of the package.json grammar contribution.
    embeddedLanguages: { 'source.shell': LANGUAGE_IDS.shellscript },
  });
  if (!grammar) throw new Error('source.dockerfile grammar did not load');
  return grammar;
}

/**
 * Tokenizes `text` line by line. Returns one array per line of
 * `{ text, start, end, scopes, languageId }`.
 */
export function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  const result = [];
  for (const line of text.split('\n')) {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    const binary = grammar.tokenizeLine2(line, state).tokens;
    const languageAt = (offset) => {
      let id = 0;
      for (let i = 0; i < binary.length; i += 2) {
        if (binary[i] > offset) break;
        id = binary[i + 1] & 0xff;
      }
      return id;
    };
    result.push(
      tokens.map((t) => ({
        text: line.slice(t.startIndex, t.endIndex),
        start: t.startIndex,
        end: t.endIndex,
        scopes: t.scopes,
        languageId: languageAt(t.startIndex),
      })),
    );
    state = ruleStack;
  }
  return result;
}

/** Human-readable dump, one token per line. */
export function dump(lines, source) {
  const src = source.split('\n');
  const out = [];
  lines.forEach((tokens, i) => {
    out.push(`${String(i).padStart(3)}| ${src[i]}`);
    for (const t of tokens) out.push(`     ${JSON.stringify(t.text).padEnd(28)} ${t.scopes.slice(1).join(' ')}`);
  });
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node test/grammar/harness.mjs <Dockerfile>');
  } else {
    const text = fs.readFileSync(file, 'utf8');
    const grammar = await loadDockerfileGrammar();
    console.log(dump(tokenize(grammar, text), text));
  }
}
