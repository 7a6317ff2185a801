// Tests for syntaxes/dockerfile-lean.injection.tmLanguage.json.
//
// The grammar is loaded with vscode-textmate + vscode-oniguruma and injected into a stand-in
// `source.dockerfile` grammar the way VS Code does it for `injectTo`; `source.shell` is a
// stand-in as well (see stubs/). The real VS Code grammars can be used instead by pointing
// DFL_DOCKERFILE_GRAMMAR and DFL_SHELL_GRAMMAR at their .tmLanguage.json files.
//
// Run: node --test test/grammar/
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { INJECTION_FILE, INJECTION_SCOPE, LANGUAGE_IDS, dump, loadDockerfileGrammar, tokenize } from './harness.mjs';

const SHELL = 'source.shell';
const DIRECTIVE = 'meta.directive.dockerfile-lean';
const PRAGMA = 'comment.line.pragma.dockerfile-lean';
const CONTINUATION = 'constant.character.escape.line-continuation.dockerfile-lean';
const HEREDOC_TOKEN = 'keyword.control.heredoc-token.dockerfile-lean';
const HEREDOC_OPERATOR = 'keyword.operator.heredoc.dockerfile-lean';
const COPY_BODY = 'string.unquoted.heredoc.dockerfile-lean';
const KEYWORD = 'keyword.other.special-method.dockerfile';
const FLAG = 'entity.other.attribute-name.flag.dockerfile-lean';
const COMMAND = 'entity.name.command.shell';
// Shell scopes as both the stub and VS Code's real shell grammar name them.
const AND_OR = ['keyword.operator.list.shell', 'punctuation.separator.statement.and.shell', 'punctuation.separator.statement.or.shell'];
const SHELL_KEYWORD = 'keyword.control';
const SHELL_VARIABLE = 'variable.other';

let grammar;
before(async () => {
  grammar = await loadDockerfileGrammar();
});

/** Tokenizes a fixture given as an array of lines (joined with LF). */
function lex(lines) {
  const source = lines.join('\n');
  const tokens = tokenize(grammar, source);
  return { source, tokens, lines };
}

/**
 * The token at the `nth` occurrence of `needle` on line `line` (the token holding its first
 * character). Fails loudly with a token dump when the needle is missing.
 */
function at(fx, line, needle, nth = 0) {
  const text = fx.lines[line];
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) assert.fail(`"${needle}" (#${nth}) not on line ${line}: ${JSON.stringify(text)}`);
  }
  const token = fx.tokens[line].find((t) => t.start <= index && index < t.end);
  if (!token) assert.fail(`no token at ${line}:${index}\n${dump(fx.tokens, fx.source)}`);
  return token;
}

/** Whether the token holds `scope` (or one of several) or a more specific scope under it. */
function has(token, scope) {
  if (Array.isArray(scope)) return scope.some((one) => has(token, one));
  return token.scopes.some((s) => s === scope || s.startsWith(scope + '.'));
}

function assertHas(fx, line, needle, scope, nth = 0) {
  const token = at(fx, line, needle, nth);
  assert.ok(
    has(token, scope),
    `line ${line} "${needle}" should carry ${[scope].flat().join(' | ')}; got ${token.scopes.join(' ')}\n${dump(fx.tokens, fx.source)}`,
  );
}

function assertLacks(fx, line, needle, scope, nth = 0) {
  const token = at(fx, line, needle, nth);
  assert.ok(
    !has(token, scope),
    `line ${line} "${needle}" should not carry ${scope}; got ${token.scopes.join(' ')}\n${dump(fx.tokens, fx.source)}`,
  );
}

/** No token anywhere on the line is inside the shell embedding. */
function assertLineNotShell(fx, line) {
  for (const t of fx.tokens[line]) {
    assert.ok(!has(t, SHELL), `line ${line} token ${JSON.stringify(t.text)} is in ${SHELL}\n${dump(fx.tokens, fx.source)}`);
  }
}

describe('grammar file', () => {
  const raw = JSON.parse(fs.readFileSync(INJECTION_FILE, 'utf8'));

  test('is an injection into source.dockerfile with the expected scope name', () => {
    assert.equal(raw.scopeName, INJECTION_SCOPE);
    assert.match(raw.injectionSelector, /^L:source\.dockerfile(\s|$)/);
  });

  test('every #include names a repository rule and external includes are the two host grammars', () => {
    const includes = [];
    (function walk(node) {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (typeof node.include === 'string') includes.push(node.include);
        Object.values(node).forEach(walk);
      }
    })(raw);
    for (const inc of includes) {
      if (inc.startsWith('#')) assert.ok(raw.repository[inc.slice(1)], `missing repository rule ${inc}`);
      else assert.ok(['source.shell', 'source.dockerfile'].includes(inc), `unexpected include ${inc}`);
    }
  });
});

