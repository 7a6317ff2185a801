/**
 * Failures and slowness on demand, for the protocol and CLI tests. Only the environment of the process can turn
 * them on, never a document or a client:
 * - `DOCKERFILE_LEAN_TEST_FAIL_RULE=<rule-id>`: that rule's check throws an error whose message holds the whole
 *   document (the worst case for a log);
 * - `DOCKERFILE_LEAN_TEST_SLOW_RECIPE=<ecosystem>`: that multi-stage recipe reads project files again and again
 *   for a minute before it plans (as on a very slow file system), so a test can see the analysis's time budget
 *   stop it;
 * - `DOCKERFILE_LEAN_TEST_SLOW_RULE=<rule-id>`: that rule's check works for a minute in small steps, each a
 *   boundary where the run looks at its deadline but is never abandoned (as between rules on a very large
 *   document), for the tests of a server whose client goes away in the middle of an analysis;
 * - `DOCKERFILE_LEAN_TEST_BROKEN_RECIPE=<ecosystem>`: that multi-stage recipe's conversion also writes a RUN that
 *   fails (`RUN test -e /dockerfile-lean-test-broken-rewrite`) right after the build step, a deliberately broken
 *   rewrite for the tests of "Build and compare" (a fixed file that does not build).
 */
import { getRule } from '../rules/index';
import { RECIPES } from '../fixes/multi-stage/index';
import { readContext } from '../fixes/multi-stage/project-files';
import { pollDeadline } from '../core/deadline';

const SLOW_MS = 60_000;

export function installTestHook(env: NodeJS.ProcessEnv): void {
  const failing = env.DOCKERFILE_LEAN_TEST_FAIL_RULE ? getRule(env.DOCKERFILE_LEAN_TEST_FAIL_RULE) : undefined;
  if (failing) {
    failing.check = (model) => {
      throw new Error(`test failure of ${failing.id} on this text: ${model.doc.text}`);
    };
  }
  const recipe = env.DOCKERFILE_LEAN_TEST_SLOW_RECIPE ? RECIPES.find((r) => r.ecosystem === env.DOCKERFILE_LEAN_TEST_SLOW_RECIPE) : undefined;
  if (recipe) {
    const plan = recipe.plan.bind(recipe);
    recipe.plan = (model, stage) => {
      const until = Date.now() + SLOW_MS;
      while (Date.now() < until) readContext(model, '', 'Dockerfile');
      return plan(model, stage);
    };
  }
  const broken = env.DOCKERFILE_LEAN_TEST_BROKEN_RECIPE ? RECIPES.find((r) => r.ecosystem === env.DOCKERFILE_LEAN_TEST_BROKEN_RECIPE) : undefined;
  if (broken) {
    const plan = broken.plan.bind(broken);
    broken.plan = (model, stage) => {
      const res = plan(model, stage);
      if (!res.ok) return res;
      const at = res.plan.buildStep.end;
      const edit = { start: at, end: at, text: `${model.doc.eol}RUN test -e /dockerfile-lean-test-broken-rewrite` };
      return { ok: true, plan: { ...res.plan, builderEdits: [...res.plan.builderEdits, edit] } };
    };
  }
  const slow = env.DOCKERFILE_LEAN_TEST_SLOW_RULE ? getRule(env.DOCKERFILE_LEAN_TEST_SLOW_RULE) : undefined;
  if (slow) {
    const check = slow.check.bind(slow);
    slow.check = (model, options) => {
      const until = Date.now() + SLOW_MS;
      while (Date.now() < until) pollDeadline();
      return check(model, options);
    };
  }
}
