/**
 * `dist/action.js`: the GitHub Action (action.yml, `runs.using: node20`). It reads its inputs the way the
 * runner hands them over (`INPUT_<NAME>`, the name upper-cased with spaces as underscores), runs the CLI
 * next to it (`dist/cli.js`) in the workspace, and
 * - prints the findings as workflow annotations (`check --format github`, the same escaping as the CLI's),
 * - writes the SARIF log to the `sarif-file` input's path and names it in the `sarif-file` output
 *   (`$GITHUB_OUTPUT`, in the runner's `name<<DELIMITER` form),
 * - appends a short table to the job summary (`$GITHUB_STEP_SUMMARY`),
 * - exits with the CLI's code: 1 when a finding is at or above `severity-threshold`, 2 for bad inputs.
 * Nothing here is built at use time: the action runs the committed dist/ of a release tag.
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const input = (name: string, fallback = ''): string => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim() || fallback;

/** `name<<DELIM` … `DELIM`, with a delimiter the value cannot contain (what the runner reads for any value). */
function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) return;
  let delim = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delim)) delim = `ghadelimiter_${randomUUID()}`;
  fs.appendFileSync(file, `${name}<<${delim}\n${value}\n${delim}\n`);
}

interface SarifResult {
  level?: string;
}

function summary(results: SarifResult[], code: number, threshold: string, sarifFile: string): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.level ?? 'warning', (counts.get(r.level ?? 'warning') ?? 0) + 1);
  const rows = ['error', 'warning', 'note', 'none'].filter((l) => counts.has(l)).map((l) => `| ${l} | ${counts.get(l)} |`);
  return [
    '### Dockerfile Lean',
    '',
    results.length === 0 ? 'No findings.' : ['| level | findings |', '|---|---|', ...rows].join('\n'),
    '',
    code === 0 ? `Nothing at or above \`${threshold}\`.` : `Findings at or above \`${threshold}\`: the step fails.`,
    `SARIF: \`${sarifFile}\``,
    '',
  ].join('\n');
}

function main(): number {
  const workspace = process.env.GITHUB_WORKSPACE;
  if (workspace) process.chdir(workspace);
  const paths = input('paths', '.').split(/\s+/).filter(Boolean);
  const format = input('format', 'github');
  const threshold = input('severity-threshold', 'warning');
  const config = input('config');
  const sarifFile = path.resolve(input('sarif-file', 'dockerfile-lean.sarif'));
  const cli = path.join(__dirname, 'cli.js');
  const options = ['--severity-threshold', threshold, ...(config ? ['--config', config] : [])];

  // The SARIF log first (captured), then the findings in the chosen format on the step's log.
  const sarif = spawnSync(process.execPath, [cli, 'check', '--format', 'sarif', ...options, '--', ...paths], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
  if (sarif.status !== 0 && sarif.status !== 1) return sarif.status ?? 3;
  fs.mkdirSync(path.dirname(sarifFile), { recursive: true });
  fs.writeFileSync(sarifFile, sarif.stdout);
  setOutput('sarif-file', sarifFile);

  let code = sarif.status;
  if (format !== 'sarif') {
    const shown = spawnSync(process.execPath, [cli, 'check', '--format', format, ...options, '--', ...paths], { stdio: ['ignore', 'inherit', 'inherit'] });
    code = shown.status ?? 3;
  } else process.stdout.write(sarif.stdout);

  if (process.env.GITHUB_STEP_SUMMARY) {
    let results: SarifResult[] = [];
    try {
      results = JSON.parse(sarif.stdout).runs?.[0]?.results ?? [];
    } catch {
      // an empty table
    }
    fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary(results, code, threshold, path.relative(process.cwd(), sarifFile) || sarifFile));
  }
  return code;
}

let code: number;
try {
  code = main();
} catch (err) {
  process.stdout.write(`::error::dockerfile-lean action: ${(err instanceof Error ? err.message : String(err)).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  code = 3;
}
process.exitCode = code;
