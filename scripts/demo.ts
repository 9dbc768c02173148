// `npm run demo -- --tickets N --days D`: a living helpdesk for the dashboard, minutes after `npm start`.
// Simulated users send feedback (real sandbox orders, regions, app versions, channels) with the daily curve
// of arrivals played in compressed time (each simulated day lasts --day-seconds); simulated agents of the
// development team log in and decide their human tasks; users confirm or reject proposals and rate closed
// tickets. Everything goes through the running API and its workflows: nothing is written to the database.
// Reads the credentials `npm start` keeps in DATA_DIR (credentials.json, dev-team.json).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { RATING_REASONS } from '../domain/ratings';
import { Prng } from '../sandbox/prng';
import { loadAt } from '../sandbox/traffic';
import { DEV_TEAM } from './dev-team';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '200' },
    days: { type: 'string', default: '3' },
    'day-seconds': { type: 'string', default: '60' },
    url: { type: 'string' },
    'sandbox-url': { type: 'string' },
    'data-dir': { type: 'string' },
    concurrency: { type: 'string', default: '12' },
    seed: { type: 'string', default: '7' },
    /** how long one ticket's life is followed before the demo gives up on it */
    'ticket-timeout-seconds': { type: 'string', default: '120' },
  },
});

const config = loadConfig();
const apiUrl = (values.url ?? `http://127.0.0.1:${config.api.port}`).replace(/\/$/, '');
const orderUrl = (values['sandbox-url'] ?? config.orderApiUrl ?? `http://127.0.0.1:${config.sandbox.port}/order`).replace(/\/$/, '');
const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : config.dataDir;
const total = Number(values.tickets);
const days = Number(values.days);
const daySeconds = Number(values['day-seconds']);
const concurrency = Number(values.concurrency);
const ticketTimeoutMs = Number(values['ticket-timeout-seconds']) * 1000;
const rng = new Prng(Number(values.seed));

