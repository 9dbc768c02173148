// One factory for both back ends: PostgreSQL through postgres.js in production and tests,
// embedded PGlite under the data directory when DATABASE_URL is unset.
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as tables from './tables';

export type Database = PgDatabase<PgQueryResultHKT, typeof tables>;

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
    const client = postgres(opts.databaseUrl, { max: opts.poolSize ?? 10, onnotice: () => {} });
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
