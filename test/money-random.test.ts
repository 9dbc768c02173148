// Randomised: short sequences of tickets (the owner's and a stranger's, late-arrival and fee disputes),
// confirmations, rejections, concurrent confirmations, agent decisions, reopens, finance faults and worker restarts
// against the real stack with millisecond timers. After every step the order's ledger stays within what the policy allows.
import test from 'ava';
import fc from 'fast-check';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { activitiesFromConfig, createClassifyWorker, createTicketWorker } from '../worker';
import { driverLateMinutes } from '../domain/fee-dispute';
import { allowanceFen, capturedFen, lateCompensationFen } from '../domain/money-policy';
import type { Order, OrderScenario } from '../integrations/types';
import { loadDefaultSops } from '../sops/load';
import { decide } from './helpers/flows';
import { armFinanceFaults, clearFinanceFaults, ledgerOf, orderDealer, settle, strangerTo } from './helpers/money';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, postTicket, reopen } from './helpers/tickets';

const RUNS = 8;

let stack: TestStack;
let connection: NativeConnection;
let worker: { instances: Worker[]; run: Promise<unknown> } | null = null;

/** This file runs its own workers (tickets, and classification on its own queue) so a sequence can restart them (workflows then replay from history). */
async function startWorker() {
  const activities = activitiesFromConfig(stack.config, stack.db, stack.client);
  const common = { connection, namespace: stack.config.temporal.namespace, taskQueue: stack.config.temporal.taskQueue, activities, dataConverter: stack.dataConverter };
  const instances = [
    await createTicketWorker({ ...common, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH }),
    await createClassifyWorker({ ...common, maxConcurrent: stack.config.worker.classifyConcurrency }),
  ];
  worker = { instances, run: Promise.all(instances.map((w) => w.run())) };
}

async function stopWorker() {
  if (!worker) return;
  for (const w of worker.instances) w.shutdown();
  await worker.run;
  worker = null;
}

test.before(async () => {
  stack = await startTestStack({ worker: false, policy: { confirmationTimeout: 1_500, reopenWindow: 2_000 } });
  connection = await NativeConnection.connect({ address: stack.config.temporal.address });
  await startWorker();
});
test.after.always(async () => {
  await stopWorker();
  await connection?.close();
  await stack?.close();
});

const freshOrder = orderDealer(() => stack);
const policyOf = (type: string) => loadDefaultSops().find((d) => d.type === type)!.policy as Record<string, number>;
const latePolicy = policyOf('late_arrival');
const feePolicy = policyOf('fee_dispute');

const FEE_TEXT: Record<string, string> = {
  late_arrival: 'The base fare and distance fee look too high to me, please check',
  wrongful_cross_city_surcharge: '跨城费不合理,同城订单',
  waiting_fee_overcharged: '等候费多收了,我只等了一会儿',
};
const LATE_TEXT = '司机迟到了很久,耽误了我的事';

type Cmd =
  | { t: 'open'; owner: boolean; late: boolean }
  | { t: 'confirm'; i: number; accepted: boolean }
  | { t: 'confirmAll' }
  | { t: 'decide'; i: number; d: number; amountFen: number }
  | { t: 'reopen'; i: number }
  | { t: 'fault'; n: number; mode: 'before' | 'after' }
  | { t: 'restart' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('open' as const), owner: fc.boolean(), late: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('confirm' as const), i: fc.nat(3), accepted: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('confirm' as const), i: fc.nat(3), accepted: fc.constant(true) }) },
  { weight: 2, arbitrary: fc.constant({ t: 'confirmAll' as const }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('decide' as const), i: fc.nat(3), d: fc.nat(3), amountFen: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const), i: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fault' as const), n: fc.integer({ min: 1, max: 2 }), mode: fc.constantFrom('before' as const, 'after' as const) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
);
const scenario = fc.constantFrom<OrderScenario>('late_arrival', 'wrongful_cross_city_surcharge', 'waiting_fee_overcharged');

interface Run {
  order: Order;
  stranger: string;
  tickets: Array<{ id: string; owner: boolean; sopType: string }>;
  /** the largest amount a person decided on an owner's ticket, per cause */
  decided: { overcharge: number; late_arrival: number; goodwill: number };
}

