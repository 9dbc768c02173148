// The one typed view of the environment. Every default makes `npm start` work on a fresh machine.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePayloadKeys, type PayloadKeys } from './payload-codec';
import { DEFAULT_ANOMALY_PARAMS, type AnomalyParams } from '../domain/anomaly';

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

/**
 * Overrides of SOP policy values for this environment (tests use seconds instead of a day).
 * Only what is set explicitly: CONFIRMATION_TIMEOUT_MS, and SOP_POLICY_OVERRIDES as a JSON object.
 */
export function loadSopPolicyOverrides(): Record<string, number | string | boolean> {
  const overrides: Record<string, number | string | boolean> = {};
  const raw = str('SOP_POLICY_OVERRIDES');
  if (raw) {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SOP_POLICY_OVERRIDES must be a JSON object');
    Object.assign(overrides, parsed);
  }
  if (str('CONFIRMATION_TIMEOUT_MS')) overrides.confirmationTimeout = int('CONFIRMATION_TIMEOUT_MS', 0);
  // one threshold for the API, the page and the workflows
  if (str('REVIEW_THRESHOLD')) overrides.reviewThreshold = int('REVIEW_THRESHOLD', 2);
  return overrides;
}

/** The detection's defaults with ANOMALY_WINDOW_MS and any field of ANOMALY_PARAMS (a JSON object) over them. */
function anomalyParams(): AnomalyParams {
  const raw = str('ANOMALY_PARAMS');
  const overrides: unknown = raw ? JSON.parse(raw) : {};
  if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides)) throw new Error('ANOMALY_PARAMS must be a JSON object');
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_ANOMALY_PARAMS) || typeof value !== 'number' || !(value > 0)) throw new Error(`ANOMALY_PARAMS.${name}: not a detection setting, or not a positive number`);
  }
  return { ...DEFAULT_ANOMALY_PARAMS, windowMs: int('ANOMALY_WINDOW_MS', DEFAULT_ANOMALY_PARAMS.windowMs), ...(overrides as Partial<AnomalyParams>) };
}

