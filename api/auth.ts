// Bearer tokens with a role. Agents decide human tasks; only admins publish SOPs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from '../config';
import { HttpError } from './errors';

export type Role = ApiToken['role'];

export function requireRole(tokens: ApiToken[], ...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token>');
    const token = tokens.find((t) => t.token === match[1]!.trim());
    if (!token) throw new HttpError(401, 'unauthorized', 'unknown token');
    if (!roles.includes(token.role)) throw new HttpError(403, 'forbidden', `this needs the ${roles.join(' or ')} role; your token is ${token.role}`);
    request.role = token.role;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    role?: Role;
  }
}