/** The invariant: what the ledger may hold for this order, given the policies and the people's decisions so far. */
async function checkInvariant(run: Run, after: string) {
  const { order } = run;
  const ledger = await ledgerOf(stack, order);
  const late = driverLateMinutes(order);
  const owners = run.tickets.some((x) => x.owner);
  const bound = {
    overcharge: Math.min(capturedFen(order), Math.max(allowanceFen('overcharge', order, {}, 'policy'), run.decided.overcharge)),
    late_arrival: Math.max(lateCompensationFen(late, latePolicy), lateCompensationFen(late, feePolicy), Math.min(order.total, run.decided.late_arrival)),
    goodwill: Math.max(feePolicy.goodwillCouponFen!, Math.min(order.total, run.decided.goodwill)),
  };
  const where = `order ${order.id} after ${after}: ledger ${JSON.stringify(ledger)}, bound ${JSON.stringify(bound)}`;
  if (ledger.couponsToOthers > 0) throw new Error(`a coupon went to someone else than the owner; ${where}`);
  if (!owners && (ledger.refundCount > 0 || ledger.couponCount > 0)) throw new Error(`money moved without a ticket of the owner; ${where}`);
  if (ledger.refundsFen > bound.overcharge) throw new Error(`refunds above the allowance; ${where}`);
  for (const cause of ['late_arrival', 'goodwill'] as const) {
    if (ledger.couponsFen[cause] > bound[cause]) throw new Error(`${cause} coupons above the allowance; ${where}`);
  }
}

async function step(run: Run, c: Cmd): Promise<void> {
  const ticket = 'i' in c ? run.tickets[c.i % Math.max(1, run.tickets.length)] : undefined;
  switch (c.t) {
    case 'open': {
      const text = c.late ? LATE_TEXT : FEE_TEXT[run.order.scenario!]!;
      const created = await postTicket(stack, { text, orderId: run.order.id, userId: c.owner ? run.order.userId : run.stranger });
      if (created.status !== 201) throw new Error(`POST /v1/tickets answered ${created.status}`);
      for (const x of created.body.tickets) run.tickets.push({ id: x.id, owner: c.owner, sopType: x.sopType });
      return;
    }
    case 'confirm':
      if (ticket) await confirm(stack, ticket.id, { accepted: c.accepted });
      return;
    case 'confirmAll':
      await Promise.all(run.tickets.map((x) => confirm(stack, x.id, { accepted: true })));
      return;
    case 'decide': {
      if (!ticket) return;
      const live = await settle(stack, ticket.id);
      if (live.waitingFor?.kind !== 'human_task') return;
      const decision = live.waitingFor.decisions[c.d % live.waitingFor.decisions.length] as string;
      const answer = await decide(stack, ticket.id, { decision, agentId: 'A-random', note: 'random', data: { amountFen: c.amountFen } });
      if (answer.status === 202 && ticket.owner) {
        const cause = decision === 'refund' ? 'overcharge' : decision === 'coupon' ? (ticket.sopType === 'late_arrival' ? 'late_arrival' : 'goodwill') : null;
        if (cause) run.decided[cause] = Math.max(run.decided[cause], c.amountFen);
      }
      return;
    }
    case 'reopen':
      if (ticket) await reopen(stack, ticket.id, { reason: 'not solved' });
      return;
    case 'fault':
      await armFinanceFaults(stack, c.n, c.mode);
      return;
    case 'restart':
      await stopWorker();
      await startWorker();
      return;
  }
}

test('random sequences of tickets, answers, decisions, reopens, faults and worker restarts never move more than the policy allows', async (t) => {
  let sequences = 0;
  let moved = 0;
  await fc.assert(
    fc.asyncProperty(scenario, fc.boolean(), fc.array(cmd, { minLength: 4, maxLength: 9 }), async (kind, ownerFirst, cmds) => {
      const order = await freshOrder(kind);
      const run: Run = { order, stranger: await strangerTo(stack, order), tickets: [], decided: { overcharge: 0, late_arrival: 0, goodwill: 0 } };
      try {
        for (const c of [{ t: 'open', owner: ownerFirst, late: kind === 'late_arrival' } as Cmd, ...cmds]) {
          await step(run, c);
          await Promise.all(run.tickets.map((x) => settle(stack, x.id, 30_000)));
          await checkInvariant(run, JSON.stringify(c));
        }
      } finally {
        await clearFinanceFaults(stack);
      }
      sequences++;
      const ledger = await ledgerOf(stack, order);
      if (ledger.refundCount + ledger.couponCount > 0) moved++;
      t.log(`${order.id} (${kind}): ${[ownerFirst ? 'open:owner' : 'open:stranger', ...cmds.map((c) => c.t)].join(' ')} → refunds ${ledger.refundsFen}, coupons ${JSON.stringify(ledger.couponsFen)}`);
    }),
    { numRuns: RUNS, endOnFailure: true, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
  );
  t.is(sequences, RUNS);
  t.log(`${sequences} sequences, money moved in ${moved}`);
});
