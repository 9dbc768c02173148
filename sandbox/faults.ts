// In-memory fault injection ("the next N POSTs answer 503"), not persisted.
export type FaultMode = 'before' | 'after';

export class FaultInjector {
  remaining = 0;
  mode: FaultMode = 'before';

  set(failNext: number, mode: FaultMode): void {
    this.remaining = failNext;
    this.mode = mode;
  }

  clear(): void {
    this.remaining = 0;
    this.mode = 'before';
  }

  /** Consumes one fault if armed and returns its mode. */
  take(): FaultMode | null {
    if (this.remaining <= 0) return null;
    this.remaining--;
    return this.mode;
  }

  describe(): { failNext: number; mode: FaultMode } {
    return { failNext: this.remaining, mode: this.mode };
  }
}

/** Parses a `{failNext, mode}` body; returns an error reason string when invalid. */
export function parseFaultBody(body: unknown): { failNext: number; mode: FaultMode } | { field: string; reason: string } {
  if (typeof body !== 'object' || body === null) return { field: 'body', reason: 'must be a JSON object' };
  const b = body as Record<string, unknown>;
  const failNext = b.failNext ?? 1;
  const mode = b.mode ?? 'before';
  if (typeof failNext !== 'number' || !Number.isInteger(failNext) || failNext < 0 || failNext > 1000) {
    return { field: 'failNext', reason: 'must be an integer between 0 and 1000' };
  }
  if (mode !== 'before' && mode !== 'after') return { field: 'mode', reason: "must be 'before' or 'after'" };
  return { failNext, mode };
}
