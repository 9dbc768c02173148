// Encrypts every Temporal payload (workflow inputs and results, activity and update payloads, memo,
// summaries) with AES-256-GCM before it leaves the process. Search attributes are never encoded:
// they stay readable by the server, so they carry ids and categories only.
//
// Wire format of an encrypted payload: metadata { encoding: "binary/encrypted", "encryption-key-id": <id> },
// data = 12-byte IV ‖ ciphertext ‖ 16-byte tag of the original Payload protobuf (metadata included).
// Payloads without that encoding (written before the codec existed: running tickets, recorded
// histories) pass through undecoded.
//
// Rotation: add a new id to PAYLOAD_KEYS, point PAYLOAD_KEY_ID at it (new payloads use it), and keep
// the old ids in PAYLOAD_KEYS until no retained history uses them (namespace retention, running tickets).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

const { temporal } = proto; // CommonJS: no named exports under ESM

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface PayloadKeys {
  /** the id new payloads are encrypted with */
  currentKeyId: string;
  keys: Record<string, Buffer>;
}

export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

/** Reads PAYLOAD_KEYS (`{"<id>":"<base64 of 32 bytes>"}`) and PAYLOAD_KEY_ID; undefined when PAYLOAD_KEYS is unset. */
export function parsePayloadKeys(rawKeys: string | undefined, currentKeyId: string | undefined): PayloadKeys | undefined {
  if (!rawKeys) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawKeys);
  } catch {
    throw new PayloadKeyError('PAYLOAD_KEYS must be a JSON object {"<keyId>":"<base64 of 32 bytes>"}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new PayloadKeyError('PAYLOAD_KEYS must be a JSON object {"<keyId>":"<base64 of 32 bytes>"}');
  const keys: Record<string, Buffer> = Object.create(null);
  for (const [id, value] of Object.entries(parsed)) {
    const key = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) throw new PayloadKeyError(`PAYLOAD_KEYS["${id}"] must be ${KEY_BYTES} bytes in base64`);
    keys[id] = key;
  }
  const ids = Object.keys(keys);
  if (!ids.length) throw new PayloadKeyError('PAYLOAD_KEYS names no key');
  const current = currentKeyId ?? (ids.length === 1 ? ids[0]! : undefined);
  if (!current) throw new PayloadKeyError('PAYLOAD_KEY_ID must name the current key when PAYLOAD_KEYS holds several');
  if (!keys[current]) throw new PayloadKeyError(`PAYLOAD_KEY_ID "${current}" is not in PAYLOAD_KEYS`);
  return { currentKeyId: current, keys };
}

/** A fresh key set with one random key: what `npm start` keeps under DATA_DIR and the test runner uses. */
export function generatePayloadKeys(keyId = `dev-${new Date().toISOString().slice(0, 10)}`): { PAYLOAD_KEYS: string; PAYLOAD_KEY_ID: string } {
  return { PAYLOAD_KEYS: JSON.stringify({ [keyId]: randomBytes(KEY_BYTES).toString('base64') }), PAYLOAD_KEY_ID: keyId };
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { currentKeyId } = this.keys;
    const key = this.keys.keys[currentKeyId]!;
    return payloads.map((payload) => {
      if (isEncrypted(payload)) return payload; // never twice
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(currentKeyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncrypted(payload)) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new PayloadKeyError('encrypted payload has no key id in its metadata');
      const key = this.keys.keys[keyId];
      if (!key) throw new PayloadKeyError(`payload encrypted with key "${keyId}", which is not in PAYLOAD_KEYS (known: ${Object.keys(this.keys.keys).join(', ')})`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadKeyError(`encrypted payload (key "${keyId}") is too short`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadKeyError(`cannot decrypt payload with key "${keyId}": the key in PAYLOAD_KEYS is not the one it was encrypted with, or the data was altered`);
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
