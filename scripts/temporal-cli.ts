// Finds the Temporal CLI (TEMPORAL_CLI, then PATH, then our cache) or builds it once into a cache
// outside the clone, so every later clone, test run and CI run on this machine reuses it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function cacheRoot(): string {
  return process.env.TICKETFLOW_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'ticketflow');
}

function cachedBinary(version: string): string {
  return path.join(cacheRoot(), `temporal-${version}`, 'temporal');
}

export function onPath(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

export function findTemporalCli(version: string): string | null {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const cached = cachedBinary(version);
  return fs.existsSync(cached) ? cached : null;
}

async function buildWithGo(go: string, version: string): Promise<string> {
  const target = cachedBinary(version);
  const binDir = path.dirname(target);
  fs.mkdirSync(binDir, { recursive: true });
  console.log(`[temporal] building the Temporal CLI ${version} with Go into ${binDir} (first time only: ~3 min, ~1.8 GB of modules)`);
  const started = Date.now();
  const child = spawn(go, ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
    env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let downloads = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    downloads += (chunk.toString().match(/go: downloading/g) ?? []).length;
  });
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`[temporal] … ${seconds}s, ${downloads} modules downloaded${downloads ? ', compiling' : ''}`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code !== 0 || !fs.existsSync(target)) {
    throw new Error(`go install of the Temporal CLI ${version} failed (exit ${code}):\n${stderr.split('\n').slice(-20).join('\n')}`);
  }
  console.log(`[temporal] built in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
  return target;
}

/** Without Go, @temporalio/testing can download the CLI (needs internet access). */
async function downloadWithTestingPackage(): Promise<string> {
  const downloadDir = path.join(cacheRoot(), 'temporal-download');
  console.log(`[temporal] Go not found: downloading the Temporal CLI through @temporalio/testing into ${downloadDir}`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
  await env.teardown();
  const binary = fs.readdirSync(downloadDir, { recursive: true, encoding: 'utf8' }).find((f) => path.basename(f).startsWith('temporal'));
  if (!binary) throw new Error(`downloaded the Temporal CLI but found no binary in ${downloadDir}`);
  return path.join(downloadDir, binary);
}

export async function ensureTemporalCli(version: string): Promise<string> {
  const found = findTemporalCli(version);
  if (found) return found;
  const go = onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  return go ? buildWithGo(go, version) : downloadWithTestingPackage();
}