describe('RUN shell form', () => {
  test('the shell part of a RUN line is embedded source.shell, the keyword is not', () => {
    const fx = lex(['FROM debian:12', 'RUN apt-get update && \\', '    apt-get install -y curl \\', ' && rm -rf /var/lib/apt/lists/*', 'USER app']);
    assertLacks(fx, 1, 'RUN', SHELL);
    assertHas(fx, 1, 'RUN', KEYWORD);
    assertHas(fx, 1, 'apt-get', SHELL);
    assertHas(fx, 1, '&&', SHELL);
    assertHas(fx, 1, '&&', AND_OR);
    // ours, or the shell grammar's own when a shell construct is open at the end of the line
    assertHas(fx, 1, '\\', 'constant.character.escape.line-continuation');
    // continuation lines stay inside the embedding
    assertHas(fx, 2, 'apt-get', SHELL);
    assertHas(fx, 2, 'curl', SHELL);
    assertHas(fx, 3, '&&', SHELL);
    assertHas(fx, 3, 'rm', SHELL);
    // the instruction after the RUN is not
    assertLineNotShell(fx, 4);
    assertHas(fx, 4, 'USER', KEYWORD);
  });

  test('the first command word is named (the shell grammar only sees commands at line start)', () => {
    const fx = lex(['RUN apt-get update', 'RUN FOO=1 make', 'RUN if true; then echo; fi']);
    assertHas(fx, 0, 'apt-get', COMMAND);
    assertLacks(fx, 0, 'update', COMMAND);
    assertLacks(fx, 1, 'FOO', COMMAND);
    assertLacks(fx, 2, 'if', COMMAND);
    assertHas(fx, 2, 'if', SHELL_KEYWORD);
  });

  test('lines after a finished RUN are not shell: blank, comment, other instructions', () => {
    const fx = lex(['RUN echo one', '', '# just a comment', 'RUN echo two', 'CMD ["sh"]']);
    assertHas(fx, 0, 'echo', SHELL);
    assertLineNotShell(fx, 1);
    assertLineNotShell(fx, 2);
    assertHas(fx, 2, '#', 'comment.line.number-sign.dockerfile');
    assertHas(fx, 3, 'echo', SHELL);
    assertLineNotShell(fx, 4);
  });

  test('exec (JSON) form is left to the host grammar', () => {
    const fx = lex([
      'RUN ["echo", "hi"]',
      'RUN --mount=type=cache,target=/root/.cache ["pip", "install", "x"]',
      'RUN [ "a", \\',
      '  "b" ]',
      'USER app',
    ]);
    assertHas(fx, 0, 'RUN', KEYWORD);
    assertLineNotShell(fx, 0);
    assertHas(fx, 0, 'echo', 'string.quoted.double.dockerfile');
    assertLineNotShell(fx, 1);
    assertLineNotShell(fx, 2);
    assertLineNotShell(fx, 3);
  });

  test('a `[` test command is shell form, not exec form', () => {
    const fx = lex(['RUN [ -f /etc/os-release ] && echo yes', 'RUN [ "$A" = "b" ] || exit 1']);
    assertHas(fx, 0, '[', SHELL);
    assertHas(fx, 0, '&&', AND_OR);
    assertHas(fx, 1, '||', SHELL);
  });

  test('--flags before the command are flags, also on continuation lines; later --options are shell', () => {
    const fx = lex([
      'RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\',
      '    --network=none \\',
      '    apt-get install --no-install-recommends -y curl',
      'RUN --mount=type=secret,id=npmrc npm ci',
    ]);
    assertHas(fx, 0, '--mount', FLAG);
    assertLacks(fx, 0, '--mount', SHELL);
    assertHas(fx, 0, 'type=cache', 'string.unquoted.flag-value.dockerfile-lean');
    assertHas(fx, 0, '\\', CONTINUATION);
    assertHas(fx, 1, '--network', FLAG);
    assertHas(fx, 2, 'apt-get', SHELL);
    assertHas(fx, 2, 'apt-get', COMMAND);
    assertHas(fx, 2, '--no-install-recommends', SHELL);
    assertLacks(fx, 2, '--no-install-recommends', FLAG);
    assertHas(fx, 3, '--mount', FLAG);
    assertHas(fx, 3, 'npm ci', SHELL);
    assertHas(fx, 3, 'npm ci', COMMAND);
  });

  test('comment and blank lines inside a continuation do not end the RUN', () => {
    const fx = lex(['RUN apt-get update \\', '    # explain the next step', '', '    && apt-get install -y curl', 'EXPOSE 80']);
    assertHas(fx, 1, '#', 'comment');
    assertHas(fx, 3, '&&', AND_OR);
    assertLineNotShell(fx, 4);
  });

  test('trailing blanks after the backslash still continue; trailing blanks alone do not', () => {
    const fx = lex(['RUN echo a \\   ', '    && echo b   ', 'ENV X=1']);
    assertHas(fx, 0, '\\', CONTINUATION);
    assertHas(fx, 1, '&&', SHELL);
    assertLineNotShell(fx, 2);
  });

  test('shell state (a quoted string) carries across continuation lines', () => {
    const fx = lex(['RUN echo "first \\', '    second" && echo done', 'USER app']);
    assertHas(fx, 1, 'second', 'string.quoted.double.shell');
    assertHas(fx, 1, '&&', AND_OR);
    assertLacks(fx, 1, '&&', 'string');
    assertLineNotShell(fx, 2);
  });

  test('an unterminated shell string is cut off at the next instruction line', () => {
    const fx = lex(['RUN echo "oops', 'USER app', 'RUN echo fine && true']);
    assertHas(fx, 0, 'oops', 'string.quoted.double.shell');
    assertLineNotShell(fx, 1);
    assertHas(fx, 1, 'USER', KEYWORD);
    assertHas(fx, 2, '&&', AND_OR);
  });

  test('ONBUILD RUN and lower-case instructions', () => {
    const fx = lex(['ONBUILD RUN make && make install', 'run echo a && true', 'run echo b']);
    assertHas(fx, 0, 'ONBUILD', 'keyword.control.dockerfile');
    assertHas(fx, 0, 'RUN', KEYWORD);
    assertHas(fx, 0, '&&', SHELL);
    assertHas(fx, 1, 'run', KEYWORD);
    assertLacks(fx, 1, 'run', SHELL);
    assertHas(fx, 1, '&&', SHELL);
    assertHas(fx, 2, 'run', KEYWORD);
    assertLacks(fx, 2, 'run', SHELL);
  });

  test('a command substitution closing at the end of the line does not continue the RUN', () => {
    const fx = lex(['RUN echo `date`', '# hadolint ignore=DL3059', 'RUN echo next']);
    assertHas(fx, 0, 'date', 'string.interpolated.backtick.shell');
    assertLineNotShell(fx, 1);
    assertHas(fx, 1, 'hadolint', PRAGMA);
  });
});

