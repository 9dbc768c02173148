// `npm start` only: the development payload key, generated on first run and kept under DATA_DIR
// (mode 0600) so tickets written by one run stay readable by the next. Production sets PAYLOAD_KEYS.
import fs from 'node:fs';
import path from 'node:path';
import { generatePayloadKeys } from '../config/payload-codec';

export const DEV_KEYS_FILE = 'payload-keys.json';

/** Sets PAYLOAD_KEYS/PAYLOAD_KEY_ID from DATA_DIR unless the environment has them; returns the file it used, if any. */
export function ensureDevPayloadKeys(dataDir: string): string | null {
  if (process.env.PAYLOAD_KEYS) return null;
  const file = path.join(dataDir, DEV_KEYS_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(generatePayloadKeys(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  }
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { PAYLOAD_KEYS: string; PAYLOAD_KEY_ID: string };
  process.env.PAYLOAD_KEYS = stored.PAYLOAD_KEYS;
  process.env.PAYLOAD_KEY_ID = stored.PAYLOAD_KEY_ID;
  return file;
}
