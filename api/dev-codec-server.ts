// Development only (`npm start`): the codec routes of api/routes/codec.ts on a server of their own, bound to
// loopback and without the auth plugin, so the Temporal dev UI (which cannot send the admin credential)
// shows decrypted payloads. Anyone on this machine may decode through it — as they may read DATA_DIR's key
// file. Production and the CLI keep the API's `/codec`, admins only.
import Fastify from 'fastify';
import type { Config } from '../config';
import { errorSchema, installErrorHandler } from './errors';
import { codecRoutes } from './routes/codec';

/** Never configurable: the point is that only this machine reaches it. */
export const DEV_CODEC_HOST = '127.0.0.1';

export interface DevCodecServer {
  /** the codec endpoint to give the UI (`--ui-codec-endpoint`) and the CLI (`--codec-endpoint`) */
  endpoint: string;
  close(): Promise<void>;
}

export async function startDevCodecServer(config: Config, port: number): Promise<DevCodecServer> {
  if (config.production) throw new Error('the credential-free codec server is for development only (NODE_ENV=production)');
  const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } } });
  installErrorHandler(app);
  app.addSchema(errorSchema);
  await app.register(codecRoutes, { config, prefix: '/codec' });
  const url = await app.listen({ host: DEV_CODEC_HOST, port });
  return { endpoint: `${url}/codec`, close: () => app.close() };
}
