// SOPs: list, read versions, validate drafts, publish new versions (editors and admins).
import type { FastifyPluginAsync } from 'fastify';
import { getSopVersion, latestSops, publishSop, sopVersionsOf } from '../../schema/sop-repository';
import { ACTIONS, SIGNALS, SKILL_GROUPS } from '../../sops/actions';
import { STEP_KINDS, validateSop } from '../../sops/validate';
import { callerId, callerOf } from '../auth';
import type { ApiContext } from '../context';
import { HttpError } from '../errors';

const documentBody = { type: 'object', required: ['document'], properties: { document: { type: 'object' } } };

export const sopRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { db } = ctx;

  app.get('/v1/sops', { schema: { summary: 'Every SOP type with its latest published version', tags: ['sops'] } }, async () =>
    (await latestSops(db)).map((row) => ({ type: row.type, name: row.document.name, latestVersion: row.version, appliesTo: row.document.appliesTo, publishedAt: row.publishedAt })),
  );

  app.get('/v1/sops/catalog', { schema: { summary: 'What SOP steps may use: actions, signals, skill groups, step kinds', tags: ['sops'] } }, async () => ({
    actions: ACTIONS,
    signals: SIGNALS,
    skillGroups: SKILL_GROUPS,
    stepKinds: STEP_KINDS,
  }));

  app.get<{ Params: { type: string } }>('/v1/sops/:type/versions', { schema: { summary: 'Published versions of one SOP, newest first', tags: ['sops'] } }, async (request) => {
    const versions = await sopVersionsOf(db, request.params.type);
    if (!versions.length) throw new HttpError(404, 'not_found', `no SOP of type ${request.params.type}`);
    return versions.map(({ version, publishedAt, publishedBy }) => ({ version, publishedAt, publishedBy }));
  });

  app.get<{ Params: { type: string; version: string } }>(
    '/v1/sops/:type/versions/:version',
    { schema: { summary: 'One published version (or "latest")', tags: ['sops'], params: { type: 'object', properties: { type: { type: 'string' }, version: { type: 'string', pattern: '^(latest|[1-9][0-9]{0,8})$' } } } } },
    async (request) => {
      const { type, version } = request.params;
      const row = await getSopVersion(db, type, version === 'latest' ? null : Number(version));
      if (!row) throw new HttpError(404, 'not_found', `no SOP ${type} version ${version}`);
      return row;
    },
  );

  app.post<{ Body: { document: unknown } }>('/v1/sops/validate', { schema: { summary: 'Validate a draft: every error at once, with its step', tags: ['sops'], body: documentBody } }, async (request) => {
    const { valid, errors } = validateSop(request.body.document);
    return { valid, errors };
  });

  app.post<{ Params: { type: string }; Body: { document: unknown } }>(
    '/v1/sops/:type/versions',
    { schema: { summary: 'Publish a new immutable version (editors, admins, services with sops:publish)', tags: ['sops'], body: documentBody } },
    async (request, reply) => {
      const { valid, errors, document } = validateSop(request.body.document);
      if (!valid || !document) return reply.status(400).send({ error: 'invalid_sop', message: `${errors.length} problem(s) in the SOP`, errors });
      if (document.type !== request.params.type) {
        throw new HttpError(400, 'validation_failed', `document type ${document.type} does not match the URL's ${request.params.type}`, [{ field: 'document.type', reason: `must be ${request.params.type}` }]);
      }
      const row = await publishSop(db, document, callerId(callerOf(request)));
      return reply.status(201).send({ type: row.type, version: row.version, publishedAt: row.publishedAt, publishedBy: row.publishedBy });
    },
  );
};
