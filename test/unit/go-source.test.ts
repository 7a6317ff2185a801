/** Reading a Go program's sources for what its runtime needs: files opened by path, writes, programs run. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkspaceFiles } from '../../server/src/core/types';
import { readGoSources } from '../../server/src/fixes/multi-stage/go-source';
import { debianProgram } from '../../server/src/knowledge/runtime-tools';

/** A build context held in memory: paths to texts; folders are the prefixes. */
function context(map: Record<string, string>): WorkspaceFiles {
  return {
    read: (p) => (Object.prototype.hasOwnProperty.call(map, p) ? map[p] : null),
    list: (dir) => {
      const prefix = dir ? `${dir}/` : '';
      const names = new Set<string>();
      for (const p of Object.keys(map)) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length).split('/');
        names.add(rest.length > 1 ? `${rest[0]}/` : rest[0]);
      }
      return names.size ? [...names].sort() : null;
    },
  };
}

describe('readGoSources', () => {
  it('finds literal paths, computed paths, writes and programs; comments and strings do not confuse it', () => {
    const src = readGoSources(
      context({
        'go.mod': 'module example.com/x\n',
        'main.go': [
          'package main',
          'import ("os"; "os/exec"; "database/sql"; _ "modernc.org/sqlite")',
          '// os.Open("commented.csv") is not a call',
          '/* exec.Command("nope") */',
          'var url = "http://example.com/os.Open(\\"x\\")"',
          'func main() {',
          '  f, _ := os.Open("data/ranges.csv")',
          '  g, _ := os.Open(os.Getenv("FILE"))',
          '  os.WriteFile(`out/report.txt`, nil, 0o644)',
          '  sql.Open("sqlite", "file:tracker.db?cache=shared")',
          '  exec.Command("ps", "aux").Run()',
          '  exec.CommandContext(ctx, "sh", "-c", "df -h | tail -1").Run()',
          '  _ = \'"\'',
          '}',
        ].join('\n'),
        'main_test.go': 'package main\nimport "os"\nfunc T() { os.Open("fixture.json") }\n',
        'vendor/a/a.go': 'package a\nimport "os"\nfunc A() { os.Open("vendored") }\n',
      }),
      '',
    );
    assert.ok(src);
    assert.equal(src.files, 1, 'tests and vendor/ are not the program');
    assert.deepEqual(
      src.uses.map((u) => [u.path, u.write]),
      [['data/ranges.csv', false], [null, false], ['out/report.txt', true], ['tracker.db', true]],
    );
    assert.match(src.uses[1].where, /os\.Open` in main\.go line 8/);
    assert.deepEqual(src.execs.map((e) => [e.program, e.script ?? null]), [['ps', null], ['sh', 'df -h | tail -1']]);
  });
  it('a sql.Open with a driver named at run time opens a file only when a SQLite driver is imported', () => {
    const withPq = readGoSources(context({ 'db.go': 'package db\nimport ("database/sql"; _ "github.com/lib/pq")\nfunc O(c C) { sql.Open(c.Driver, c.DSN) }\n' }), '');
    assert.deepEqual(withPq?.uses, []);
    const withSqlite = readGoSources(context({ 'db.go': 'package db\nimport ("database/sql"; _ "github.com/mattn/go-sqlite3")\nfunc O(c C) { sql.Open(c.Driver, c.DSN) }\n' }), '');
    assert.deepEqual(withSqlite?.uses.map((u) => [u.path, u.write]), [[null, true]]);
  });
  it('godotenv.Load() reads .env; named files are each a read', () => {
    const src = readGoSources(context({ 'm.go': 'package main\nfunc main() { godotenv.Load(); godotenv.Load("a.env", "b.env") }\n' }), '');
    assert.deepEqual(src?.uses.map((u) => u.path), ['.env', 'a.env', 'b.env']);
  });
  it('is null without a listing, without Go files, or for a folder that is not there', () => {
    assert.equal(readGoSources({ read: () => null }, ''), null);
    assert.equal(readGoSources(context({ 'README.md': '#' }), ''), null);
    assert.equal(readGoSources(context({ 'a/m.go': 'package main' }), 'b'), null);
    assert.equal(readGoSources(context({ 'a/m.go': 'package main' }), 'a')?.files, 1);
  });
  it('stays linear on long unterminated strings and comments', () => {
    const t0 = process.hrtime.bigint();
    readGoSources(context({ 'm.go': 'package main\n' + 'x'.repeat(200_000) + '\n' }), '');
    const plain = Number(process.hrtime.bigint() - t0);
    const t1 = process.hrtime.bigint();
    readGoSources(context({ 'm.go': 'package main\n/*' + '"`os.Open('.repeat(20_000) }), '');
    const hostile = Number(process.hrtime.bigint() - t1);
    assert.ok(hostile < plain * 50 + 50e6, `hostile ${hostile} ns vs plain ${plain} ns`);
  });
});

describe('debianProgram', () => {
  it('names the package of known programs, none for Essential ones, and null for the rest', () => {
    assert.deepEqual(debianProgram('ps'), { program: 'ps', package: 'procps' });
    assert.deepEqual(debianProgram('/usr/bin/perl'), { program: 'perl', package: 'perl' });
    assert.deepEqual(debianProgram('df'), { program: 'df', package: null });
    assert.equal(debianProgram('last'), null);
    // Its package depends on the release: util-linux (Essential) on bookworm; trixie's util-linux no longer ships it.
    assert.deepEqual(debianProgram('last', 'bookworm'), { program: 'last', package: null });
    assert.equal(debianProgram('/usr/bin/last', 'trixie'), null);
    assert.deepEqual(debianProgram('ps', 'trixie'), { program: 'ps', package: 'procps' });
    assert.equal(debianProgram('./moss'), null);
    assert.equal(debianProgram('constructor'), null);
  });
});