describe('backtick escape (`# escape=\\``)', () => {
  const fx = () =>
    lex([
      '# escape=`',
      'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
      'RUN powershell -Command `',
      '    $ErrorActionPreference = \'Stop\'; `',
      '    Write-Host done',
      'WORKDIR C:\\app',
      'RUN dir C:\\',
      'USER ContainerUser',
    ]);

  test('the directive is recognised', () => {
    const f = fx();
    assertHas(f, 0, 'escape', 'keyword.other.directive.escape.dockerfile-lean');
    assertHas(f, 0, '`', 'string.unquoted.directive-value.dockerfile-lean');
  });

  test('backtick continuation lines stay inside the shell embedding', () => {
    const f = fx();
    assertHas(f, 2, 'powershell', SHELL);
    assertHas(f, 2, '`', CONTINUATION);
    assertLacks(f, 2, '`', 'string.interpolated.backtick.shell');
    assertHas(f, 3, '$ErrorActionPreference', SHELL);
    assertHas(f, 3, '`', CONTINUATION);
    assertHas(f, 4, 'Write-Host', SHELL);
    assertLineNotShell(f, 5);
    assertHas(f, 5, 'WORKDIR', KEYWORD);
  });

  test('a path ending in a backslash is taken for a continuation but the next instruction still ends it', () => {
    const f = fx();
    assertHas(f, 6, 'dir', SHELL);
    assertLineNotShell(f, 7);
    assertHas(f, 7, 'USER', KEYWORD);
  });
});

