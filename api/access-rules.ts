// The one table of who may call what: scopes of service keys, staff roles, user-token purposes, and
// the rule of every route. The auth plugin enforces it, docs/SECURITY.md prints it and
// test/access-table.test.ts walks it; a route that is not in this table cannot be registered.

/** Scopes an API key may carry. */
export const SCOPES = [
  'tickets:create',
  'tickets:read',
  'tickets:read_pii',
  'tickets:act_for_user',
  'tickets:signal',
  'classify',
  'sops:read',
  'sops:publish',
  'user_tokens:issue',
  'kb:read',
  'kb:write',
  /** reports and monitoring: the metrics API, GET /metrics (Prometheus) and the anomaly alerts */
  'metrics:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export const STAFF_ROLES = ['agent', 'supervisor', 'admin', 'editor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** What a signed user token lets its user do on its one ticket. */
export { USER_TOKEN_PURPOSES as USER_PURPOSES, type UserTokenPurpose as UserPurpose } from '../domain/user-token';
import { USER_TOKEN_PURPOSES as USER_PURPOSES, type UserTokenPurpose as UserPurpose } from '../domain/user-token';

/** Staff roles that see personal data (phone numbers, addresses, coupon codes) unmasked; editors do not. */
export const PII_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'admin'];

export type AccessRule =
  | { public: string }
  | {
      /** services whose key carries this scope */
      scope?: Scope;
      /** staff with one of these roles */
      roles?: readonly StaffRole[];
      /**
       * end users acting on the ticket `:id`: a user token with one of these purposes for that ticket,
       * or a service with `tickets:act_for_user` naming the ticket's user in X-On-Behalf-Of
       */
      user?: readonly UserPurpose[];
      /**
       * end users acting on themselves: `:id` in the path is a user id, and a user token of that user
       * (any purpose) or a service with `tickets:act_for_user` naming them in X-On-Behalf-Of may call
       */
      self?: true;
      /** any authenticated caller (e.g. "who am I") */
      anyCaller?: true;
    };

const DECIDERS = ['agent', 'supervisor', 'admin'] as const;
/** Roles that act for other agents: reassign, decide for the holder, change anyone's profile. */
export const LEAD_ROLES: readonly StaffRole[] = ['supervisor', 'admin'];
const ALL_STAFF = STAFF_ROLES;

