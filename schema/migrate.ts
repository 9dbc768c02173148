// Applies the committed drizzle-kit migrations (schema/migrations) at start-up. With PostgreSQL,
// several workers and API processes may start together: an advisory lock lets one migrate at a time.
import path from 'node:path';
import { projectRoot } from '../config';
import { sql as drizzleSql } from 'drizzle-orm';
import type { DatabaseHandle } from './db';

const migrationsFolder = path.join(projectRoot, 'schema', 'migrations');
const MIGRATION_LOCK = 7_233_001;
/** extensions the tables need before any migration runs (the knowledge base's trigram index); PGlite loads them in db.ts */
const EXTENSIONS = 'create extension if not exists pg_trgm';

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await handle.db.execute(drizzleSql.raw(EXTENSIONS));
    await migrate(handle.db as never, { migrationsFolder });
    return;
  }
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const sql = postgres(handle.url!, { max: 1, onnotice: () => {} }); // one connection: the lock is per session
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await sql.unsafe(EXTENSIONS);
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