describe('heredocs', () => {
  test('RUN <<EOF: body lines are shell, the delimiter is marked, what follows is not shell', () => {
    const fx = lex(['FROM alpine', 'RUN <<EOF', 'set -e', 'if true; then echo "hi"; fi', 'FROM not-an-instruction-here', 'EOF', 'USER app']);
    assertHas(fx, 1, '<<', HEREDOC_OPERATOR);
    assertHas(fx, 1, 'EOF', HEREDOC_TOKEN);
    assertHas(fx, 2, 'set', SHELL);
    assertHas(fx, 3, 'if', SHELL_KEYWORD);
    assertHas(fx, 3, 'hi', 'string.quoted.double.shell');
    assertHas(fx, 4, 'FROM', SHELL);
    assertLacks(fx, 4, 'FROM', KEYWORD);
    assertHas(fx, 5, 'EOF', HEREDOC_TOKEN);
    assertLineNotShell(fx, 5);
    assertLineNotShell(fx, 6);
    assertHas(fx, 6, 'USER', KEYWORD);
  });

  test('RUN <<-EOF with a tab-indented delimiter, and a quoted delimiter', () => {
    const fx = lex(['RUN <<-EOT', '\techo one && echo two', '\tEOT', 'RUN <<"END"', 'echo $HOME', 'END', 'ENV A=b']);
    assertHas(fx, 0, '<<-', HEREDOC_OPERATOR);
    assertHas(fx, 1, '&&', SHELL);
    assertHas(fx, 2, 'EOT', HEREDOC_TOKEN);
    assertHas(fx, 3, 'END', HEREDOC_TOKEN);
    assertHas(fx, 3, '"', 'punctuation.definition.string.begin.dockerfile-lean');
    assertHas(fx, 4, '$HOME', SHELL_VARIABLE);
    assertHas(fx, 5, 'END', HEREDOC_TOKEN);
    assertLineNotShell(fx, 6);
  });

  test('text around the opener on the RUN line is shell', () => {
    const fx = lex(['RUN --mount=type=cache,target=/root/.cache python3 -u <<PY > /tmp/log && cat /tmp/log', 'print(1)', 'PY', 'USER app']);
    assertHas(fx, 0, '--mount', FLAG);
    assertHas(fx, 0, 'python3', SHELL);
    assertHas(fx, 0, 'python3', COMMAND);
    assertHas(fx, 0, '-u', SHELL);
    assertHas(fx, 0, '&&', AND_OR);
    assertHas(fx, 1, 'print', SHELL);
    assertHas(fx, 2, 'PY', HEREDOC_TOKEN);
    assertLineNotShell(fx, 3);
  });

  test('an unterminated string in a heredoc body is closed by the delimiter line', () => {
    const fx = lex(['RUN <<EOF', 'echo "no closing quote', 'EOF', 'USER app']);
    assertHas(fx, 1, 'no closing', 'string.quoted.double.shell');
    assertHas(fx, 2, 'EOF', HEREDOC_TOKEN);
    assertLineNotShell(fx, 3);
  });

  test('<< inside quotes is not a heredoc', () => {
    const fx = lex(['RUN echo "<<EOF" && true', 'USER app']);
    assertLacks(fx, 0, '<<', HEREDOC_OPERATOR);
    assertHas(fx, 0, '&&', AND_OR);
    assertLineNotShell(fx, 1);
  });

  test('COPY/ADD heredoc bodies are plain string content, not shell', () => {
    const fx = lex([
      'COPY <<EOT /etc/motd',
      'RUN echo this is text && more',
      '# not a comment either',
      'EOT',
      'COPY --chmod=755 <<-"SCRIPT" /usr/local/bin/hello',
      '\t#!/bin/sh',
      '\tSCRIPT',
      'ADD <<conf /etc/app.conf',
      'key=value',
      'conf',
      'USER app',
    ]);
    assertHas(fx, 0, 'COPY', KEYWORD);
    assertHas(fx, 0, '<<', HEREDOC_OPERATOR);
    assertHas(fx, 0, 'EOT', HEREDOC_TOKEN);
    assertHas(fx, 1, 'RUN', COPY_BODY);
    assertLineNotShell(fx, 1);
    assertLacks(fx, 1, 'RUN', KEYWORD);
    assertHas(fx, 2, '#', COPY_BODY);
    assertLacks(fx, 2, '#', 'comment');
    assertHas(fx, 3, 'EOT', HEREDOC_TOKEN);
    assertHas(fx, 4, '--chmod', FLAG);
    assertHas(fx, 4, 'SCRIPT', HEREDOC_TOKEN);
    assertHas(fx, 5, '#!/bin/sh', COPY_BODY);
    assertHas(fx, 6, 'SCRIPT', HEREDOC_TOKEN);
    assertHas(fx, 8, 'key', COPY_BODY);
    assertHas(fx, 9, 'conf', HEREDOC_TOKEN);
    assertLineNotShell(fx, 10);
    assertHas(fx, 10, 'USER', KEYWORD);
  });
});

