// In-memory fault injection, not persisted: "the next N POSTs answer 503" (the default), or with
// `scope: 'all'` the reads too (the system is unreachable), optionally followed by a second plan once
// the first is used up (`then`), so a test can lose one payment's answer and then cut the system off.
export type FaultMode = 'before' | 'after';
/** which requests a fault hits: the writes (POSTs) only, or every request (reads answer 503 as well) */
export type FaultScope = 'posts' | 'all';

export interface FaultPlan {
  failNext: number;
  mode: FaultMode;
  scope: FaultScope;
  /** armed when this plan's faults are used up */
  then?: FaultPlan;
}

const NONE: FaultPlan = { failNext: 0, mode: 'before', scope: 'posts' };

export class FaultInjector {
  private plan: FaultPlan = NONE;

  set(plan: FaultPlan): void {
    this.plan = plan;
  }

  clear(): void {
    this.plan = NONE;
  }

  /**
   * Consumes one fault if the armed plan hits this request and returns its mode. A read outside the plan's
   * scope passes untouched; a read within it always fails before doing anything (a read has nothing to lose).
   */
  take(request: 'write' | 'read' = 'write'): FaultMode | null {
    const plan = this.plan;
    if (plan.failNext <= 0) return null;
    if (request === 'read' && plan.scope !== 'all') return null;
    this.plan = plan.failNext > 1 ? { ...plan, failNext: plan.failNext - 1 } : (plan.then ?? NONE);
    return request === 'read' ? 'before' : plan.mode;
  }

  describe(): FaultPlan {
    return this.plan;
  }
}

type Invalid = { field: string; reason: string };

/** Parses a `{failNext, mode, scope, then}` body (`then`: one more plan without its own `then`). */
export function parseFaultBody(body: unknown, field = 'body', allowThen = true): FaultPlan | Invalid {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { field, reason: 'must be a JSON object' };
  const b = body as Record<string, unknown>;
  const at = (name: string) => (field === 'body' ? name : `${field}.${name}`);
  const failNext = b.failNext ?? 1;
  const mode = b.mode ?? 'before';
  const scope = b.scope ?? 'posts';
  if (typeof failNext !== 'number' || !Number.isInteger(failNext) || failNext < 0 || failNext > 1000) {
    return { field: at('failNext'), reason: 'must be an integer between 0 and 1000' };
  }
  if (mode !== 'before' && mode !== 'after') return { field: at('mode'), reason: "must be 'before' or 'after'" };
  if (scope !== 'posts' && scope !== 'all') return { field: at('scope'), reason: "must be 'posts' or 'all'" };
  const plan: FaultPlan = { failNext, mode, scope };
  if (b.then !== undefined) {
    if (!allowThen) return { field: at('then'), reason: 'cannot be nested' };
    const then = parseFaultBody(b.then, at('then'), false);
    if ('field' in then) return then;
    plan.then = then;
  }
  return plan;
}
