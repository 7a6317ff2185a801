/**
 * A failure on demand, for the protocol tests of error logging: with `DOCKERFILE_LEAN_TEST_FAIL_RULE=<rule-id>` in
 * the server's environment, that rule's check throws an error whose message holds the whole document (the worst
 * case for a log). Only the environment of the server process can turn it on, never a document or a client.
 */
import { getRule } from '../rules/index';

export function installTestHook(env: NodeJS.ProcessEnv): void {
  const id = env.DOCKERFILE_LEAN_TEST_FAIL_RULE;
  const rule = id ? getRule(id) : undefined;
  if (!rule) return;
  rule.check = (model) => {
    throw new Error(`test failure of ${rule.id} on this text: ${model.doc.text}`);
  };
}
