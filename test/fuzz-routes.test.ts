// Property-based fuzzing of every route with hostile input: wrong types, huge and deeply nested
// values, invalid UTF-8, injection strings, prototype keys. Never a 5xx, never a crash, nothing
// written on a refusal, no prototype polluted. No worker runs: nothing writes behind the API's back.
import test from 'ava';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { intakeRequests, kbArticles, sopVersions, ticketEvents, tickets } from '../schema';
import { adminHeaders } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';

/** The one credential the fuzzer uses for admin-only routes (the access work swaps it in helpers/credentials). */
const credential = (s: TestStack) => adminHeaders(s);

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false, intakeWaitMs: 50 });
});
test.after.always(async () => {
  await stack?.close();
});

const INJECTIONS = [
  "'; DROP TABLE tickets; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '\u0000',
  '${jndi:ldap://example.invalid/a}',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  'constructor',
  'prototype',
  '\ud800',
  '\u202e\u0000\uffff',
  'a'.repeat(70_000),
];

const hostileString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom(...INJECTIONS));
const nested = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : depth % 2 ? [nested(depth - 1, leaf)] : { a: nested(depth - 1, leaf) });
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.anything({ maxDepth: 4 }),
  fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}),
  fc.constantFrom(nested(200, 'deep'), nested(2_000, 1), Array.from({ length: 5_000 }, (_, i) => i)),
);

/** Raw JSON texts the generators cannot express: own prototype keys, nesting past JSON.parse, broken JSON. */
const RAW_BODIES: Array<string | Buffer> = [
  '{"__proto__":{"polluted":"yes"},"text":"x","userId":"u","channel":"app"}',
  '{"constructor":{"prototype":{"polluted":"yes"}},"document":{"__proto__":{"polluted":"yes"}}}',
  '{"payload":{"__proto__":{"polluted":"yes"}},"accepted":true,"decision":"x","agentId":"a","reason":"r"}',
  '{"document":{"type":"x","steps":{"__proto__":{"kind":"close"},"constructor":{"kind":"close"}}}}',
  '['.repeat(20_000) + ']'.repeat(20_000),
  '{"a":' .repeat(20_000) + '1' + '}'.repeat(20_000),
  '{"text": "unterminated',
  'not json at all',
  Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('","userId":"u","channel":"app"}')]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
];

const hostileBody = fc.oneof(
  { weight: 3, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 3, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('text', 'userId', 'channel', 'document', 'payloads', 'accepted', 'decision', 'agentId', 'reason', 'payload', 'orderId', 'language', 'to', 'question', 'answer'), fc.string()), hostileValue).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined);

