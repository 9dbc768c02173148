// Production refuses to start with a credential that is unset, a known default or too short:
// a forgotten environment variable must stop the process, not open the API to anyone.
import type { Config } from './index';

export const MIN_CREDENTIAL_LENGTH = 32;
/** defaults that older versions or examples used; never acceptable in production */
export const KNOWN_DEFAULTS = ['dev-admin-token', 'dev-agent-token', 'dev-user-token-secret', 'changeme', 'change-me', 'secret', 'password', 'admin'];

const ENV_NAMES = { adminToken: 'ADMIN_TOKEN', userTokenSecret: 'USER_TOKEN_SECRET' } as const;
export type CredentialName = keyof typeof ENV_NAMES;

/** Problems with the named credentials, one line each; empty when all are strong enough. */
export function credentialProblems(config: Config, names: CredentialName[]): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const value = config.credentials[name];
    const env = ENV_NAMES[name];
    if (!value) problems.push(`${env} is not set`);
    else if (KNOWN_DEFAULTS.includes(value.toLowerCase())) problems.push(`${env} is a known default ("${value}")`);
    else if (value.length < MIN_CREDENTIAL_LENGTH) problems.push(`${env} is shorter than ${MIN_CREDENTIAL_LENGTH} characters`);
  }
  return problems;
}

/** Throws (stopping start-up) when a production process lacks a strong credential. */
export function assertProductionCredentials(config: Config, names: CredentialName[]): void {
  const problems = credentialProblems(config, names);
  if (problems.length) {
    throw new Error(`refusing to start in production: ${problems.join('; ')}. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`);
  }
}
