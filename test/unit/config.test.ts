/** The project config file, rule options, settings merging, Dockerfile discovery and the CLI's output formats. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, fixAll } from '../../server/src/analysis/analyze';
import { initShell } from '../../server/src/core/shell';
import { normalizeSettings, sameSettings, type Settings } from '../../server/src/core/types';
import { configForDir, findConfigFile, formatConfigError, loadConfig, mergeSettings, parseConfig } from '../../server/src/node/config';
import { discoverDir, expandGlob, isDockerfileName, looksLikeGlob } from '../../server/src/node/discover';
import { applyPatch } from 'diff';
import { escapeData, escapeProperty, githubAnnotation, sarifLog, shownFile, shownText, unifiedDiff, artifactUri } from '../../server/src/cli/formats';
import { printable } from '../../server/src/core/printable';
import { getRule } from '../../server/src/rules/index';
import { resolveOptions } from '../../server/src/rules/options';

let tmp = '';
before(async () => {
  await initShell();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dfl-config-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Creates files (path → content) under a new folder; returns its path. */
function tree(files: Record<string, string>): string {
  const root = path.join(tmp, `t${++n}`);
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    if (!rel.endsWith('/')) fs.writeFileSync(f, content);
  }
  fs.mkdirSync(root, { recursive: true });
  return root;
}

const json = (text: string) => parseConfig(text, '/p/.dockerfilelean.json', '.dockerfilelean.json');
const yaml = (text: string) => parseConfig(text, '/p/.dockerfilelean.yaml', '.dockerfilelean.yaml');

