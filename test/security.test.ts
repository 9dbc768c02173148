// Rate limits (per IP for everyone, per credential for callers that send one; /healthz exempt) and
// security headers with a Content-Security-Policy on every page.
import test from 'ava';
import { authHeaders } from './helpers/credentials';
import { startTestStack, type TestStack } from './helpers/stack';

const IP_MAX = 6;
const CREDENTIAL_MAX = 3;
let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false, rateLimit: { ipMax: IP_MAX, credentialMax: CREDENTIAL_MAX, windowMs: 60_000 } });
});
test.after.always(async () => {
  await stack?.close();
});

const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) => stack.app.inject({ method: 'GET', url, remoteAddress, headers });

test('one address gets its quota, then 429 with Retry-After and the usual error body; other addresses are unaffected', async (t) => {
  for (let i = 0; i < IP_MAX; i++) t.is((await get('/v1/sops', '10.0.1.1')).statusCode, 200, `request ${i + 1}`);
  const refused = await get('/v1/sops', '10.0.1.1');
  t.is(refused.statusCode, 429);
  t.true(Number(refused.headers['retry-after']) > 0);
  t.like(refused.json(), { error: 'rate_limited' });
  t.regex(refused.json().message, /at most 6 per 60 s from one address; retry after \d+ s/);
  t.is((await get('/v1/sops', '10.0.1.2')).statusCode, 200);
});

test('/healthz and /readyz are never limited', async (t) => {
  for (const probe of ['/healthz', '/readyz']) {
    const statuses = new Set<number>();
    for (let i = 0; i < IP_MAX * 2; i++) statuses.add((await get(probe, '10.0.2.1')).statusCode);
    t.deepEqual([...statuses], [200], probe);
  }
});

test('a credential is limited on its own, from whichever address it comes; another credential is not', async (t) => {
  const a = { authorization: 'Bearer credential-a-0123456789abcdef0123456789' };
  for (let i = 0; i < CREDENTIAL_MAX; i++) t.is((await get('/v1/sops', `10.0.3.${i}`, a)).statusCode, 200);
  const refused = await get('/v1/sops', '10.0.3.99', a);
  t.is(refused.statusCode, 429);
  t.true(Number(refused.headers['retry-after']) > 0);
  t.regex(refused.json().message, /for one credential/);
  t.is((await get('/v1/sops', '10.0.3.99', { authorization: 'Bearer credential-b-0123456789abcdef0123456789' })).statusCode, 200);
});

test('every page and answer carries security headers; pages may run only their own scripts', async (t) => {
  for (const url of ['/designer', '/docs/static/index.html', '/v1/sops', '/no-such-route']) {
    const response = await get(url, '10.0.4.1');
    t.is(response.headers['x-content-type-options'], 'nosniff', url);
    t.is(response.headers['x-frame-options'], 'SAMEORIGIN', url);
    const csp = String(response.headers['content-security-policy']);
    t.regex(csp, /default-src 'self'/, url);
    t.regex(csp, /script-src 'self';/, url);
    t.regex(csp, /frame-ancestors 'none'/, url);
    t.regex(csp, /object-src 'none'/, url);
  }
});

test('NUL characters and lone surrogates in paths, queries and bodies are refused or handled, never a 500', async (t) => {
  const at = (n: number) => `10.0.5.${n}`;
  // authenticated: input is checked after the credential (without one, 401 comes first)
  const auth = () => authHeaders(stack.auth.service);
  const nulPath = await stack.app.inject({ method: 'GET', url: '/v1/tickets/%00', remoteAddress: at(1), headers: auth() });
  t.is(nulPath.statusCode, 400);
  t.like(nulPath.json(), { error: 'validation_failed', fields: [{ field: 'id', reason: 'must not contain NUL characters' }] });
  const nulBody = await stack.app.inject({ method: 'POST', url: '/v1/classify', remoteAddress: at(2), headers: auth(), payload: { text: '司机\u0000迟到', userId: 'U-1' } });
  t.is(nulBody.statusCode, 400);
  t.like(nulBody.json(), { fields: [{ field: 'text' }] });
  for (const url of ['/v1/tickets/%ed%a0%80', '/v1/sops/%ed%a0%80/versions', '/v1/requests/%ff%fe']) {
    t.true((await stack.app.inject({ method: 'GET', url, remoteAddress: at(3), headers: auth() })).statusCode < 500, url);
  }
  const surrogate = await stack.app.inject({ method: 'POST', url: '/v1/classify', remoteAddress: at(4), headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"text":"迟到\\ud800了","userId":"U-\\udfff"}' });
  t.true(surrogate.statusCode < 500, surrogate.body);
});