/** Every route, with where hostile values go. `id` is a hostile path segment. */
const routes: Array<{ method: 'GET' | 'POST' | 'PUT'; path: (id: string) => string; admin?: boolean }> = [
  { method: 'POST', path: () => '/v1/tickets' },
  { method: 'GET', path: (id) => `/v1/tickets/${id}` },
  { method: 'GET', path: (id) => `/v1/requests/${id}` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/confirmation` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/decision` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/signals/${id}` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/signals/evidence_uploaded` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/reopen` },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/rating` },
  { method: 'GET', path: (id) => `/v1/users/${id}/messages`, admin: true },
  { method: 'GET', path: (id) => `/v1/users/${id}/preferences`, admin: true },
  { method: 'GET', path: (id) => `/confirm/${id}` },
  { method: 'GET', path: (id) => `/shared/${id}` },
  { method: 'POST', path: () => '/v1/classify' },
  { method: 'GET', path: () => '/v1/sops' },
  { method: 'GET', path: () => '/v1/sops/catalog' },
  { method: 'GET', path: (id) => `/v1/sops/${id}/versions` },
  { method: 'GET', path: (id) => `/v1/sops/fee_dispute/versions/${id}` },
  { method: 'POST', path: () => '/v1/sops/validate' },
  { method: 'POST', path: (id) => `/v1/sops/${id}/versions`, admin: true },
  { method: 'POST', path: () => '/v1/sops/fee_dispute/versions', admin: true },
  { method: 'POST', path: () => '/v1/sops/fee_dispute/versions' },
  { method: 'POST', path: () => '/codec/decode', admin: true },
  { method: 'POST', path: () => '/codec/encode', admin: true },
  { method: 'GET', path: (id) => `/designer/${id}` },
  { method: 'GET', path: (id) => `/vendor/yaml/${id}` },
  { method: 'GET', path: () => '/healthz' },
  // work distribution (staff only: the admin credential reaches the handlers)
  { method: 'GET', path: (id) => `/v1/queues/${id}`, admin: true },
  { method: 'GET', path: () => '/v1/queues/general_group', admin: true },
  { method: 'GET', path: (id) => `/v1/agents/${id}/tickets`, admin: true },
  { method: 'POST', path: (id) => `/v1/agents/${id}/next`, admin: true },
  { method: 'POST', path: () => '/v1/me/next', admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/assign`, admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/release`, admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/transfer`, admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/info-request`, admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/escalate`, admin: true },
  { method: 'POST', path: (id) => `/v1/tickets/${id}/info`, admin: true },
  { method: 'GET', path: (id) => `/v1/tickets/${id}/similar-cases?limit=${id}`, admin: true },
  { method: 'GET', path: () => '/v1/console/config', admin: true },
  { method: 'GET', path: (id) => `/v1/tickets/${id}/order`, admin: true },
  { method: 'GET', path: (id) => `/console/${id}` },
  { method: 'GET', path: (id) => `/v1/kb/search?q=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/kb/search?q=fee&kind=${id}&lang=${id}&limit=${id}&at=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/kb/articles/${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/kb/articles/${id}/versions`, admin: true },
  { method: 'POST', path: () => '/v1/kb/articles', admin: true },
  { method: 'PUT', path: (id) => `/v1/kb/articles/${id}`, admin: true },
  { method: 'PUT', path: () => '/v1/kb/articles/fare-night-en', admin: true },
  { method: 'GET', path: (id) => `/v1/alerts?state=${id}`, admin: true },
  // reports: hostile query values
  { method: 'GET', path: (id) => `/v1/metrics/overview?from=${id}&type=${id}&region=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/metrics/overview?to=${id}&format=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/metrics/timeseries?by=${id}&interval=${id}&appVersion=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/metrics/funnel?sop=${id}&versions=${id}&channel=${id}`, admin: true },
  { method: 'GET', path: (id) => `/v1/metrics/funnel?sop=fee_dispute&version=${id}&format=csv`, admin: true },
  { method: 'GET', path: (id) => `/v1/metrics/tickets?group=${id}&category=${id}&format=csv`, admin: true },
  { method: 'GET', path: (id) => `/dashboard/${id}` },
];

async function rowCounts() {
  const count = async (table: typeof tickets | typeof ticketEvents | typeof intakeRequests | typeof sopVersions | typeof kbArticles) => (await stack.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
  return { tickets: await count(tickets), events: await count(ticketEvents), requests: await count(intakeRequests), sops: await count(sopVersions), kb: await count(kbArticles) };
}

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on lone surrogates). */
const percentEncode = (s: string) => Array.from(Buffer.from(s, 'utf8'), (b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

const pathSegment = fc.oneof(hostileString.map((s) => percentEncode(s.slice(0, 2_000))), fc.constantFrom('..%2f..%2fpackage.json', '%2e%2e/%2e%2e/package.json', '%00', '%ff%fe', 'latest', '0', '-1', '99999999999999999999'));

// serial: both tests compare row counts before and after a request, so one must not write while the other measures
test.serial('no route answers 5xx, writes on a refusal, or lets a prototype be polluted, whatever it is sent', async (t) => {
  const seen = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.nat(routes.length - 1), pathSegment, hostileBody, contentType, hostileString, async (index, id, body, type, idempotencyKey) => {
      const route = routes[index]!;
      const headers: Record<string, string> = { ...(route.admin ? credential(stack) : {}), ...(type ? { 'content-type': type } : {}) };
      if (route.path(id) === '/v1/tickets') headers['idempotency-key'] = percentEncode(idempotencyKey.slice(0, 300));
      const request: InjectOptions = { method: route.method, url: route.path(id), headers, ...(route.method !== 'GET' ? { payload: body } : {}) };
      const before = await rowCounts();
      const response = await stack.app.inject(request);
      const status = response.statusCode;
      seen.set(`${status}`, (seen.get(`${status}`) ?? 0) + 1);
      if (status >= 500) throw new Error(`${route.method} ${request.url} → ${status}: ${response.body.slice(0, 300)}`);
      if (status >= 400) {
        t.deepEqual(await rowCounts(), before, `${route.method} ${request.url} refused with ${status} but wrote`);
        if (String(response.headers['content-type']).includes('json')) t.truthy(response.json().error, `${status} has an error code`);
      }
      t.is(({} as Record<string, unknown>).polluted, undefined);
    }),
    { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
  );
  // the refusals were real refusals, across kinds
  t.true([...seen.keys()].some((s) => s === '400'), JSON.stringify([...seen]));
  t.true([...seen.keys()].some((s) => s === '404'), JSON.stringify([...seen]));
  // still serving
  t.is((await stack.app.inject({ method: 'GET', url: '/v1/sops/catalog' })).statusCode, 200);
});

test.serial('each raw hostile body on each body-taking route: no 5xx, nothing written', async (t) => {
  for (const route of routes.filter((r) => r.method === 'POST')) {
    for (const body of RAW_BODIES) {
      const headers = { ...(route.admin ? credential(stack) : {}), 'content-type': 'application/json' };
      const before = await rowCounts();
      const response = await stack.app.inject({ method: 'POST', url: route.path('T-unknown'), headers, payload: body });
      t.true(response.statusCode < 500, `${route.path('T-unknown')} ${String(body).slice(0, 40)} → ${response.statusCode} ${response.body.slice(0, 200)}`);
      if (response.statusCode >= 400) t.deepEqual(await rowCounts(), before);
    }
  }
  t.is(({} as Record<string, unknown>).polluted, undefined);
});
