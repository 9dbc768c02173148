// The Temporal codec server (POST /codec/decode, /codec/encode): the Temporal UI and CLI
// (`--codec-endpoint … --codec-auth "Bearer <admin token>"`) send encrypted payloads here and show
// the decrypted ones. On the API, admins only: whoever calls it reads every ticket's inputs. `npm start`
// also mounts it, without auth, on its own loopback server for the dev UI (api/dev-codec-server.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, PayloadKeyError } from '../../config/payload-codec';
import type { Config } from '../../config';
import { HttpError } from '../errors';

/** JSON form of a payload in the codec-server protocol: metadata values and data in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          data: { type: 'string' },
        },
      },
    },
  },
} as const;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export const codecRoutes: FastifyPluginAsync<{ config: Config }> = async (app, ctx) => {
  // the UI calls from its own origin: CORS on every answer (errors included, such as the auth plugin's 401) so it can show them
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    // read per request: `npm start` adds the dev UI's origin once its server runs
    if (origin && ctx.config.codecCorsOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'origin');
    }
  });
  app.options('/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
      .header('access-control-max-age', '600')
      .status(204)
      .send(),
  );

  const codec = ctx.config.payloadKeys ? new EncryptionCodec(ctx.config.payloadKeys) : null;

  for (const direction of ['decode', 'encode'] as const) {
    app.post<{ Body: { payloads: JsonPayload[] } }>(
      `/${direction}`,
      {
        bodyLimit: 8 * 1024 * 1024, // a ticket's input carries its SOP document
        schema: {
          summary: direction === 'decode' ? 'Decrypt Temporal payloads (codec server for the Temporal UI and CLI)' : 'Encrypt Temporal payloads (codec server)',
          tags: ['operations'],
          body: payloadsSchema,
          response: { 200: payloadsSchema, 401: { $ref: 'Error#' }, 403: { $ref: 'Error#' } },
        },
      },
      async (request) => {
        if (!codec) throw new HttpError(503, 'codec_unavailable', 'PAYLOAD_KEYS is not configured on this API');
        const payloads = request.body.payloads.map(fromJson);
        try {
          const result = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          return { payloads: result.map(toJson) };
        } catch (err) {
          if (err instanceof PayloadKeyError) throw new HttpError(400, 'undecodable_payload', err.message, [{ field: 'payloads', reason: err.message }]);
          throw err;
        }
      },
    );
  }
};
