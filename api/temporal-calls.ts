// Temporal calls made on behalf of an HTTP request are bounded in time: a down server or a
// stopped worker must give the caller a clear 503, not a hung request.
import type { Connection } from '@temporalio/client';
import { HttpError } from './errors';

export class TimedOut extends Error {}

export async function withinDeadline<T>(connection: Connection, ms: number, fn: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // the abort cancels the RPC; the race also bounds a lazy connection's first connect, which the signal does not cover
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimedOut(`no answer within ${ms} ms`));
    }, ms);
  });
  const call = connection.withAbortSignal(controller.signal, fn);
  call.catch(() => {}); // its late rejection after the deadline is expected
  try {
    return await Promise.race([call, deadline]);
  } catch (err) {
    if (controller.signal.aborted) throw new TimedOut(`no answer within ${ms} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Maps "cannot reach Temporal" style failures to 503; leaves everything else alone. */
export function unavailable(err: unknown, what: string): never {
  if (err instanceof HttpError) throw err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof TimedOut || /UNAVAILABLE|ECONNREFUSED|deadline|connect|DEADLINE_EXCEEDED|No connection established/i.test(message)) {
    throw new HttpError(503, 'temporal_unavailable', `${what}: ${message}; nothing was changed, retry later`);
  }
  throw err;
}
