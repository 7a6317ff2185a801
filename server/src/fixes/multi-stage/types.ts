import type { Instr, Model, Stage } from '../../core/model';
import type { OffsetEdit } from '../edits';

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
  /** Programs the runtime image itself provides (`node`, `python`): a CMD may run them instead of an artifact. */
  runtimePrograms?: string[];
  /** Instruction lines added to the runtime after the copied ENVs (e.g. `ENV PATH=/opt/venv/bin:$PATH`). */
  runtimeEnv?: string[];
  /**
   * Instruction lines the runtime runs before the artifacts arrive, after its ENVs: one package-manager install
   * of run-time libraries (`libpq5` for `libpq-dev`), never a build package.
   */
  runtimeSetup?: string[];
  /**
   * A builder directory that becomes the runtime's root (`dnf --installroot`): copied with `COPY --from=build <dir>/ /`
   * instead of the artifacts one by one, and program paths under it in CMD/ENTRYPOINT lose the prefix.
   */
  runtimeRoot?: string;
  /** The runtime is the builder's own base image, so its default CMD/ENTRYPOINT still applies when the stage sets none. */
  runtimeKeepsImageCommand?: boolean;
}

export type RecipeResult = { ok: true; plan: RecipePlan } | { ok: false; reason: string };

export interface Recipe {
  ecosystem: string;
  /** Whether this recipe speaks for the stage (its toolchain is there). */
  applies(model: Model, stage: Stage): boolean;
  plan(model: Model, stage: Stage): RecipeResult;
}