function readJson<T>(file: string, what: string): T {
  if (!fs.existsSync(file)) throw new Error(`${file} not found: start the system with \`npm start\` first (it writes ${what})`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
const credentials = readJson<{ serviceKey?: string; adminToken: string }>(path.join(dataDir, 'credentials.json'), 'the development credentials');
const team = readJson<{ password: string }>(path.join(dataDir, 'dev-team.json'), 'the development team');
if (!credentials.serviceKey) throw new Error('credentials.json has no serviceKey: restart `npm start` once to create it');
const serviceKey = credentials.serviceKey;

// ---- HTTP ----
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${status} ${JSON.stringify(body)}`);
  }
}
async function call<T = any>(method: string, url: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url.startsWith('http') ? url : `${apiUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed as T;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the cast ----
const sessions = new Map<string, Promise<string>>();
/** A development-team member's session (logged in once). */
function sessionOf(staffId: string): Promise<string> {
  if (!sessions.has(staffId)) sessions.set(staffId, call<{ token: string }>('POST', '/v1/auth/login', null, { username: staffId.toLowerCase(), password: team.password }).then((r) => r.token));
  return sessions.get(staffId)!;
}
const membersOf = (group: string) => DEV_TEAM.filter((m) => m.role !== 'admin' && m.groups.includes(group) && m.status !== 'offline').map((m) => m.id);
const SUPERVISOR = 'S2001';

const REGIONS = ['hangzhou', 'shanghai', 'beijing', 'shenzhen', 'chengdu'];
const VERSIONS = ['5.1.0', '5.2.0', '5.2.1'];
const CHANNELS = ['app', 'app', 'app', 'web', 'phone', 'sms', 'email'];
const weighted = <T>(items: Array<[T, number]>): T => {
  let r = rng.next() * items.reduce((s, [, w]) => s + w, 0);
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[0]![0];
};

/** What a user writes about an order of each sandbox scenario. */
const TEXTS: Record<string, string[]> = {
  waiting_fee_overcharged: ['等候费多收了,我只等了25分钟', 'I was charged a waiting fee but the driver only waited 10 minutes'],
  wrongful_cross_city_surcharge: ['没有跨城为什么收了跨城附加费', 'Why was I charged a cross-city surcharge? The trip stayed in the city'],
  double_charged_toll: ['过路费收了两次', 'The toll was charged twice on my bill'],
  double_payment: ['我付了两次钱,重复扣款了,请退款', 'I paid twice for the same order, please refund one'],
  late_arrival: ['司机迟到了一个多小时,货物延误了', 'The driver arrived over an hour late and my delivery was delayed'],
  driver_no_show: ['司机一直没来,电话也打不通', 'The driver never showed up and does not answer the phone'],
  cancelled_with_fee: ['我取消订单还被扣了取消费,不合理', 'I cancelled and was still charged a cancellation fee'],
};
const NO_ORDER_TEXTS = ['App打开就闪退,更新后一直这样', 'The app crashes on the payment page', '司机态度很差,还骂人', 'The driver was rude to me', '货物到了发现箱子压坏了', 'How do I change my phone number?'];

interface Order {
  id: string;
  userId: string;
  scenario: string;
}
async function loadOrders(): Promise<Order[]> {
  const scenarios = await call<Record<string, string[]>>('GET', `${orderUrl}/scenarios?limit=40`, null);
  const ids = Object.entries(scenarios).flatMap(([scenario, list]) => (TEXTS[scenario] ? list.map((id) => ({ id, scenario })) : []));
  const orders: Order[] = [];
  for (const { id, scenario } of ids) {
    const order = await call<{ userId: string }>('GET', `${orderUrl}/orders/${encodeURIComponent(id)}`, null).catch(() => null);
    if (order) orders.push({ id, userId: order.userId, scenario });
  }
  return orders;
}

// ---- what happened, for the progress bar ----
const counts = { created: 0, closed: 0, decisions: 0, confirmed: 0, rejected: 0, signals: 0, rated: 0, gaveUp: 0, errors: 0 };
let lastError = '';
function progress(final = false) {
  const done = counts.closed + counts.gaveUp;
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const line =
    `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round((done / Math.max(1, total)) * 100)).padStart(3)}% ` +
    `sent ${counts.created}/${total} · closed ${counts.closed} · decisions ${counts.decisions} · confirmed ${counts.confirmed} · rejected ${counts.rejected} · rated ${counts.rated}` +
    (counts.errors ? ` · errors ${counts.errors}` : '');
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
  else if (final) process.stderr.write(`${line}\n`);
  return line;
}

/** Data that satisfies a decision's schema: the smallest amount, the first allowed value, a short note. */
function dataFor(schema: Record<string, { type: string; min?: unknown; max?: unknown; enum?: unknown[]; minLength?: number }> | undefined) {
  const data: Record<string, unknown> = {};
  for (const [field, f] of Object.entries(schema ?? {})) {
    if (f.enum?.length) data[field] = f.enum[0];
    else if (f.type === 'integer' || f.type === 'number') data[field] = typeof f.min === 'number' ? Math.max(f.min, 100) : 100;
    else if (f.type === 'boolean') data[field] = true;
    else data[field] = 'demo: handled as agreed with the customer';
  }
  return data;
}

/** One ticket from arrival to rating, as its user and the agents of its groups would act. */
async function live(ticketId: string, userId: string) {
  const until = Date.now() + ticketTimeoutMs;
  let lastActed = '';
  while (Date.now() < until) {
    const { ticket, live } = await call<any>('GET', `/v1/tickets/${ticketId}`, serviceKey);
    if (ticket.status === 'closed') {
      counts.closed++;
      // most users rate; a few unhappy ones rate low with a reason (which opens a QA review)
      if (rng.chance(0.7)) {
        const score = weighted<number>([[5, 45], [4, 30], [3, 12], [2, 8], [1, 5]]);
        const { token } = await call('POST', `/v1/tickets/${ticketId}/user-tokens`, serviceKey, { purpose: 'rate' });
        await call('POST', `/v1/tickets/${ticketId}/rating`, token, { score, ...(score <= 2 ? { reason: rng.pick(RATING_REASONS) } : {}) }).then(
          () => counts.rated++,
          () => undefined, // outside the reopen window: no rating
        );
      }
      return;
    }
    const waiting = live?.waitingFor;
    const marker = `${live?.step}:${JSON.stringify(waiting)}:${live?.holder?.agentId ?? ''}`;
    if (waiting && marker !== lastActed) {
      // people take a moment: a few seconds of compressed time
      await sleep(300 + rng.next() * 1500);
      if (waiting.kind === 'signal' && waiting.signal === 'confirmation') {
        const accepted = rng.chance(0.8);
        const { token } = await call('POST', `/v1/tickets/${ticketId}/user-tokens`, serviceKey, { purpose: accepted ? 'confirm' : 'reject' });
        await call('POST', `/v1/tickets/${ticketId}/confirmation`, token, { accepted, ...(accepted ? {} : { comment: 'still not right' }) });
        accepted ? counts.confirmed++ : counts.rejected++;
      } else if (waiting.kind === 'signal') {
        await call('POST', `/v1/tickets/${ticketId}/signals/${waiting.signal}`, serviceKey, { payload: { note: 'demo: fixed in the next release' } });
        counts.signals++;
      } else if (waiting.kind === 'human_task') {
        await decide(ticketId, waiting, live.holder?.agentId ?? null);
      }
      lastActed = marker;
    }
    await sleep(700);
  }
  counts.gaveUp++;
  void userId;
}

async function decide(ticketId: string, waiting: { group: string; decisions: string[]; data?: Record<string, any> }, holder: string | null) {
  // the holder decides; without one, an on-duty member of the group; a supervisor when a second person must approve
  const candidates = [...new Set([...(holder ? [holder] : []), ...rng.shuffle(membersOf(waiting.group)).slice(0, 2), SUPERVISOR])];
  const decisions = rng.shuffle([...waiting.decisions]);
  for (const agent of candidates) {
    for (const decision of decisions.slice(0, 2)) {
      try {
        await call('POST', `/v1/tickets/${ticketId}/decision`, await sessionOf(agent), { decision, note: 'demo decision', data: dataFor(waiting.data?.[decision]) });
        counts.decisions++;
        return;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
      }
    }
  }
}

async function main() {
  const orders = await loadOrders();
  console.log(`demo: ${total} tickets over ${days} simulated days of ${daySeconds} s each against ${apiUrl} (${orders.length} sandbox orders)`);
  // arrival times: the daily curve of sandbox/traffic.ts, compressed
  const arrivals = Array.from({ length: total }, () => {
    for (;;) {
      const at = rng.next() * days;
      if (rng.next() * 2 < loadAt(at % 1)) return at * daySeconds * 1000;
    }
  }).sort((a, b) => a - b);
  const started = Date.now();
  const timer = setInterval(() => progress(), 500);
  const inFlight = new Set<Promise<void>>();
  for (const [i, offset] of arrivals.entries()) {
    const wait = started + offset - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const order = orders.length && rng.chance(0.7) ? rng.pick(orders) : null;
    const text = order ? rng.pick(TEXTS[order.scenario]!) : rng.pick(NO_ORDER_TEXTS);
    const userId = order?.userId ?? `U-demo-${rng.int(1, 400)}`;
    const body = {
      text,
      userId,
      channel: rng.pick(CHANNELS),
      region: weighted(REGIONS.map((r, k) => [r, 5 - k] as [string, number])),
      appVersion: weighted(VERSIONS.map((v, k) => [v, [3, 5, 2][k]!] as [string, number])),
      ...(order ? { orderId: order.id } : {}),
    };
    const life = (async () => {
      try {
        const created = await call<{ tickets: Array<{ id: string }>; status: string }>('POST', '/v1/tickets', serviceKey, body, { 'idempotency-key': `demo-${values.seed}-${started}-${i}` });
        counts.created++;
        await Promise.all(created.tickets.map((t) => live(t.id, userId)));
      } catch (err) {
        counts.errors++;
        lastError = (err as Error).message;
      }
    })();
    inFlight.add(life);
    void life.finally(() => inFlight.delete(life));
  }
  await Promise.all(inFlight);
  clearInterval(timer);
  progress(true);
  if (lastError) console.log(`last error: ${lastError}`);
  console.log(`open ${apiUrl}/dashboard to see it (${Math.round((Date.now() - started) / 1000)} s)`);
}

await main();
