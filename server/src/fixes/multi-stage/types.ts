import type { Instr, Model, Stage } from '../../core/model';
import type { OffsetEdit } from '../../core/edits';

/** What a recipe decides about the final stage: the build step, the artifacts, and the runtime image. */
export interface RecipePlan {
  ecosystem: string;
  /** The RUN that produces the artifacts; instructions after it that build nothing may move to the runtime. */
  buildStep: Instr;
  /** Absolute paths in the builder to copy into the same paths of the runtime. */
  artifacts: string[];
  runtimeImage: string;
  /** Extra edits inside the builder (e.g. CGO_ENABLED=0 before `go build`). */
  builderEdits: OffsetEdit[];
  /** ENV names that belong to the build only (not repeated in the runtime). */
  buildOnlyEnv: RegExp;
  /** Whether the runtime image already runs as a non-root user. */
  runtimeNonRoot: boolean;
  /** Whether the runtime has a shell (shell-form CMD/ENTRYPOINT need one). */
  runtimeHasShell: boolean;
  /**
   * The recipe read the CMD/ENTRYPOINT itself (a shell form or `sh -c "exec java … -jar app.jar"` included) and
   * found it runs the artifacts with a program the runtime has: the planner does not ask for one plain command.
   */
  mainVerified?: boolean;
  /** Programs the runtime image itself provides (`node`, `python`): a CMD may run them instead of an artifact. */
  runtimePrograms?: string[];
  /** Instruction lines added to the runtime after the copied ENVs (e.g. `ENV PATH=/opt/venv/bin:$PATH`). */
  runtimeEnv?: string[];
  /**
   * Instruction lines added to the runtime after FROM and the ENVs, before WORKDIR and the copies: e.g. one
   * `RUN apt-get update && apt-get install -y --no-install-recommends libsqlite3-0 && rm -rf /var/lib/apt/lists/*`
   * that installs the run-time libraries of the builder's -dev packages. Never a build step.
   */
  runtimeSetup?: string[];
  /**
   * Files the runtime copies from the builder to the same path before `runtimeSetup` (the package list the builder's
   * library scan wrote, scanned-packages.ts), which a setup line then reads and deletes.
   */
  runtimeFromBuilder?: string[];
  /** A line the finding's detail adds about how the conversion decided (a scan instead of a table, what it cannot see). */
  note?: string;
  /** The owner (`uid:gid`) an artifact gets in the runtime (`COPY --chown`), when the program writes there. */
  artifactOwners?: Record<string, string>;
  /**
   * Packages a Debian runtime installs with apt-get, in one hygienic RUN after the ENVs (before `runtimeSetup`):
   * the run-time libraries of the builder's `-dev` packages and its other non-build packages. Set (even empty)
   * only when the runtime has apt; the planner adds to it the tools a HEALTHCHECK calls (`runtimeToolPackages`).
   */
  runtimeAptPackages?: string[];
  /** Where an artifact lands in the runtime when not at its builder path (builder path → runtime path). */
  artifactTargets?: Record<string, string>;
  /**
   * The words the runtime runs instead of a CMD/ENTRYPOINT's, when the builder's wrapper is not in the runtime
   * (`poetry run python app.py` → `python app.py`); null leaves them as they are.
   */
  runtimeCommand?(words: string[]): string[] | null;
  /**
   * A builder directory that becomes the runtime's root (`dnf --installroot`): copied with `COPY --from=build <dir>/ /`
   * instead of the artifacts one by one, and program paths under it in CMD/ENTRYPOINT lose the prefix.
   */
  runtimeRoot?: string;
  /**
   * The runtime's WORKDIR when it is not the builder's: null for none (a program installed into a prefix, whose
   * build directory the runtime does not have). Undefined: the builder's.
   */
  runtimeWorkdir?: string | null;
  /**
   * RUNs after the build step that move into the runtime as written, with their comments, after `runtimeSetup` and
   * before its WORKDIR and copies (a global CLI install the CMD runs).
   */
  setupRuns?: Instr[];
  /** The runtime is the builder's own base image, so its default CMD/ENTRYPOINT still applies when the stage sets none. */
  runtimeKeepsImageCommand?: boolean;
}

/**
 * A plan, or why there is none. `manual`: the plan is sound only under an assumption the build context cannot
 * confirm (named here); it is offered as a quick fix the user applies, never applied by fix-all. `quiet`: no builder
 * stage would make the image smaller (the runtime would be the same image with the same files), so the finding itself
 * does not hold and is not reported; `reason` says why, for tests and the planner's callers.
 */
export type RecipeResult = { ok: true; plan: RecipePlan; manual?: string } | { ok: false; reason: string; quiet?: true };

export interface Recipe {
  ecosystem: string;
  /** Whether this recipe speaks for the stage (its toolchain is there). */
  applies(model: Model, stage: Stage): boolean;
  plan(model: Model, stage: Stage): RecipeResult;
}
