// Who an agent route acts for: agents for themselves, supervisors and admins for anyone.
import type { FastifyRequest } from 'fastify';
import { LEAD_ROLES } from './access-rules';
import { callerOf } from './auth';
import { HttpError } from './errors';

export interface StaffCaller {
  id: string;
  lead: boolean;
}

export function staffCaller(request: FastifyRequest): StaffCaller {
  const caller = callerOf(request);
  if (caller.kind !== 'staff') throw new HttpError(403, 'forbidden', 'only staff take part in work distribution');
  return { id: caller.id, lead: LEAD_ROLES.includes(caller.role) };
}

/** 403 unless the caller is `agentId` or a supervisor/admin. */
export function mayActFor(caller: StaffCaller, agentId: string, what: string): void {
  if (caller.id !== agentId && !caller.lead) throw new HttpError(403, 'forbidden', `only ${agentId} or a supervisor may ${what}; you are ${caller.id}`);
}
