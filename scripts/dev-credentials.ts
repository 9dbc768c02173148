// Development credentials for `npm start`: generated on first run, kept in DATA_DIR/credentials.json
// (mode 0600) so the README's commands can read them, plus a development service key in the database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { createApiKey } from '../api/accounts';
import type { Scope } from '../api/access-rules';
import { hashSecret } from '../api/secrets';
import type { Config } from '../config';
import { apiKeys, type Database } from '../schema';

export interface DevCredentials {
  adminToken: string;
  userTokenSecret: string;
  /** a service API key with DEV_KEY_SCOPES */
  serviceKey?: string;
}

/** What the development key may do: everything a user app backend and a CRM would, not publishing SOPs. */
export const DEV_KEY_SCOPES: Scope[] = ['tickets:create', 'tickets:read', 'tickets:read_pii', 'tickets:act_for_user', 'tickets:signal', 'classify', 'sops:read', 'user_tokens:issue'];

export const credentialsFile = (dataDir: string) => path.join(dataDir, 'credentials.json');

function save(file: string, credentials: DevCredentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Reads or creates the file; credentials set in the environment win and are not written to it. */
export function loadDevCredentials(config: Config): DevCredentials {
  const file = credentialsFile(config.dataDir);
  const stored: Partial<DevCredentials> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const generated: DevCredentials = {
    ...stored,
    adminToken: stored.adminToken ?? randomBytes(32).toString('base64url'),
    userTokenSecret: stored.userTokenSecret ?? randomBytes(32).toString('base64url'),
  };
  if (generated.adminToken !== stored.adminToken || generated.userTokenSecret !== stored.userTokenSecret) save(file, generated);
  config.credentials.adminToken ??= generated.adminToken;
  config.credentials.userTokenSecret ??= generated.userTokenSecret;
  return generated;
}

/** Makes sure the stored development key exists and is not revoked; creates one otherwise. */
export async function ensureDevServiceKey(config: Config, db: Database, credentials: DevCredentials): Promise<string> {
  if (credentials.serviceKey) {
    const [row] = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.secretHash, hashSecret(credentials.serviceKey)), isNull(apiKeys.revokedAt)));
    if (row) return credentials.serviceKey;
  }
  const { secret } = await createApiKey(db, { name: 'development (npm start)', scopes: DEV_KEY_SCOPES, createdBy: 'npm start' });
  credentials.serviceKey = secret;
  save(credentialsFile(config.dataDir), credentials);
  return secret;
}
