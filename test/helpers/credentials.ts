// The one place tests take a staff credential from: the access work switches these to its own credentials.
import type { TestStack } from './stack';

/** Headers of the bootstrap admin. */
export function adminHeaders(stack: TestStack): Record<string, string> {
  return { authorization: `Bearer ${stack.config.apiTokens.find((t) => t.role === 'admin')!.token}` };
}

/** Headers of an agent: authenticated but not an admin. */
export function agentHeaders(stack: TestStack): Record<string, string> {
  return { authorization: `Bearer ${stack.config.apiTokens.find((t) => t.role === 'agent')!.token}` };
}
