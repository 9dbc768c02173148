// Connection settings shared by the client (API) and the worker: a local dev server needs only an
// address; a hosted cluster adds mTLS files or an API key.
import fs from 'node:fs';
import type { Config } from './index';

export function temporalConnectionOptions(config: Config) {
  const { address, apiKey, tlsCertPath, tlsKeyPath } = config.temporal;
  const clientCertPair = tlsCertPath && tlsKeyPath ? { crt: fs.readFileSync(tlsCertPath), key: fs.readFileSync(tlsKeyPath) } : undefined;
  return {
    address,
    ...(apiKey ? { apiKey } : {}),
    ...(clientCertPair || apiKey ? { tls: clientCertPair ? { clientCertPair } : true } : {}),
  };
}
