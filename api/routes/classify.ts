// POST /v1/classify: what intake would make of a message, without opening tickets (debugging, tuning).
import type { FastifyPluginAsync } from 'fastify';
import { classifyWithHistory } from '../../schema/contact-history';
import { USER_TIERS } from '../../workflows/types';
import type { ApiContext } from '../context';
import { assertNotBlank } from '../errors';

interface ClassifyBody {
  text: string;
  language?: 'zh' | 'en';
  userTier?: (typeof USER_TIERS)[number];
  userId?: string;
  orderId?: string;
}

export const classifyRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  app.post<{ Body: ClassifyBody }>(
    '/v1/classify',
    {
      schema: {
        summary: 'Classify a message the way intake does: issues with spans, labels, skill groups, entities, priority and its factors',
        tags: ['classify'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text: { type: 'string', minLength: 1, maxLength: 10_000 },
            language: { type: 'string', enum: ['zh', 'en'] },
            userTier: { type: 'string', enum: USER_TIERS },
            userId: { type: 'string', minLength: 1, maxLength: 64, description: 'counts repeat contacts of the last 7 days' },
            orderId: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
      },
    },
    async (request) => {
      assertNotBlank('text', request.body.text);
      const { language, issues, priority, factors } = await classifyWithHistory(ctx.db, request.body);
      return { language, issues, priority, factors };
    },
  );
};
