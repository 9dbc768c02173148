// Personal data stays out of ticket events: the masking functions, and a real ticket whose order
// carries a phone number and addresses and whose solution issues a coupon code.
import test from 'ava';
import { eq } from 'drizzle-orm';
import { maskText, withoutPersonalData } from '../domain/personal-data';
import { ticketEvents, tickets } from '../schema';
import { startTestStack, type TestStack } from './helpers/stack';
import { confirm, orderOf, postTicket, waitForStatus } from './helpers/tickets';

test('phone numbers and e-mail addresses in free text are masked, other numbers are not', (t) => {
  t.is(maskText('请回电 13812345678 或 +86 139-0000-1111?'), '请回电 138****5678 或 139****1111?');
  t.is(maskText('call +8613912345678 now'), 'call 139****5678 now');
  t.is(maskText('mail zhang.wei@example.com.cn please'), 'mail z***@example.com.cn please');
  t.is(maskText('order ORD-100010 at 1764627000000, 2500 fen'), 'order ORD-100010 at 1764627000000, 2500 fen');
  // ids that happen to hold eleven digits stay whole
  t.is(maskText('ticket 7f3c2a10-1d2e-4f00-8a1b-a13812345678, coupon CPN13812345678'), 'ticket 7f3c2a10-1d2e-4f00-8a1b-a13812345678, coupon CPN13812345678');
  t.is(maskText('请回电13812345678谢谢'), '请回电138****5678谢谢');
});

test('known personal fields are dropped or masked at every depth, the rest kept, the input untouched', (t) => {
  const input = {
    result: {
      id: 'ORD-1',
      userPhone: '13812345678',
      origin: { city: '上海', district: '浦东', address: '世纪大道 100 号' },
      payments: [{ id: 'P1', amount: 100 }],
      contact: { email: 'a.b@example.com', phone: '+44 20 7946 0958' },
    },
    applied: { couponId: 'CP-1', couponCode: 'TF-SECRET-1', amountFen: 500 },
    note: '用户电话 13812345678',
  };
  const copy = structuredClone(input);
  t.deepEqual(withoutPersonalData(input), {
    result: {
      id: 'ORD-1',
      userPhone: '138****5678',
      origin: { city: '上海', district: '浦东' },
      payments: [{ id: 'P1', amount: 100 }],
      contact: { email: 'a***@example.com', phone: '************0958' },
    },
    applied: { couponId: 'CP-1', amountFen: 500 },
    note: '用户电话 138****5678',
  });
  t.deepEqual(input, copy);
});

test('a "__proto__" key stays a plain field and pollutes nothing', (t) => {
  const hostile = JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}');
  const clean = withoutPersonalData(hostile) as Record<string, unknown>;
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(Object.getPrototypeOf(clean), Object.prototype);
  t.deepEqual(Object.keys(clean), ['__proto__', 'a']);
  t.is((clean as { polluted?: unknown }).polluted, undefined);
});

test.serial('a real ticket: the order’s phone and addresses and the coupon code never reach ticket events or the resolution', async (t) => {
  const stack: TestStack = await startTestStack();
  t.teardown(() => stack.close());
  const order = await orderOf(stack, 'late_arrival', (o) => Boolean(o.userPhone));
  const created = await postTicket(stack, { text: '司机迟到了很久,耽误了我的事', orderId: order.id, userId: order.userId });
  const ticketId: string = created.body.tickets[0].id;
  await waitForStatus(stack, ticketId, 'awaiting_confirmation');
  t.is((await confirm(stack, ticketId, { accepted: true, comment: '好的,有问题打我电话 13698765432' })).status, 202);
  await waitForStatus(stack, ticketId, 'closed');
  const [coupon] = await stack.finance.listCoupons({ ticketId });
  // a real code (the checks below look for it), issued to this ticket
  t.regex(coupon?.code ?? '', /^CPN-[A-Z2-9]{6}$/);

  const rows = await stack.db.select({ data: ticketEvents.data }).from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
  const [ticketRow] = await stack.db.select({ resolution: tickets.resolution }).from(tickets).where(eq(tickets.id, ticketId));
  const stored = JSON.stringify({ events: rows.map((r) => r.data), resolution: ticketRow!.resolution });
  // the events are there (the order was fetched, the coupon applied) ...
  t.true(stored.includes(order.id));
  t.true(stored.includes(coupon!.id));
  // ... without the personal parts
  t.false(stored.includes(order.userPhone!), 'phone number');
  t.true(stored.includes(`${order.userPhone!.slice(0, 3)}****${order.userPhone!.slice(-4)}`), 'masked phone');
  t.false(stored.includes(order.origin.address), 'origin address');
  t.false(stored.includes(order.destination.address), 'destination address');
  t.false(stored.includes(coupon!.code), 'coupon code');
  t.false(stored.includes('13698765432'), 'phone in the user’s comment');
});
