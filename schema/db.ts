// One factory for both back ends: PostgreSQL through postgres.js in production and tests,
// embedded PGlite under the data directory when DATABASE_URL is unset.
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as tables from './tables';

export type Database = PgDatabase<PgQueryResultHKT, typeof tables>;

/**
 * Settings every session of the application runs with. The knowledge base's trigram search (`<%`) takes its
 * threshold from a setting: 0.5 (instead of 0.6) lets one-letter slips through (harrasment).
 */
export const SESSION_SETTINGS: Record<string, string> = { 'pg_trgm.word_similarity_threshold': '0.5' };

/** Subscribes to a NOTIFY channel; resolves once listening, to the function that stops it. */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** set for PostgreSQL: migrations open their own single connection to hold a lock */
  url?: string;
  /** a cheap round trip, for health checks */
  ping(): Promise<void>;
  /** LISTEN on a channel (postgres.js keeps one dedicated connection and re-listens after a reconnect; PGlite in process) */
  listen: Listen;
  close(): Promise<void>;
}

export async function openDatabase(opts: { databaseUrl?: string; dataDir: string; poolSize?: number }): Promise<DatabaseHandle> {
  if (opts.databaseUrl) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    // session settings travel in the startup message: no statement (or transaction) per query to set them
    const client = postgres(opts.databaseUrl, { max: opts.poolSize ?? 10, onnotice: () => {}, connection: { ...SESSION_SETTINGS } });
    return {
      db: drizzle(client, { schema: tables }) as unknown as Database,
      kind: 'postgres',
      url: opts.databaseUrl,
      ping: async () => void (await client`select 1`),
      listen: async (channel, onPayload) => {
        const request = await client.listen(channel, onPayload);
        return () => request.unlisten();
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  // pg_trgm: the knowledge base's similarity search (PostgreSQL ships it in contrib)
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const client = new PGlite(path.join(opts.dataDir, 'pglite'), { extensions: { pg_trgm } });
  await client.waitReady;
  for (const [name, value] of Object.entries(SESSION_SETTINGS)) await client.query(`select set_config($1, $2, false)`, [name, value]);
  return {
    db: drizzle(client, { schema: tables }) as unknown as Database,
    kind: 'pglite',
    ping: async () => void (await client.query('select 1')),
    listen: async (channel, onPayload) => {
      const unlisten = await client.listen(channel, onPayload);
      return () => unlisten();
    },
    close: () => client.close(),
  };
}
