// What every end-to-end benchmark runs on: a fresh PostgreSQL database, a Temporal dev server with its
// SQLite file and WAL pragmas (as `npm start` runs it), encrypted payloads as in production, and the
// test stack (worker, classify worker and API in this process) listening on a free port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePayloadKeys } from '../config/payload-codec';
import { freePort, readDevServerConfig, startDevServer } from '../scripts/dev-server';
import { freshTestDatabase } from '../scripts/postgres';
import { openDatabase, prepareDatabase } from '../schema';
import type { StackOptions } from '../test/helpers/stack';

export async function startBenchStack(opts: StackOptions) {
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_bench';
  await freshTestDatabase(databaseUrl);
  const prepared = await openDatabase({ databaseUrl, dataDir: os.tmpdir() });
  await prepareDatabase(prepared);
  await prepared.close();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ticketflow-bench-'));
  const server = await startDevServer({ ...readDevServerConfig(), port: await freePort(), headless: true, database: path.join(dir, 'temporal.sqlite') });
  process.env.DATABASE_URL = databaseUrl;
  process.env.TEMPORAL_ADDRESS = server.address;
  // the codec's cost is part of the numbers
  if (!process.env.PAYLOAD_KEYS) Object.assign(process.env, generatePayloadKeys('bench'));
  const { startTestStack } = await import('../test/helpers/stack');
  const stack = await startTestStack(opts);
  const base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    stack,
    base,
    async close() {
      await stack.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