describe('parser directives', () => {
  test('syntax, escape and check at the top of the file', () => {
    const fx = lex(['# syntax=docker/dockerfile:1.7', '#escape=\\', '# check = skip=JSONArgsRecommended;error=true', 'FROM scratch']);
    assertHas(fx, 0, '#', DIRECTIVE);
    assertHas(fx, 0, 'syntax', 'keyword.other.directive.syntax.dockerfile-lean');
    assertHas(fx, 0, '=', 'keyword.operator.assignment.directive.dockerfile-lean');
    assertHas(fx, 0, 'docker/dockerfile:1.7', 'string.unquoted.directive-value.dockerfile-lean');
    assertHas(fx, 1, 'escape', 'keyword.other.directive.escape.dockerfile-lean');
    assertHas(fx, 2, 'check', 'keyword.other.directive.check.dockerfile-lean');
    assertHas(fx, 2, 'skip=JSONArgsRecommended', 'string.unquoted.directive-value.dockerfile-lean');
    assertLacks(fx, 0, 'syntax', 'comment');
    assertLacks(fx, 3, 'FROM', DIRECTIVE);
  });

  test('directive-shaped comments after the top block are ordinary comments', () => {
    const fx = lex(['# syntax=docker/dockerfile:1', '', '# escape=`', 'FROM scratch', '# check=error=true']);
    assertHas(fx, 0, 'syntax', DIRECTIVE);
    assertLacks(fx, 2, 'escape', DIRECTIVE);
    assertHas(fx, 2, 'escape', 'comment.line.number-sign.dockerfile');
    assertLacks(fx, 4, 'check', DIRECTIVE);
  });

  test('a regular comment first means no directives at all', () => {
    const fx = lex(['# Build the app', '# syntax=docker/dockerfile:1', 'FROM scratch']);
    assertLacks(fx, 1, 'syntax', DIRECTIVE);
    assertHas(fx, 1, 'syntax', 'comment.line.number-sign.dockerfile');
  });
});

describe('ignore pragmas', () => {
  test('dockerfile-lean and hadolint ignore comments, local and global', () => {
    const fx = lex([
      '# dockerfile-lean global ignore=multi-stage',
      'FROM debian:12',
      '# hadolint ignore=DL3059',
      'RUN echo one',
      '# dockerfile-lean ignore=merge-run,apt-hygiene',
      'RUN echo two',
      '# hadolint global ignore=DL3008, DL3009',
      '# an ordinary comment mentioning hadolint ignore=DL3000',
    ]);
    assertHas(fx, 0, '#', PRAGMA);
    assertHas(fx, 0, 'dockerfile-lean', 'entity.name.namespace.pragma.dockerfile-lean');
    assertHas(fx, 0, 'global', 'storage.modifier.global.pragma.dockerfile-lean');
    assertHas(fx, 0, 'ignore', 'keyword.other.pragma.ignore.dockerfile-lean');
    assertHas(fx, 0, 'multi-stage', 'constant.other.rule-id.dockerfile-lean');
    assertLacks(fx, 0, 'multi-stage', DIRECTIVE);
    assertHas(fx, 2, 'hadolint', PRAGMA);
    assertHas(fx, 2, 'DL3059', 'constant.other.rule-id.dockerfile-lean');
    assertLineNotShell(fx, 2);
    // right after a RUN (still inside its region) the pragma is recognised
    assertHas(fx, 4, 'merge-run', 'constant.other.rule-id.dockerfile-lean');
    assertHas(fx, 4, ',', 'punctuation.separator.comma.dockerfile-lean');
    assertHas(fx, 4, 'apt-hygiene', 'constant.other.rule-id.dockerfile-lean');
    assertLineNotShell(fx, 4);
    assertHas(fx, 6, 'global', 'storage.modifier.global.pragma.dockerfile-lean');
    assertHas(fx, 6, 'DL3009', 'constant.other.rule-id.dockerfile-lean');
    assertLacks(fx, 7, 'hadolint', PRAGMA);
    assertHas(fx, 7, 'hadolint', 'comment.line.number-sign.dockerfile');
  });
});

describe('embedded language', () => {
  test('shell tokens map to the shellscript language id through embeddedLanguages', () => {
    const fx = lex(['RUN apt-get update && \\', '    apt-get clean', 'USER app']);
    assert.equal(at(fx, 0, 'RUN').languageId, LANGUAGE_IDS.dockerfile);
    assert.equal(at(fx, 0, '&&').languageId, LANGUAGE_IDS.shellscript);
    assert.equal(at(fx, 1, 'clean').languageId, LANGUAGE_IDS.shellscript);
    assert.equal(at(fx, 2, 'USER').languageId, LANGUAGE_IDS.dockerfile);
  });
});
