// The one typed view of the environment. Every default makes `npm start` work on a fresh machine.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

function str(name: string, fallback: string): string;
function str(name: string): string | undefined;
function str(name: string, fallback?: string): string | undefined {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** Amounts in fen. Thresholds of the fee-dispute solution policy. */
export interface FeePolicy {
  /** refunds above this are not automatic: the ticket escalates to the fee group */
  autoRefundLimitFen: number;
  /** a driver this many minutes late or more earns a compensation coupon when the bill itself is right */
  lateThresholdMinutes: number;
  lateCompensationCouponFen: number;
  /** goodwill coupon for vip/enterprise users whose bill was right (0 = none) */
  goodwillCouponFen: number;
  couponValidDays: number;
  /** how long the user has to confirm a proposed solution */
  confirmationTimeoutMs: number;
}

export function loadFeePolicy(): FeePolicy {
  return {
    autoRefundLimitFen: int('POLICY_AUTO_REFUND_LIMIT_FEN', 50000),
    lateThresholdMinutes: int('POLICY_LATE_THRESHOLD_MINUTES', 30),
    lateCompensationCouponFen: int('POLICY_LATE_COUPON_FEN', 2000),
    goodwillCouponFen: int('POLICY_GOODWILL_COUPON_FEN', 1000),
    couponValidDays: int('POLICY_COUPON_VALID_DAYS', 30),
    confirmationTimeoutMs: int('CONFIRMATION_TIMEOUT_MS', 24 * 60 * 60 * 1000),
  };
}

export interface Config {
  dataDir: string;
  /** unset → embedded PGlite under dataDir (worker and API then share one process) */
  databaseUrl?: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tlsCertPath?: string;
    tlsKeyPath?: string;
  };
  api: { host: string; port: number; intakeWaitMs: number; bodyLimitBytes: number };
  sandbox: { host: string; port: number };
  orderApiUrl?: string;
  financeApiUrl?: string;
  smsApiUrl?: string;
  feePolicy: FeePolicy;
}

export function loadConfig(): Config {
  return {
    dataDir: path.resolve(projectRoot, str('DATA_DIR', '.data')),
    databaseUrl: str('DATABASE_URL'),
    temporal: {
      address: str('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace: str('TEMPORAL_NAMESPACE', 'default'),
      taskQueue: str('TEMPORAL_TASK_QUEUE', 'tickets'),
      apiKey: str('TEMPORAL_API_KEY'),
      tlsCertPath: str('TEMPORAL_TLS_CERT'),
      tlsKeyPath: str('TEMPORAL_TLS_KEY'),
    },
    api: {
      host: str('HOST', '127.0.0.1'),
      port: int('PORT', 3000),
      intakeWaitMs: int('INTAKE_WAIT_MS', 10_000),
      bodyLimitBytes: int('BODY_LIMIT_BYTES', 64 * 1024),
    },
    sandbox: { host: str('SANDBOX_HOST', '127.0.0.1'), port: int('SANDBOX_PORT', 3100) },
    orderApiUrl: str('ORDER_API_URL'),
    financeApiUrl: str('FINANCE_API_URL'),
    smsApiUrl: str('SMS_API_URL'),
    feePolicy: loadFeePolicy(),
  };
}
