// Stale-if-error for the auth plugin: a credential or ticket owner read from the database shortly
// before it went down is answered from memory during the outage, so services and agents seen in the
// last minute keep acting through Temporal instead of getting 503. Never used while the database answers,
// so revocation and logout take effect at once in normal operation.
import { HttpError, isDatabaseUnavailable } from './errors';

export class RecentAnswers<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  remember(key: string, value: T): void {
    this.entries.delete(key); // re-insert: Map order is the eviction order
    this.entries.set(key, { value, at: Date.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  recall(key: string): T | undefined {
    const entry = this.entries.get(key);
    return entry && Date.now() - entry.at <= this.maxAgeMs ? entry.value : undefined;
  }
}

/**
 * Reads through `query` and remembers a defined answer. When the database cannot be reached (a connection
 * error, not a slow answer: a loaded database must not turn into 503s), answers what was remembered, else 503.
 */
export function staleIfError() {
  return async function read<T>(memory: RecentAnswers<T>, key: string, query: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      const value = await query();
      if (value !== undefined) memory.remember(key, value);
      return value;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const remembered = memory.recall(key);
      if (remembered !== undefined) return remembered;
      throw new HttpError(503, 'database_unavailable', 'the database is unavailable and this was not seen in the last minute; retry later');
    }
  };
}