describe('config file: parsing', () => {
  it('reads severities, options and ignore from JSON', () => {
    const r = json('{\n  "rules": {\n    "merge-run": "off",\n    "non-root-user": { "severity": "error", "options": { "uid": 2000, "name": "svc" } }\n  },\n  "ignore": ["vendor/", "**/testdata/**"]\n}\n');
    assert.equal(r.error, null);
    assert.deepEqual(r.config?.rules, { 'merge-run': 'off', 'non-root-user': 'error' });
    assert.deepEqual(r.config?.options, { 'non-root-user': { uid: 2000, name: 'svc' } });
    assert.deepEqual(r.config?.ignore, ['vendor/', '**/testdata/**']);
  });

  it('reads the same from YAML, with comments; an empty file sets nothing', () => {
    const r = yaml('# project settings\nrules:\n  merge-run: off\n  apt-hygiene: hint\n  non-root-user:\n    options:\n      uid: 1234\nignore:\n  - legacy/**\n');
    assert.equal(r.error, null);
    assert.deepEqual(r.config?.rules, { 'merge-run': 'off', 'apt-hygiene': 'hint' });
    assert.deepEqual(r.config?.options, { 'non-root-user': { uid: 1234 } });
    assert.deepEqual(r.config?.ignore, ['legacy/**']);
    for (const empty of ['', '\n', '# nothing yet\n', '\uFEFF']) {
      const e = yaml(empty);
      assert.equal(e.error, null, JSON.stringify(empty));
      assert.deepEqual(e.config?.rules, {});
    }
  });

  const bad: [string, (t: string) => ReturnType<typeof json>, string, number, number, RegExp][] = [
    ['JSON syntax', json, '{\n  "rules": {\n    "merge-run": "off",\n  }\n}\n', 4, 3, /not valid JSON/],
    ['JSON that is empty', json, '', 1, 1, /not valid JSON/],
    ['JSON with a comment', json, '{\n  // no comments in JSON\n  "rules": {}\n}\n', 2, 3, /not valid JSON/],
    ['YAML syntax', yaml, 'rules:\n  merge-run: [off,\n', 3, 1, /not valid YAML/],
    ['YAML duplicate key', yaml, 'rules:\n  merge-run: off\n  merge-run: error\n', 3, 3, /not valid YAML/],
    ['JSON duplicate key', json, '{\n  "ignore": [],\n  "rules": {},\n  "ignore": ["x"]\n}\n', 4, 3, /not valid YAML: this key is already set above in the same mapping/],
    ['duplicate option', yaml, 'rules:\n  non-root-user:\n    options:\n      uid: 5\n      uid: 6\n', 5, 7, /this key is already set above in the same mapping/],
    ['duplicate in a flow mapping in a list', yaml, 'ignore:\n  - a\n  - {x: 1, y: 2, x: 3}\n', 3, 18, /this key is already set above in the same mapping/],
    ['duplicate before a syntax error', yaml, 'rules:\n  merge-run: off\n  merge-run: error\nignore: [\n', 3, 3, /this key is already set above in the same mapping/],
    ['syntax error in a flow value before its duplicate key is checked', yaml, '{a: 1, a: [}\n', 1, 12, /not valid YAML: (?!Map keys)/],
    ['the inner duplicate of a flow mapping first', yaml, '{a: 1, a: {x: 1, x: 2}}\n', 1, 18, /this key is already set above in the same mapping/],
    ['unknown rule', json, '{\n  "rules": {\n    "merge-runs": "off"\n  }\n}\n', 3, 5, /unknown rule "merge-runs" \(rules: .*merge-run/],
    ['unknown severity', yaml, 'rules:\n  merge-run: loud\n', 2, 14, /merge-run: unknown severity "loud" \(expected one of off, hint, info, warning, error\)/],
    ['severity of the wrong type', yaml, 'rules:\n  merge-run: [off]\n', 2, 14, /merge-run: expected a severity/],
    ['unknown key in a rule', yaml, 'rules:\n  merge-run:\n    level: off\n', 3, 5, /merge-run: unknown key "level" \(expected `severity` or `options`\)/],
    ['unknown option', yaml, 'rules:\n  non-root-user:\n    options:\n      gid: 5\n', 4, 7, /non-root-user: unknown option "gid" \(options: name, uid\)/],
    ['option of a rule without options', yaml, 'rules:\n  merge-run:\n    options:\n      max: 3\n', 4, 7, /merge-run: unknown option "max" \(this rule has no options\)/],
    ['option out of range', yaml, 'rules:\n  non-root-user:\n    options:\n      uid: 0\n', 4, 12, /option uid: expected an integer from 1 to 65535, got 0/],
    ['option of the wrong type', json, '{"rules": {"non-root-user": {"options": {"uid": "1000"}}}}', 1, 49, /option uid: expected an integer, got the string "1000"/],
    ['option refused', yaml, 'rules:\n  non-root-user:\n    options:\n      name: root\n', 4, 13, /option name: "root" is not allowed/],
    ['option not matching', yaml, 'rules:\n  non-root-user:\n    options:\n      name: "Bad Name"\n', 4, 13, /option name: "Bad Name" does not match/],
    ['unknown top-level key', yaml, 'rules: {}\nrule:\n  merge-run: off\n', 2, 1, /unknown key "rule" \(expected `rules` or `ignore`\)/],
    ['top level not a mapping', yaml, '- merge-run\n', 1, 1, /expected a mapping/],
    ['ignore not a list', yaml, 'ignore: vendor/\n', 1, 9, /`ignore` must be a list/],
    ['ignore entry not a string', yaml, 'ignore:\n  - vendor/\n  - { a: 1 }\n', 3, 5, /`ignore` entries must be strings/],
  ];
  for (const [name, parse, text, line, column, message] of bad) {
    it(`one error with its line and column: ${name}`, () => {
      const r = parse(text);
      assert.equal(r.config, null, 'an erroneous file gives no config (the defaults apply)');
      assert.ok(r.error);
      assert.match(r.error.message, message);
      assert.deepEqual([r.error.line, r.error.column], [line, column], `${r.error.line}:${r.error.column} ${r.error.message}`);
      const shown = formatConfigError(r.error);
      assert.match(shown, /^\.dockerfilelean\.(json|yaml):\d+:\d+: .+; the defaults apply instead$/);
      assert.ok(!shown.includes('\n'), 'one line');
    });
  }

  it('60,000 keys parse in linear time (within a small ratio of a list of the same size); the repeat at the end is found at its line', () => {
    const n = 60_000;
    // The last key repeats the first: the error names it, at its line (or column, in one-line JSON).
    const keys = (f: (i: number) => string) => [...Array.from({ length: n - 1 }, (_, i) => f(i)), f(0)];
    const yamlKeys = keys((i) => `k${i}: v${i}`).join('\n') + '\n';
    const jsonKeys = '{' + keys((i) => `"k${i}": ${i}`).join(', ') + '}';
    // The ordinary config of the same size: a long ignore list.
    const list = (f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
    const yamlList = 'ignore:\n' + list((i) => `  - v/p${i}`).join('\n') + '\n';
    const jsonList = '{"ignore": [' + list((i) => `"vendor/p${i}"`).join(', ') + ']}';
    const cases: [string, (t: string) => ReturnType<typeof json>, string, string, [number, number]][] = [
      ['YAML', yaml, yamlKeys, yamlList, [n, 1]],
      ['JSON', json, jsonKeys, jsonList, [1, jsonKeys.lastIndexOf('"k0"') + 1]],
    ];
    const time = (f: () => void) => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    for (const [name, parse, text, same, at] of cases) {
      assert.ok(text.length > 600_000 && Math.abs(same.length - text.length) < text.length / 4, `${name}: ${text.length} and ${same.length} bytes`);
      // A second try only after a slow first one: a busy machine, not a quadratic parse (which took 45 s and more).
      let ratio = Infinity;
      for (let attempt = 0; attempt < 2 && ratio >= 4; attempt++) {
        const base = time(() => assert.equal(parse(same).error, null));
        let r: ReturnType<typeof json> | undefined;
        ratio = time(() => (r = parse(text))) / base;
        assert.deepEqual([r?.error?.line, r?.error?.column, r?.error?.message], [...at, 'not valid YAML: this key is already set above in the same mapping'], name);
      }
      assert.ok(ratio < 4, `${name}: ${ratio.toFixed(1)} times the list of the same size`);
    }
  });

  it('never throws on odd input', () => {
    const odd = ['null', '[]', '"rules"', '{"rules": null, "ignore": null}', '{"rules": {"merge-run": null}}', '\u0000\u0001', '{"rules": {"non-root-user": {"options": []}}}', 'rules: !!binary AAAA', '&a [*a]', 'x'.repeat(10000)];
    for (const t of odd) {
      assert.doesNotThrow(() => json(t), t);
      assert.doesNotThrow(() => yaml(t), t);
    }
  });
});

describe('config file: finding and caching', () => {
  it('is found from the folder upward, and not above a .git folder', () => {
    const root = tree({ 'repo/.git/HEAD': 'ref', 'repo/.dockerfilelean.yaml': 'rules: {}\n', 'repo/a/b/Dockerfile': 'FROM x\n', '.dockerfilelean.json': '{}' });
    assert.equal(findConfigFile(path.join(root, 'repo/a/b')), path.join(root, 'repo/.dockerfilelean.yaml'));
    const bare = tree({ 'repo/.git/HEAD': 'ref', 'repo/a/Dockerfile': 'FROM x\n', '.dockerfilelean.json': '{}' });
    assert.equal(findConfigFile(path.join(bare, 'repo/a')), null, 'the config above the repository does not apply');
    const noGit = tree({ 'a/b/Dockerfile': 'FROM x\n', '.dockerfilelean.json': '{}' });
    assert.equal(findConfigFile(path.join(noGit, 'a/b')), path.join(noGit, '.dockerfilelean.json'), 'outside a repository the search goes on up');
  });

  it('prefers .json, then .yaml, then .yml in one folder; the nearest folder wins', () => {
    const root = tree({ '.git/': '', '.dockerfilelean.yml': 'rules: {}', '.dockerfilelean.yaml': 'rules: {}', 'sub/.dockerfilelean.yml': 'rules: {}' });
    assert.equal(path.basename(findConfigFile(root) ?? ''), '.dockerfilelean.yaml');
    fs.writeFileSync(path.join(root, '.dockerfilelean.json'), '{}');
    assert.equal(path.basename(findConfigFile(root) ?? ''), '.dockerfilelean.json');
    assert.equal(findConfigFile(path.join(root, 'sub')), path.join(root, 'sub/.dockerfilelean.yml'));
  });

  it('is cached until the file changes, then read again', () => {
    const root = tree({ '.git/': '', '.dockerfilelean.json': '{"rules": {"merge-run": "off"}}' });
    const file = path.join(root, '.dockerfilelean.json');
    const a = loadConfig(file);
    assert.equal(loadConfig(file), a, 'the same object while unchanged');
    assert.equal(configForDir(root), a);
    fs.writeFileSync(file, '{"rules": {"merge-run": "error", "apt-hygiene": "off"}}');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const b = loadConfig(file);
    assert.notEqual(b, a);
    assert.deepEqual(b.config?.rules, { 'merge-run': 'error', 'apt-hygiene': 'off' });
    fs.rmSync(file);
    assert.match(loadConfig(file).error?.message ?? '', /cannot read/);
    assert.equal(configForDir(root), null);
  });
});

describe('settings: the config file under editor or command-line settings', () => {
  const config = parseConfig('{"rules": {"merge-run": "off", "apt-hygiene": "error", "non-root-user": {"options": {"uid": 3000}}}}', '/p/.dockerfilelean.json').config;

  it('an explicit setting wins; what the client leaves at "default" comes from the file', () => {
    const client = normalizeSettings({ enable: true, rules: { 'apt-hygiene': 'hint', 'merge-run': 'default', 'non-root-user': 'default' } });
    assert.deepEqual(client.rules, { 'apt-hygiene': 'hint' }, 'normalizeSettings drops "default"');
    const s = mergeSettings(client, config);
    assert.deepEqual(s.rules, { 'merge-run': 'off', 'apt-hygiene': 'hint' });
    assert.deepEqual(s.options, { 'non-root-user': { uid: 3000 } });
    assert.equal(s.enable, true);
    assert.equal(mergeSettings(normalizeSettings({ enable: false }), config).enable, false);
    assert.equal(mergeSettings(client, null), client, 'no config: the client settings as they are');
  });

  it('options from the client override the file option by option', () => {
    const client: Settings = { enable: true, rules: {}, options: { 'non-root-user': { name: 'web' } } };
    assert.deepEqual(mergeSettings(client, config).options, { 'non-root-user': { uid: 3000, name: 'web' } });
    assert.deepEqual(normalizeSettings({ options: { 'non-root-user': { uid: 7, nested: { x: 1 } }, x: 3 } }).options, { 'non-root-user': { uid: 7 } });
  });

  it('resolveOptions fills defaults and drops invalid values', () => {
    const rule = getRule('non-root-user')!;
    assert.deepEqual(resolveOptions(rule, undefined), { name: 'app', uid: 10001 });
    assert.deepEqual(resolveOptions(rule, { uid: 0, name: 'root', extra: 1 }), { name: 'app', uid: 10001 });
    assert.deepEqual(resolveOptions(rule, { uid: 4242, name: 'svc' }), { name: 'svc', uid: 4242 });
    assert.deepEqual(resolveOptions(getRule('merge-run')!, { uid: 1 }), {});
  });
});

describe('settings: telling equal ones apart (the server keeps an analysis made with the settings it guessed)', () => {
  const base: Settings = { enable: true, rules: { 'merge-run': 'off', 'apt-hygiene': 'error' }, options: { 'non-root-user': { name: 'app', uid: 10001 } } };
  it('the same settings, whatever the order of their keys, are equal', () => {
    assert.ok(sameSettings(base, { options: { 'non-root-user': { uid: 10001, name: 'app' } }, rules: { 'apt-hygiene': 'error', 'merge-run': 'off' }, enable: true }));
    assert.ok(sameSettings(normalizeSettings(undefined), normalizeSettings({})));
    assert.ok(sameSettings({ enable: true, rules: {} }, { enable: true, rules: {}, options: {} }), 'no options and an empty options map analyse alike');
  });
  it('any difference in the switch, a severity, a rule or an option value counts', () => {
    const variants: Settings[] = [
      { ...base, enable: false },
      { ...base, rules: { 'merge-run': 'off' } },
      { ...base, rules: { 'merge-run': 'off', 'apt-hygiene': 'warning' } },
      { ...base, rules: { 'merge-run': 'off', 'apt-hygiene': 'error', 'pip-hygiene': 'off' } },
      { ...base, options: undefined },
      { ...base, options: { 'non-root-user': { name: 'app' } } },
      { ...base, options: { 'non-root-user': { name: 'app', uid: '10001' } } },
      { ...base, options: { 'non-root-user': { name: 'app', uid: 10001 }, 'npm-hygiene': {} } },
    ];
    for (const v of variants) {
      assert.equal(sameSettings(base, v), false, JSON.stringify(v));
      assert.equal(sameSettings(v, base), false, JSON.stringify(v));
    }
  });
});

describe('non-root-user options: name and uid', () => {
  const debian = 'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["./run"]\n';
  const alpine = 'FROM alpine:3.20\nCMD ["./run"]\n';
  const ubiMinimal = 'FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nCMD ["./run"]\n';
  const opts = (o: Record<string, string | number>): Settings => ({ enable: true, rules: {}, options: { 'non-root-user': o } });

  it('the created user takes the configured name and uid, in the message and the fix', () => {
    const s = opts({ name: 'svc', uid: 2000 });
    const f = analyze(debian, s, ['non-root-user']).findings[0];
    assert.match(f.message, /switch to `svc`\.\nA system user `svc` \(uid 2000\) can be created/);
    const out = fixAll(debian, s, ['non-root-user']).text;
    assert.match(out, /groupadd --system --gid 2000 svc && \\\n\s*useradd --system --uid 2000 --gid svc .*--create-home --home-dir \/home\/svc svc/);
    assert.match(out, /^USER svc$/m);
    assert.match(out, /^COPY --chown=2000:2000 \. \.$/m);
    assert.equal(fixAll(out, s, ['non-root-user']).text, out, 'idempotent');
    const a = fixAll(alpine, s, ['non-root-user']).text;
    assert.match(a, /addgroup -S -g 2000 svc && (\\\n\s*)?adduser -S -D -h \/home\/svc -u 2000 -G svc svc/);
    assert.match(a, /^USER svc$/m);
  });

  it('the numeric user takes the uid where no user can be created', () => {
    const out = fixAll(ubiMinimal, opts({ uid: 4321 }), ['non-root-user']).text;
    assert.match(out, /^USER 4321:4321$/m);
  });

  it('defaults without options; invalid option values fall back to the defaults', () => {
    assert.match(fixAll(debian, { enable: true, rules: {} }, ['non-root-user']).text, /useradd --system --uid 10001 --gid app .*--create-home --home-dir \/home\/app app && \\\n\s*chown app:app \/app\n/);
    assert.match(fixAll(debian, opts({ uid: -5, name: 'root' }), ['non-root-user']).text, /useradd --system --uid 10001 --gid app .*--create-home --home-dir \/home\/app app && \\\n\s*chown app:app \/app\n/);
  });

  it('an image that ships a user keeps it whatever the options say', () => {
    const out = fixAll('FROM node:20\nCMD ["node", "i.js"]\n', opts({ name: 'svc', uid: 2000 }), ['non-root-user']).text;
    assert.match(out, /^USER node$/m);
    assert.ok(!out.includes('svc'));
  });
});

describe('discovery', () => {
  it('knows Dockerfile names', () => {
    for (const yes of ['Dockerfile', 'Dockerfile.dev', 'Dockerfile.prod.arm64', 'api.Dockerfile', 'api.dockerfile', 'Containerfile', 'Containerfile.ubi'])
      assert.ok(isDockerfileName(yes), yes);
    for (const no of ['dockerfile.txt', 'Dockerfile.dockerignore', 'api.Dockerfile.dockerignore', 'README.md', 'docker-compose.yml', 'MyDockerfile', '.dockerignore', 'Dockerfile.j2', 'Dockerfile.ejs', 'Containerfile.tmpl', 'api.Dockerfile.template'])
      assert.ok(!isDockerfileName(no), no);
  });

  const files = {
    '.git/HEAD': 'ref',
    '.git/Dockerfile': 'x',
    '.gitignore': '/build/\n*.tmp.Dockerfile\n',
    '.dockerfileleanignore': 'legacy/\n',
    '.dockerfilelean.yaml': 'ignore:\n  - "third_party/**"\n',
    'Dockerfile': 'FROM x\n',
    'b.Dockerfile': 'FROM x\n',
    'a.tmp.Dockerfile': 'FROM x\n',
    'build/Dockerfile': 'FROM x\n',
    'legacy/Dockerfile': 'FROM x\n',
    'third_party/lib/Dockerfile': 'FROM x\n',
    'node_modules/pkg/Dockerfile': 'FROM x\n',
    'services/api/Dockerfile': 'FROM x\n',
    'services/api/Dockerfile.dockerignore': '*\n',
    'services/web/Containerfile': 'FROM x\n',
    'services/web/.gitignore': 'Dockerfile.local\n',
    'services/web/Dockerfile.local': 'FROM x\n',
    'services/web/notes.txt': 'x',
  };

  it('walks recursively, sorted, skipping .git, node_modules and what ignore files and the config say', () => {
    const root = tree(files);
    assert.deepEqual(discoverDir(root, { useIgnores: true }).map((f) => path.relative(root, f)), ['Dockerfile', 'b.Dockerfile', 'services/api/Dockerfile', 'services/web/Containerfile']);
  });

  it('--no-ignore finds everything but .git', () => {
    const root = tree(files);
    assert.deepEqual(discoverDir(root, { useIgnores: false }).map((f) => path.relative(root, f)), [
      'Dockerfile',
      'a.tmp.Dockerfile',
      'b.Dockerfile',
      'build/Dockerfile',
      'legacy/Dockerfile',
      'node_modules/pkg/Dockerfile',
      'services/api/Dockerfile',
      'services/web/Containerfile',
      'services/web/Dockerfile.local',
      'third_party/lib/Dockerfile',
    ]);
  });

  it('ignore files above the starting folder count, up to the repository root', () => {
    const root = tree(files);
    assert.deepEqual(discoverDir(path.join(root, 'services'), { useIgnores: true }).map((f) => path.relative(root, f)), ['services/api/Dockerfile', 'services/web/Containerfile']);
    const sub = tree({ '.git/HEAD': 'x', '.gitignore': 'web/Dockerfile\n', 'web/Dockerfile': 'FROM x\n', 'web/Dockerfile.x': 'FROM x\n' });
    assert.deepEqual(discoverDir(path.join(sub, 'web'), { useIgnores: true }).map((f) => path.basename(f)), ['Dockerfile.x']);
  });

  it('with an explicit config, its ignore list (relative to its folder) replaces the configs found', () => {
    const root = tree(files);
    const cfg = tree({ 'ci.yaml': 'ignore:\n  - services/\n' });
    const relCfg = path.join(cfg, 'ci.yaml');
    // The list is relative to the config's folder, so `services/` there does not name root/services.
    assert.deepEqual(discoverDir(root, { useIgnores: true, configFile: relCfg }).map((f) => path.relative(root, f)), [
      'Dockerfile',
      'b.Dockerfile',
      'services/api/Dockerfile',
      'services/web/Containerfile',
      'third_party/lib/Dockerfile',
    ]);
  });

  it('globs match any name they say, relative to their base, with the same ignores', () => {
    const root = tree(files);
    const cwd = process.cwd();
    try {
      process.chdir(root);
      assert.ok(looksLikeGlob('services/**/Dockerfile*'));
      assert.ok(!looksLikeGlob('services/api/Dockerfile'));
      assert.deepEqual(expandGlob('services/**/Dockerfile*', { useIgnores: true }), ['services/api/Dockerfile', 'services/api/Dockerfile.dockerignore']);
      assert.deepEqual(expandGlob('**/*.txt', { useIgnores: true }), ['services/web/notes.txt']);
      assert.deepEqual(expandGlob('*/Dockerfile', { useIgnores: false }), ['build/Dockerfile', 'legacy/Dockerfile']);
      assert.deepEqual(expandGlob('nothing/**/x', { useIgnores: true }), []);
    } finally {
      process.chdir(cwd);
    }
  });

  it('does not follow links to folders (no cycles)', () => {
    const root = tree({ 'a/Dockerfile': 'FROM x\n' });
    fs.symlinkSync(root, path.join(root, 'a', 'loop'));
    fs.symlinkSync(path.join(root, 'a', 'Dockerfile'), path.join(root, 'linked.Dockerfile'));
    assert.deepEqual(discoverDir(root, { useIgnores: true }).map((f) => path.relative(root, f)), ['a/Dockerfile', 'linked.Dockerfile']);
  });
});

describe('output formats', () => {
  const finding = {
    rule: 'merge-run',
    severity: 'warning' as const,
    message: '100% sure: a, b\nnext line\r',
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 9 } },
    fixable: true,
  };

  it('escapes workflow command data and properties', () => {
    assert.equal(escapeData('a%b\r\nc: d, e'), 'a%25b%0D%0Ac: d, e');
    assert.equal(escapeProperty('a%b\r\nc: d, e'), 'a%25b%0D%0Ac%3A d%2C e');
    assert.equal(
      githubAnnotation('dir,1/x:y%.Dockerfile', finding),
      '::warning file=dir%2C1/x%3Ay%25.Dockerfile,line=2,col=1,endLine=2,endColumn=9,title=dockerfile-lean merge-run::100%25 sure: a, b%0Anext line%0D',
    );
    const multi = { ...finding, severity: 'hint' as const, fixable: false, reason: 'why', range: { start: { line: 0, character: 2 }, end: { line: 3, character: 0 } } };
    // Why there is no fix is a line of its own after the message (the annotation's headline is its first line).
    assert.equal(githubAnnotation('D', multi), '::notice file=D,line=1,endLine=4,title=dockerfile-lean merge-run::100%25 sure: a, b%0Anext line%0D%0ANo automatic fix: why.');
  });

  it('SARIF regions are 1-based with an exclusive end column; URIs relative and percent-encoded', () => {
    const log = sarifLog([{ file: path.join('/w', 'a b', 'Dockerfile'), finding, fix: null }], '1.2.3', '/w');
    const r = log.runs[0].results![0];
    assert.deepEqual(r.locations![0].physicalLocation!.region, { startLine: 2, startColumn: 1, endLine: 2, endColumn: 10 });
    assert.equal(r.locations![0].physicalLocation!.artifactLocation!.uri, 'a%20b/Dockerfile');
    assert.equal(r.ruleIndex, log.runs[0].tool.driver.rules!.findIndex((x) => x.id === 'merge-run'));
    assert.equal(artifactUri('/elsewhere/Dockerfile', '/w'), 'file:///elsewhere/Dockerfile');
  });

  it('unified diff: nothing for equal texts, git-style headers otherwise', () => {
    assert.equal(unifiedDiff('Dockerfile', 'a\n', 'a\n'), '');
    assert.equal(unifiedDiff('x/Dockerfile', 'a\nb\n', 'a\nc\n'), '--- a/x/Dockerfile\n+++ b/x/Dockerfile\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
  });

  it('unified diff past the edit bound: one hunk from the first changed line to the last, that applies', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join('');
    // A bound of 0 edits: every change takes the one-hunk path.
    assert.equal(
      unifiedDiff('D', ten, ten.replace('line 4\n', 'four\n').replace('line 6\n', 'six\n'), 0),
      '--- a/D\n+++ b/D\n@@ -2,9 +2,9 @@\n line 1\n line 2\n line 3\n-line 4\n-line 5\n-line 6\n+four\n+line 5\n+six\n line 7\n line 8\n line 9\n',
    );
    const pairs: [string, string][] = [
      [ten, ten.replace('line 0', 'zero')],
      [ten, ten.replace('line 9\n', 'nine\n')],
      [ten, ten + 'more\n'],
      ['', 'FROM x\n'],
      ['FROM x\n', ''],
      ['a\nb', 'a\nb\n'],
      ['a\nb\n', 'a\nb'],
      ['a\nb', 'a\nc'],
      ['a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n'],
      ['x\n'.repeat(5), 'x\n'.repeat(7)],
      ['same\nsame\n', 'other\nsame\nsame\nother'],
    ];
    for (const [before, after] of pairs) {
      for (const bound of [0, undefined]) {
        const patch = unifiedDiff('D', before, after, bound);
        assert.match(patch, /^--- a\/D\n\+\+\+ b\/D\n@@ /, JSON.stringify([before, after, bound]));
        assert.equal(applyPatch(before, patch), after, `${JSON.stringify([before, after, bound])}\n${patch}`);
      }
      assert.equal(unifiedDiff('D', before, after, 0).match(/^@@ /gm)?.length, 1, 'one hunk');
    }
  });

  it('unified diff of a 20,000-line rewrite: bounded, within a small ratio of a sparse diff of the same file', () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `RUN apt-get install -y pkg${i}\n`).join('');
    const after = Array.from({ length: 20_000 }, (_, i) => `    && apt-get install -y pkg${i} \\\n`).join('');
    // The ordinary case of the same size: a change every 1,000 lines, which the diff finds exactly (the same work per line).
    const sparse = before.replace(/pkg(\d*000)\n/g, 'pkg$1 x\n');
    const time = (f: () => string) => {
      const t = performance.now();
      const out = f();
      return { ms: performance.now() - t, out };
    };
    // The faster of three runs each: one run can land in another process's burst on a shared machine.
    const best = (f: () => string) => [time(f), time(f), time(f)].reduce((a, b) => (b.ms < a.ms ? b : a));
    const ordinary = best(() => unifiedDiff('D', before, sparse));
    const rewrite = best(() => unifiedDiff('D', before, after));
    assert.equal(applyPatch(before, rewrite.out), after);
    assert.equal(applyPatch(before, ordinary.out), sparse);
    assert.ok(rewrite.ms < 10 * ordinary.ms + 50, `rewrite ${rewrite.ms.toFixed(0)} ms, ordinary ${ordinary.ms.toFixed(0)} ms`);
  });

  it('text output: controls escaped, no line begins a workflow command, the rest as it was', () => {
    assert.equal(printable('a\nb\r\tc\x1b]0;t\x07\x7f\x85\u2028\u2029 é \\n'), 'a\\nb\\r\\tc\\x1b]0;t\\x07\\x7f\\x85\\u2028\\u2029 é \\n');
    assert.equal(printable('\x00\x1f\x9f'), '\\x00\\x1f\\x9f');
    // Bidirectional overrides and isolates: shown as escapes, so a line reads in the order it is written.
    assert.equal(printable('x\u202ey\u2066z\u2069'), 'x\\u202ey\\u2066z\\u2069');
    const plain = 'the CMD runs `java -jar app.jar` (C:\\app, 100%)';
    assert.equal(printable(plain), plain);
    assert.equal(shownText(plain), plain);
    assert.equal(shownText('x ##[add-mask]secret'), 'x ##\\[add-mask]secret');
    assert.equal(shownText('evil\n::error::x'), 'evil\\n::error::x');
    assert.equal(shownFile('::error title=x::y.Dockerfile'), './::error title=x::y.Dockerfile');
    assert.equal(shownFile('  ::warning::Dockerfile'), './  ::warning::Dockerfile');
    assert.equal(shownFile('Dockerfile.x\n::error::y'), 'Dockerfile.x\\n::error::y');
    for (const f of ['Dockerfile', 'a/b/Dockerfile', '/abs/Dockerfile', '-', 'x::y.Dockerfile']) assert.equal(shownFile(f), f);
  });
});
