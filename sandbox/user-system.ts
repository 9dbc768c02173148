// User system sandbox: one profile (tier, phone) per user of the seeded orders, generated once from the seed
// and persisted to dataDir like the other sandbox state.
import type { FastifyInstance } from 'fastify';
import type { Order, UserProfile, UserTier } from '../integrations/types';
import { Prng } from './prng';
import { JsonFileStore } from './store';

interface UserState {
  version: 1;
  users: UserProfile[];
}

const TIERS: UserTier[] = ['standard', 'vip', 'enterprise'];

/** Deterministic: its own PRNG stream, so adding users never changes the generated orders. */
export function generateUsers(orders: Order[], seed: number): UserProfile[] {
  const rng = new Prng(seed ^ 0x5eed);
  const seen = new Map<string, UserProfile>();
  for (const order of orders) {
    if (seen.has(order.userId)) continue;
    const r = rng.next();
    const tier: UserTier = r < 0.75 ? 'standard' : r < 0.93 ? 'vip' : 'enterprise';
    const since = Date.parse('2026-10-01T00:00:00+08:00') - rng.int(30, 2000) * 86_400_000;
    seen.set(order.userId, { id: order.userId, tier, phone: order.userPhone ?? '', email: `${order.userId.toLowerCase()}@users.example.com`, memberSince: new Date(since).toISOString() });
  }
  return [...seen.values()];
}

export class UserDirectory {
  private readonly byId: Map<string, UserProfile>;

  constructor(dataDir: string, generate: () => UserProfile[]) {
    const store = new JsonFileStore<UserState>(dataDir, 'users.json');
    let state = store.load(() => ({ version: 1, users: [] }));
    if (state.users.length === 0) {
      state = { version: 1, users: generate() };
      store.save(state);
    }
    this.byId = new Map(state.users.map((u) => [u.id, u]));
  }

  get(id: string): UserProfile | undefined {
    return this.byId.get(id);
  }

  list(tier?: UserTier): UserProfile[] {
    return [...this.byId.values()].filter((u) => !tier || u.tier === tier);
  }
}

export function userRoutes(users: UserDirectory) {
  return async function (app: FastifyInstance): Promise<void> {
    app.get('/users', async (req, reply) => {
      const { tier } = req.query as { tier?: string };
      if (tier && !TIERS.includes(tier as UserTier)) return reply.code(400).send({ error: 'validation_failed', field: 'tier', reason: `must be one of ${TIERS.join(', ')}` });
      return users.list(tier as UserTier | undefined);
    });
    app.get('/users/:id', async (req, reply) => {
      const { id } = req.params as { id: string };
      const user = users.get(id);
      if (!user) return reply.code(404).send({ error: 'user_not_found', id });
      return user;
    });
  };
}
