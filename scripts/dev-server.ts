// Starts (or reuses) the Temporal dev server described by temporal-dev.yml.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig, projectRoot } from '../config';
import { ensureTemporalCli } from './temporal-cli';

export interface DevServerConfig {
  version: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** null = in memory */
  database: string | null;
  sqlitePragmas: Record<string, string>;
  logLevel: string;
  dynamicConfig: Record<string, unknown>;
  searchAttributes: Record<string, string>;
  headless?: boolean;
  /** the API's codec route, so the UI shows decrypted payloads */
  uiCodecEndpoint?: string;
}

export function readDevServerConfig(file = path.join(projectRoot, 'temporal-dev.yml')): DevServerConfig {
  const raw = YAML.parse(fs.readFileSync(file, 'utf8')) as DevServerConfig;
  const port = Number(process.env.TEMPORAL_PORT ?? raw.port);
  return {
    ...raw,
    port,
    uiPort: Number(process.env.TEMPORAL_UI_PORT ?? raw.uiPort),
    database: raw.database ? path.resolve(loadConfig().dataDir, raw.database) : null,
  };
}

export function devServerArgs(c: DevServerConfig): string[] {
  const args = ['server', 'start-dev', '--ip', c.ip, '--port', String(c.port), '--namespace', c.namespace, '--log-level', c.logLevel];
  if (c.headless) args.push('--headless');
  else args.push('--ui-port', String(c.uiPort));
  if (c.uiCodecEndpoint && !c.headless) args.push('--ui-codec-endpoint', c.uiCodecEndpoint);
  if (c.database) {
    args.push('--db-filename', c.database);
    for (const [k, v] of Object.entries(c.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(c.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(c.searchAttributes ?? {})) args.push('--search-attribute', `${k}=${v}`);
  return args;
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningDevServer {
  address: string;
  uiUrl: string | null;
  /** false when an already running server was reused: stop() then leaves it alone */
  owned: boolean;
  stop(): Promise<void>;
}

export async function startDevServer(c: DevServerConfig, log: (line: string) => void = console.log): Promise<RunningDevServer> {
  const address = `${c.ip}:${c.port}`;
  const uiUrl = c.headless ? null : `http://${c.ip === '0.0.0.0' ? '127.0.0.1' : c.ip}:${c.uiPort}`;
  if (await portOpen(c.ip, c.port)) {
    log(`[temporal] reusing the server already listening on ${address}`);
    return { address, uiUrl, owned: false, stop: async () => {} };
  }
  const binary = await ensureTemporalCli(c.version);
  if (c.database) fs.mkdirSync(path.dirname(c.database), { recursive: true });
  // own process group: Ctrl-C must not stop Temporal before the worker has drained; we stop it last
  const child: ChildProcess = spawn(binary, devServerArgs(c), { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(c.ip, c.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal dev server did not start on ${address}:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log(`[temporal] dev server ${c.version} on ${address}${c.database ? ` (state in ${path.relative(projectRoot, c.database)})` : ' (in memory)'}`);
  return {
    address,
    uiUrl,
    owned: true,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
