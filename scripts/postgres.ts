// Test and CI database: the machine's real PostgreSQL, started if it is down, with a fresh database.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import postgres from 'postgres';

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function startLocalCluster(): void {
  if (!fs.existsSync('/etc/postgresql')) return;
  for (const version of fs.readdirSync('/etc/postgresql')) {
    console.log(`[postgres] starting cluster ${version}/main`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
}

/** Drops and recreates the database named in `url` so every run starts clean. */
export async function freshTestDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected test database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  if (!(await reachable(admin.toString()))) {
    startLocalCluster();
    for (let i = 0; i < 30 && !(await reachable(admin.toString())); i++) await new Promise((r) => setTimeout(r, 500));
    if (!(await reachable(admin.toString()))) throw new Error(`PostgreSQL is not reachable at ${admin.host}: start it or set TEST_DATABASE_URL`);
  }
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