/** Every API route, keyed "METHOD /path" exactly as registered. */
export const ROUTE_ACCESS = {
  'GET /healthz': { public: 'liveness probe; tells only ok/degraded' },
  'GET /readyz': { public: 'readiness probe for the load balancer; tells only ready/shutting_down' },
  'GET /metrics': { scope: 'metrics:read', roles: ['admin'] },
  'POST /v1/auth/login': { public: 'exchanges a username and password for a session' },
  'POST /v1/auth/logout': { roles: ALL_STAFF },
  'GET /v1/me': { anyCaller: true },

  'POST /v1/tickets': { scope: 'tickets:create', roles: DECIDERS },
  'GET /v1/requests/:requestId': { scope: 'tickets:create', roles: DECIDERS },
  'GET /v1/tickets/:id': { scope: 'tickets:read', roles: DECIDERS, user: USER_PURPOSES },
  'POST /v1/tickets/:id/confirmation': { user: ['confirm', 'reject'] },
  'POST /v1/tickets/:id/decision': { roles: DECIDERS },
  'POST /v1/tickets/:id/signals/:name': { scope: 'tickets:signal', roles: DECIDERS },
  'POST /v1/tickets/:id/reopen': { roles: DECIDERS, user: ['reopen'] },
  'POST /v1/tickets/:id/rating': { user: ['rate'] },
  'GET /v1/ratings/summary': { roles: DECIDERS },
  'POST /v1/tickets/:id/user-tokens': { scope: 'user_tokens:issue' },

  'GET /v1/users/:id/messages': { roles: DECIDERS, self: true },
  'GET /v1/users/:id/messages/stream': { roles: DECIDERS, self: true },
  'GET /v1/users/:id/preferences': { roles: DECIDERS, self: true },
  'PUT /v1/users/:id/preferences': { roles: DECIDERS, self: true },

  'POST /v1/classify': { scope: 'classify', roles: ALL_STAFF },

  'GET /v1/sops': { public: 'published SOPs are process definitions without personal data; the designer reads them before login' },
  'GET /v1/sops/catalog': { public: 'the list of step kinds, actions and signals the designer offers' },
  'GET /v1/sops/:type/versions': { public: 'published SOP versions, read by the designer before login' },
  'GET /v1/sops/:type/versions/:version': { public: 'one published SOP version, read by the designer before login' },
  'POST /v1/sops/validate': { public: 'validates a draft the caller sends; reads and writes nothing' },
  'POST /v1/sops/:type/versions': { scope: 'sops:publish', roles: ['editor', 'admin'] },

  'POST /v1/api-keys': { roles: ['admin'] },
  'GET /v1/api-keys': { roles: ['admin'] },
  'DELETE /v1/api-keys/:id': { roles: ['admin'] },
  'POST /v1/staff': { roles: ['admin'] },
  'GET /v1/staff': { roles: ['admin'] },
  'PATCH /v1/staff/:id': { roles: ['admin'] },

  // work distribution (issue 18): agents act for themselves, supervisors and admins for others (checked in the routes)
  'GET /v1/queues/:group': { roles: DECIDERS },
  'PUT /v1/queues/:group/policy': { roles: ['supervisor', 'admin'] },
  'GET /v1/agents': { roles: DECIDERS },
  'GET /v1/agents/:id/tickets': { roles: DECIDERS },
  'POST /v1/agents/:id/next': { roles: DECIDERS },
  'POST /v1/me/next': { roles: DECIDERS },
  'PATCH /v1/agents/:id': { roles: DECIDERS },
  'POST /v1/tickets/:id/assign': { roles: DECIDERS },
  'POST /v1/tickets/:id/release': { roles: DECIDERS },
  'POST /v1/tickets/:id/transfer': { roles: DECIDERS },
  'POST /v1/tickets/:id/escalate': { roles: DECIDERS },
  'POST /v1/tickets/:id/info-request': { roles: DECIDERS },
  'POST /v1/tickets/:id/info': { scope: 'tickets:signal', roles: DECIDERS },
  // the agent console (/console): its settings and the past cases beside a human task
  'GET /v1/console/config': { roles: DECIDERS },
  'GET /v1/tickets/:id/order': { roles: DECIDERS },
  'GET /v1/tickets/:id/similar-cases': { roles: DECIDERS },
  // reports (issue 21): leads and admins, and services (a BI tool) with metrics:read
  'GET /v1/metrics/overview': { scope: 'metrics:read', roles: LEAD_ROLES },
  'GET /v1/metrics/timeseries': { scope: 'metrics:read', roles: LEAD_ROLES },
  'GET /v1/metrics/funnel': { scope: 'metrics:read', roles: LEAD_ROLES },
  'GET /v1/metrics/tickets': { scope: 'metrics:read', roles: LEAD_ROLES },
  'GET /v1/kb/search': { scope: 'kb:read', roles: ALL_STAFF },
  'GET /v1/kb/articles/:id': { scope: 'kb:read', roles: ALL_STAFF },
  'GET /v1/kb/articles/:id/versions': { scope: 'kb:read', roles: ALL_STAFF },
  'POST /v1/kb/articles': { scope: 'kb:write', roles: ['editor', 'admin'] },
  'PUT /v1/kb/articles/:id': { scope: 'kb:write', roles: ['editor', 'admin'] },

  // analytics (issue 21): the anomaly alerts for supervisors and monitoring
  'GET /v1/alerts': { scope: 'metrics:read', roles: LEAD_ROLES },

  'POST /codec/decode': { roles: ['admin'] },
  'POST /codec/encode': { roles: ['admin'] },
  'OPTIONS /codec/*': { public: 'CORS preflight of the codec endpoint (the Temporal UI asks before decoding)' },
} as const satisfies Record<string, AccessRule>;

export type RouteKey = keyof typeof ROUTE_ACCESS;

/** Static pages and API docs: public by prefix (HTML, scripts, the OpenAPI document). */
export const PUBLIC_PREFIXES = ['/docs', '/designer', '/vendor/', '/confirm', '/kb', '/console', '/dashboard', '/shared/'] as const;

export function ruleOf(method: string, url: string): AccessRule | undefined {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  const rule = (ROUTE_ACCESS as Record<string, AccessRule>)[key];
  if (rule) return rule;
  if (PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(p.endsWith('/') ? p : `${p}/`) || url === `${p}*`)) {
    return { public: 'static page, script or API documentation' };
  }
  return undefined;
}

/** The route table as Markdown, printed in docs/SECURITY.md (a test keeps the two equal). */
export function accessTableMarkdown(): string {
  const rows = Object.entries(ROUTE_ACCESS as Record<string, AccessRule>).map(([route, rule]) => {
    if ('public' in rule) return `| \`${route}\` | public: ${rule.public} | | |`;
    if ('anyCaller' in rule) return `| \`${route}\` | any key | any role | any user token |`;
    const services = rule.scope ? `\`${rule.scope}\`` : '—';
    const staffRoles = rule.roles?.length ? rule.roles.join(', ') : '—';
    const users = rule.user?.length
      ? `token for ${rule.user.join('/')} of this ticket; or a key with \`tickets:act_for_user\` + \`X-On-Behalf-Of: <ticket's user>\``
      : 'self' in rule && rule.self
        ? "any token of this user; or a key with `tickets:act_for_user` + `X-On-Behalf-Of: <this user>`"
        : '—';
    return `| \`${route}\` | ${services} | ${staffRoles} | ${users} |`;
  });
  return ['| Route | Service key scope | Staff roles | End user |', '|---|---|---|---|', ...rows].join('\n');
}
