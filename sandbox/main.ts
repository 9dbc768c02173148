// CLI: tsx sandbox/main.ts  (env SANDBOX_PORT=3100, SANDBOX_HOST=127.0.0.1, SANDBOX_DATA_DIR=.data/sandbox,
// optional SANDBOX_SEED, SANDBOX_ORDER_COUNT)
import { startSandbox } from './index';

function intEnv(name: string, def: number | undefined): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${v}`);
  return n;
}

const sandbox = await startSandbox({
  port: intEnv('SANDBOX_PORT', 3100),
  host: process.env.SANDBOX_HOST || '127.0.0.1',
  dataDir: process.env.SANDBOX_DATA_DIR || '.data/sandbox',
  seed: intEnv('SANDBOX_SEED', undefined),
  orderCount: intEnv('SANDBOX_ORDER_COUNT', undefined),
});

console.log(`sandbox listening on ${sandbox.url}`);
console.log(`  order system:   ${sandbox.orderApiUrl}`);
console.log(`  finance system: ${sandbox.financeApiUrl}`);
console.log(`  sms gateway:    ${sandbox.smsApiUrl}`);
console.log(`  user system:    ${sandbox.userApiUrl}`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${sig}, closing sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
