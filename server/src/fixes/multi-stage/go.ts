/** Go: build a static binary in the original golang image, ship it on distroless static (non-root). */
import type { Model, Stage } from '../../core/model';
import { rootImage, stageVars, workdirAt } from '../../core/stage-info';
import { repoKey } from '../../knowledge/base-images';
import type { Recipe, RecipeResult } from './types';

export const RUNTIME_GO = 'gcr.io/distroless/static-debian12:nonroot';

/** Package names whose presence says the build links C code (cgo). */
const CGO_HINT = /(^|\s)(gcc|g\+\+|clang|build-essential|musl-dev|[a-z0-9.+-]+-dev)(\s|$)/;

export const goRecipe: Recipe = {
  ecosystem: 'go',
  applies(_model, stage) {
    const ref = rootImage(stage).ref;
    return !!ref && /^golang$/.test(repoKey(ref));
  },
  plan(model: Model, stage: Stage): RecipeResult {
    // The last `go build … -o <path>` of the stage is the build step.
    let found: RecipeResult | null = null;
    for (const i of stage.instructions) {
      const script = i.run?.script();
      if (!script) continue;
      for (const cmd of script.commands) {
        if (cmd.name !== 'go') continue;
        const sub = cmd.args[0]?.value;
        if (sub === 'install') {
          found = { ok: false, reason: '`go install` puts the binary in $GOBIN, a path the Dockerfile does not name; build with `go build -o <path>` to convert' };
          continue;
        }
        if (sub !== 'build') continue;
        const k = cmd.args.findIndex((a) => a.value === '-o' || (a.value ?? '').startsWith('-o='));
        const out = k < 0 ? null : cmd.args[k].value === '-o' ? cmd.args[k + 1]?.value : cmd.args[k].value!.slice(3);
        if (!out) {
          found = { ok: false, reason: '`go build` without `-o <path>`: the binary\'s name comes from go.mod, which the Dockerfile does not show' };
          continue;
        }
        const wd = workdirAt(model, stage, i);
        let path = out;
        if (!out.startsWith('/')) {
          if (!wd) {
            found = { ok: false, reason: 'the binary path is relative and the working directory is unknown' };
            continue;
          }
          path = `${wd.replace(/\/$/, '')}/${out.replace(/^\.\//, '')}`;
        }
        if (path.endsWith('/')) {
          found = { ok: false, reason: '`go build -o <dir>/` writes binaries named after packages the Dockerfile does not show' };
          continue;
        }
        // cgo: an explicit CGO_ENABLED=1, or C toolchains and -dev packages installed in the stage.
        const vars = stageVars(model, stage, i);
        const cgoAssign = cmd.assignments.find((a) => a.startsWith('CGO_ENABLED='));
        const cgo = cgoAssign ? cgoAssign.slice(12) : vars.get('CGO_ENABLED');
        if (cgo === '1') {
          found = { ok: false, reason: 'the build uses cgo (CGO_ENABLED=1): the binary needs C libraries a static runtime lacks' };
          continue;
        }
        const installsC = stage.instructions.some((x) => {
          const s = x.run?.script();
          return !!s && s.commands.some((c) => (c.name === 'apt-get' || c.name === 'apk' || c.name === 'apt') && c.args.some((a) => CGO_HINT.test(` ${a.value ?? ''} `)));
        });
        if (installsC && cgo !== '0') {
          found = { ok: false, reason: 'the stage installs a C toolchain or -dev packages, so the build may link C code (cgo); a static runtime could not run it' };
          continue;
        }
        const builderEdits = [];
        if (cgo !== '0') {
          // Before the command name, after any assignments already written in front of it.
          const at = i.run!.map[cmd.nameWord ? cmd.nameWord.start : cmd.start];
          builderEdits.push({ start: at, end: at, text: 'CGO_ENABLED=0 ' });
        }
        found = {
          ok: true,
          plan: {
            ecosystem: 'go',
            buildStep: i,
            artifacts: [path],
            runtimeImage: RUNTIME_GO,
            builderEdits,
            buildOnlyEnv: /^(GO[A-Z0-9_]*|CGO_[A-Z_]+|CC|CXX|CFLAGS|LDFLAGS|PATH)$/,
            runtimeNonRoot: true,
            runtimeHasShell: false,
          },
        };
      }
    }
    return found ?? { ok: false, reason: 'no `go build -o <path>` step in the final stage' };
  },
};
