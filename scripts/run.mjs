#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run worker|api|sandbox`: plain JavaScript so it runs
// on a fresh clone, installs the dependencies when they are missing, then hands over to TypeScript.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = {
  start: 'scripts/start.ts',
  test: 'scripts/test.ts',
  worker: 'worker/main.ts',
  api: 'api/main.ts',
  sandbox: 'sandbox/main.ts',
  'temporal-install': 'scripts/temporal-install.ts',
  kb: 'scripts/kb.ts',
  demo: 'scripts/demo.ts',
};

const command = process.argv[2];
if (!entries[command]) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(entries).join('|')} [args…]`);
  process.exit(2);
}

const installed = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  console.log('[setup] installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, entries[command]), ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the whole process group, the child included: wait for its clean stop.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
