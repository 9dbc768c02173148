// Connection settings shared by the client (API) and the worker: a local dev server needs only an
// address; a hosted cluster adds mTLS files or an API key.
import fs from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import type { Config } from './index';
import { EncryptionCodec, PayloadKeyError } from './payload-codec';

export function temporalConnectionOptions(config: Config) {
  const { address, apiKey, tlsCertPath, tlsKeyPath } = config.temporal;
  const clientCertPair = tlsCertPath && tlsKeyPath ? { crt: fs.readFileSync(tlsCertPath), key: fs.readFileSync(tlsKeyPath) } : undefined;
  return {
    address,
    ...(apiKey ? { apiKey } : {}),
    ...(clientCertPair || apiKey ? { tls: clientCertPair ? { clientCertPair } : true } : {}),
  };
}

/**
 * The data converter of every client and worker: payloads encrypted with the configured key.
 * Without PAYLOAD_KEYS nothing may talk to Temporal (npm start and npm test provide a key).
 */
export function payloadDataConverter(config: Config): DataConverter {
  if (!config.payloadKeys) throw new PayloadKeyError('PAYLOAD_KEYS is not set: Temporal payloads are encrypted, so the worker and the API need the key (see docs/SECURITY.md; npm start generates a development key)');
  return { payloadCodecs: [new EncryptionCodec(config.payloadKeys)] };
}
