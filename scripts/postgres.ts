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
    // per-file copies left behind by an interrupted run
    const leftovers = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${name + '\\_%'}`;
    for (const { datname } of leftovers) await sql.unsafe(`drop database if exists ${datname} with (force)`);
    await sql.unsafe(`drop database if exists ${name} with (force)`);
    await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** CREATE DATABASE … TEMPLATE: a cheap private copy of the prepared test database for one test file. */
export async function copyDatabase(templateUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const template = new URL(templateUrl);
  const name = `${template.pathname.slice(1)}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new URL(templateUrl);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    // copies fail while another session is connected to the template: retry briefly when files start together
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.unsafe(`create database ${name} template ${template.pathname.slice(1)}`);
        break;
      } catch (err) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const admin2 = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      try {
        await admin2.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await admin2.end({ timeout: 5 });
      }
    },
  };
}
