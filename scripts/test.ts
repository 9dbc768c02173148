// `npm test`: real PostgreSQL (fresh database), a real Temporal dev server in memory on free ports,
// the workflows bundled once, then ava. Extra arguments go to ava (e.g. a file).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig, projectRoot } from '../config';
import { generatePayloadKeys } from '../config/payload-codec';
import { openDatabase, prepareDatabase } from '../schema';
import { freePort, readDevServerConfig, startDevServer } from './dev-server';
import { ensureChromium } from './chromium';
import { freshTestDatabase } from './postgres';
import { startMailpit } from './mailpit';

const require = createRequire(import.meta.url);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ticketflow_test';

ensureChromium();
await freshTestDatabase(databaseUrl);
const database = await openDatabase({ databaseUrl, dataDir: loadConfig().dataDir });
await prepareDatabase(database);
await database.close();
console.log(`[test] database ${new URL(databaseUrl).pathname.slice(1)} migrated`);

const devServer = await startDevServer({ ...readDevServerConfig(), port: await freePort(), database: null, headless: true });
// a real SMTP server for the delivery tests: they read what arrived through its HTTP API
const mailpit = await startMailpit();
console.log(`[test] Mailpit: SMTP ${mailpit.smtpUrl}, inbox ${mailpit.webUrl}`);

const bundlePath = path.join(projectRoot, '.data', 'test', 'workflow-bundle.js');
fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} } as never });
fs.writeFileSync(bundlePath, code);
console.log('[test] workflows bundled');

const ava = spawn(process.execPath, [path.join(projectRoot, 'node_modules', 'ava', 'entrypoints', 'cli.mjs'), ...process.argv.slice(2)], {
  cwd: projectRoot,
  stdio: 'inherit',
  // one random payload key per run unless given: every test process (and its child processes) shares it
  env: { ...(process.env.PAYLOAD_KEYS ? {} : generatePayloadKeys('test')), ...process.env, TEMPORAL_ADDRESS: devServer.address, DATABASE_URL: databaseUrl, SMTP_URL: mailpit.smtpUrl, MAILPIT_URL: mailpit.webUrl, WORKFLOW_BUNDLE_PATH: bundlePath },
});
const exitCode = await new Promise<number>((resolve) => ava.on('exit', (c) => resolve(c ?? 1)));
await devServer.stop();
await mailpit.stop();
process.exit(exitCode);