function workerRoles(raw: string): Config['worker']['roles'] {
  const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
  for (const role of roles) if (role !== 'tickets' && role !== 'classify') throw new Error(`WORKER_ROLES takes tickets and/or classify, got "${role}"`);
  if (!roles.length) throw new Error('WORKER_ROLES must name at least one of tickets, classify');
  return roles as Config['worker']['roles'];
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
    /** the Temporal web UI (TEMPORAL_UI_URL): the agent console links each ticket's workflow there */
    uiUrl: string;
  };
  api: {
    host: string;
    port: number;
    intakeWaitMs: number;
    bodyLimitBytes: number;
    /** after SIGTERM, /readyz answers 503 this long before the server stops taking connections (the load balancer's turn) */
    shutdownDelayMs: number;
    /** intakes this API process handles at once; more are shed with 503 + Retry-After before latency explodes */
    intakeMaxInFlight: number;
  };
  worker: {
    /** what `npm run worker` runs: `tickets` (workflows, all other activities), `classify` (classification), or both */
    roles: Array<'tickets' | 'classify'>;
    /** classifications one process runs at once (CPU-bound: about one per core) */
    classifyConcurrency: number;
    /** interval of the reconcile schedule (a Temporal duration string: "5 minutes", "30s") */
    reconcileEvery: string;
    /**
     * host:port where the worker serves the Temporal SDK's Prometheus metrics (WORKER_METRICS_ADDRESS; "off": none).
     * Unset: `npm run worker` uses 127.0.0.1:9464, `npm start` serves none (several may run on one machine).
     */
    metricsAddress?: string;
    /** interval of the anomaly detection schedule (ANOMALY_EVERY, a Temporal duration string) */
    anomalyEvery: string;
    /** worker versioning: WORKER_BUILD_ID (e.g. the git sha) in deployment WORKER_DEPLOYMENT_NAME; unset → unversioned */
    deployment?: { name: string; buildId: string };
  };
  sandbox: { host: string; port: number };
  orderApiUrl?: string;
  financeApiUrl?: string;
  smsApiUrl?: string;
  /** the user system: a customer's tier comes from here, not from the caller */
  userApiUrl?: string;
  sopPolicyOverrides: Record<string, number | string | boolean>;
  /** skill group → phone paged by SOPs' notifyOnCall */
  onCallPhones: Record<string, string>;
  /** secrets from the environment; see config/credentials.ts for what production requires */
  credentials: {
    /** ADMIN_TOKEN: the bootstrap admin's bearer token (staff caller `bootstrap-admin`, role admin) */
    adminToken?: string;
    /** USER_TOKEN_SECRET: HMAC key of signed user tokens */
    userTokenSecret?: string;
  };
  /** NODE_ENV=production (and always under `npm run api` / `npm run worker`): refuse weak credentials */
  production: boolean;
  /** lifetime of a staff session token */
  sessionTtlMs: number;
  /** requests per window: per client IP (everyone) and per credential (Authorization header) */
  rateLimit: { windowMs: number; ipMax: number; credentialMax: number };
  /** an on-call group is paged at most once per window, with every ticket of the window */
  pagerWindowMs: number;
  /** automatic dispatch runs this often in each ticket worker process (0: off) */
  dispatchEveryMs: number;
  /** AES keys of the Temporal payload codec (PAYLOAD_KEYS, PAYLOAD_KEY_ID); every process needs them */
  payloadKeys?: PayloadKeys;
  /** origins (the Temporal UI) allowed to call the codec routes from a browser */
  codecCorsOrigins: string[];
  /** `npm start` only: port of the credential-free loopback codec server the Temporal dev UI decodes through */
  devCodecPort: number;
  /** anomaly detection (docs/ANALYTICS.md): windows, baselines and thresholds; ANOMALY_PARAMS (JSON) overrides any */
  anomaly: AnomalyParams;
  /** notices to end users: the outbox drain (activities/delivery.ts) */
  delivery: {
    /** false: this process does not drain the outbox (DELIVERY_DRAIN=off) */
    drain: boolean;
    /** where links in notices point (the API's public address) */
    publicUrl: string;
    /** smtp://host:port of the mail relay; unset: e-mail is skipped ("no mail relay") */
    smtpUrl?: string;
    /**
     * the relay's HTTP API that can say whether it accepted a Message-ID (Mailpit's; MAIL_LOOKUP_URL, `npm start`
     * and `npm test` set it to their Mailpit): asked before re-sending an e-mail whose earlier attempt was cut off
     * after the hand-over. Unset: such an e-mail goes again with the same Message-ID.
     */
    mailLookupUrl?: string;
    mailFrom: string;
    /** idle wait between polls of the outbox */
    pollMs: number;
    /** retry backoff: base × 2^(attempt-1), at most max */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** a notice still undelivered after this long is given up (failed) */
    maxAgeMs: number;
    /** the estimated handling time when a SOP type and group have too few closed tickets */
    defaultEstimateMs: number;
    /** a rating at or below this starts a review */
    reviewThreshold: number;
    /** a live message stream's safety-net re-read while LISTEN/NOTIFY wakes it (MESSAGE_STREAM_POLL_MS); 250 ms without LISTEN */
    streamPollMs: number;
  };
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
      uiUrl: str('TEMPORAL_UI_URL', `http://127.0.0.1:${int('TEMPORAL_UI_PORT', 8233)}`).replace(/\/$/, ''),
    },
    api: {
      host: str('HOST', '127.0.0.1'),
      port: int('PORT', 3000),
      intakeWaitMs: int('INTAKE_WAIT_MS', 10_000),
      bodyLimitBytes: int('BODY_LIMIT_BYTES', 64 * 1024),
      intakeMaxInFlight: int('INTAKE_MAX_IN_FLIGHT', 32),
      shutdownDelayMs: int('SHUTDOWN_DELAY_MS', 5_000),
    },
    worker: {
      roles: workerRoles(str('WORKER_ROLES', 'tickets,classify')),
      classifyConcurrency: int('CLASSIFY_CONCURRENCY', 2),
      reconcileEvery: str('RECONCILE_EVERY', '5 minutes'),
      anomalyEvery: str('ANOMALY_EVERY', '5 minutes'),
      metricsAddress: str('WORKER_METRICS_ADDRESS'),
      deployment: str('WORKER_BUILD_ID') ? { name: str('WORKER_DEPLOYMENT_NAME', 'ticketflow'), buildId: str('WORKER_BUILD_ID')! } : undefined,
    },
    sandbox: { host: str('SANDBOX_HOST', '127.0.0.1'), port: int('SANDBOX_PORT', 3100) },
    orderApiUrl: str('ORDER_API_URL'),
    financeApiUrl: str('FINANCE_API_URL'),
    smsApiUrl: str('SMS_API_URL'),
    userApiUrl: str('USER_API_URL'),
    sopPolicyOverrides: loadSopPolicyOverrides(),
    onCallPhones: JSON.parse(str('ONCALL_PHONES', '{"safety_group":"13800000110","tech_team":"13800000120","supervisor_group":"13800000130"}')),
    credentials: { adminToken: str('ADMIN_TOKEN'), userTokenSecret: str('USER_TOKEN_SECRET') },
    production: str('NODE_ENV') === 'production',
    sessionTtlMs: int('SESSION_TTL_MS', 12 * 60 * 60 * 1000),
    pagerWindowMs: int('PAGER_WINDOW_MS', 30_000),
    dispatchEveryMs: int('DISPATCH_EVERY_MS', 2_000),
    rateLimit: { windowMs: int('RATE_LIMIT_WINDOW_MS', 60_000), ipMax: int('RATE_LIMIT_IP_MAX', 6_000), credentialMax: int('RATE_LIMIT_CREDENTIAL_MAX', 3_000) },
    codecCorsOrigins: str('CODEC_CORS_ORIGINS', 'http://127.0.0.1:8233,http://localhost:8233').split(',').map((o) => o.trim()).filter(Boolean),
    payloadKeys: parsePayloadKeys(str('PAYLOAD_KEYS'), str('PAYLOAD_KEY_ID')),
    devCodecPort: int('CODEC_PORT', 8234),
    anomaly: anomalyParams(),
    delivery: {
      drain: str('DELIVERY_DRAIN', 'on') !== 'off',
      publicUrl: str('PUBLIC_URL', `http://${str('HOST', '127.0.0.1') === '0.0.0.0' ? '127.0.0.1' : str('HOST', '127.0.0.1')}:${int('PORT', 3000)}`).replace(/\/$/, ''),
      smtpUrl: str('SMTP_URL'),
      mailLookupUrl: str('MAIL_LOOKUP_URL'),
      mailFrom: str('MAIL_FROM', 'service@ticketflow.local'),
      pollMs: int('DELIVERY_POLL_MS', 500),
      backoffBaseMs: int('DELIVERY_BACKOFF_BASE_MS', 5_000),
      backoffMaxMs: int('DELIVERY_BACKOFF_MAX_MS', 5 * 60_000),
      maxAgeMs: int('DELIVERY_MAX_AGE_MS', 48 * 3_600_000),
      defaultEstimateMs: int('DEFAULT_ESTIMATE_MS', 2 * 3_600_000),
      reviewThreshold: int('REVIEW_THRESHOLD', 2),
      streamPollMs: int('MESSAGE_STREAM_POLL_MS', 5_000),
    },
  };
}
