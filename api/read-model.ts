// Reads of the read model that an action can do without: when PostgreSQL is down (or hangs), the
// caller learns it quickly and goes on through Temporal, which does not need the read model.
import { isDatabaseUnavailable } from './errors';

export type ReadModelAnswer<T> = { available: true; value: T } | { available: false };

/**
 * One per API context. After a failure further reads are skipped for `pauseMs`, so a request that
 * needs several reads pays the wait once, and a hung database costs at most `timeoutMs`.
 */
export function readModelGuard({ timeoutMs = 5_000, pauseMs = 1_000 } = {}) {
  let downUntil = 0;
  return async function optionalRead<T>(read: () => Promise<T>): Promise<ReadModelAnswer<T>> {
    if (Date.now() < downUntil) return { available: false };
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs)));
    const query = Promise.resolve().then(read);
    query.catch(() => {}); // a late failure after the deadline is expected
    try {
      const value = await Promise.race([query, hung]);
      if (value === 'hung') throw Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'CONNECT_TIMEOUT' });
      return { available: true, value };
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      downUntil = Date.now() + pauseMs;
      return { available: false };
    } finally {
      clearTimeout(timer);
    }
  };
}
