// The open ticket's facts: the user's text, classification and priority factors, holder and status (with what it
// waits for: status-notes.js), the order with
// its fees and payments and the evidence (as the ticket's steps read them: GET /v1/tickets/:id/order; the events'
// summaries when that has nothing), the refunds and coupons its steps paid, and the link to its workflow in the Temporal UI.
import { $, h } from '/shared/dom.js';
import { yuan } from '/shared/i18n.js';
import { i18n, localized, statusBadge, tf } from './i18n.js';
import { currentStep, state } from './state.js';
import { statusNotes } from './status-notes.js';

const PAYMENT_ACTIONS = ['applySolution', 'issueRefund', 'issueCoupon'];
const EVIDENCE_ACTIONS = ['collectEvidence'];

/** each completed action step's result, with the action's name (from the step's `entered` event) */
export function actionResults(events) {
  const actionOf = new Map();
  const out = [];
  for (const e of events) {
    if (e.kind === 'entered' && e.data?.action) actionOf.set(e.step, e.data.action);
    if (e.kind === 'completed' && actionOf.has(e.step)) out.push({ action: actionOf.get(e.step), step: e.step, result: e.data?.result ?? null, at: e.at });
  }
  return out;
}

const field = (label, value, testid) => h('div', { class: 'field' }, h('span', { class: 'label' }, label), h('span', { class: 'value', 'data-testid': testid }, value ?? '—'));
const money = (v) => (typeof v === 'number' ? yuan(v) : '—');

const feeLabel = (f) => (i18n.lang === 'zh' ? f.labelZh ?? f.label ?? f.code : f.label ?? f.code);

function orderPanel(ticket, results) {
  const box = h('section', { class: 'card', 'data-testid': 'order' }, h('h3', {}, i18n.t('order')));
  if (!ticket.orderId) return box.append(h('p', { class: 'muted' }, i18n.t('noOrder'))), box;
  const order = state.order?.order ?? results.filter((r) => r.action === 'fetchOrder').at(-1)?.result;
  box.append(field('ID', ticket.orderId, 'order-id'));
  if (!order) return box.append(h('p', { class: 'muted' }, i18n.t('orderNotFetched'))), box;
  box.append(h('div', { class: 'fields' }, [['status', 'orderStatus'], ['vehicleType', 'vehicleType'], ['distanceKm', 'distanceKm']].filter(([k]) => order[k] !== undefined).map(([k, label]) => field(i18n.t(label), String(order[k])))));
  if (Array.isArray(order.fees)) {
    box.append(
      h('h4', {}, i18n.t('fees')),
      h('table', { class: 'fees', 'data-testid': 'fees' }, order.fees.map((f) => h('tr', { 'data-testid': `fee-${f.code}` }, h('td', {}, feeLabel(f)), h('td', { class: 'muted' }, f.detail ?? ''), h('td', { class: 'num' }, money(f.amount))))),
    );
  }
  if (order.total !== undefined) box.append(field(i18n.t('total'), money(order.total), 'order-total'));
  const payments = Array.isArray(order.payments) ? order.payments.map((p) => `${p.method} ${money(p.amount)} ${p.status}${p.refundedAmount ? ` (−${money(p.refundedAmount)})` : ''}`) : [];
  // what the ticket's own steps paid (refunds, coupons), from its events
  for (const r of results.filter((x) => PAYMENT_ACTIONS.includes(x.action) && x.result)) {
    const id = r.result.refundId ?? r.result.couponId ?? '';
    payments.push(`${r.action} ${id} ${money(r.result.paidNowFen ?? r.result.amountFen)}`);
  }
  if (payments.length) box.append(h('h4', {}, i18n.t('payments')), h('ul', { 'data-testid': 'payments' }, payments.map((p) => h('li', {}, p))));
  return box;
}

function evidencePanel(events, results) {
  const collected = state.order?.evidence ?? results.filter((r) => EVIDENCE_ACTIONS.includes(r.action) && r.result).at(-1)?.result;
  const items = [
    ...events.filter((e) => e.kind === 'signal' && e.data?.signal === 'evidence_uploaded').map((e) => JSON.stringify(e.data)),
    ...(collected ? [...(collected.trajectory ?? []).map((p) => `${p.at ?? ''} ${p.place ?? ''} ${p.progressKm ?? ''} km`), ...(collected.signOffPhotos ?? []), ...(collected.signedBy ? [`✍ ${collected.signedBy}`] : [])] : []),
  ];
  return h('section', { class: 'card', 'data-testid': 'evidence' }, h('h3', {}, i18n.t('evidence')), items.length ? h('ul', {}, items.map((t) => h('li', { class: 'mono' }, t))) : h('p', { class: 'muted' }, i18n.t('noEvidence')));
}

export function renderTicket() {
  const view = $('ticket-facts');
  const { ticket, events, live } = state.open;
  const results = actionResults(events);
  const holder = live?.holder?.agentId ?? null;
  const link = state.config ? `${state.config.temporalUiUrl}/namespaces/${encodeURIComponent(state.config.namespace)}/workflows/${encodeURIComponent(ticket.workflowId)}` : null;
  const step = currentStep();
  const stepName = localized(state.sop?.steps?.[step]?.name) || (step ?? '—');
  view.replaceChildren(
    h(
      'section',
      { class: 'card head' },
      h('h2', { 'data-testid': 'ticket-id' }, ticket.id),
      h('div', { class: 'meta' }, statusBadge(live?.status ?? ticket.status, { 'data-testid': 'ticket-status' }), h('span', { 'data-testid': 'ticket-step' }, `${i18n.t('step')}: ${stepName}`), h('span', { 'data-testid': 'ticket-holder' }, `${i18n.t('holder')}: ${holder ?? i18n.t('nobody')}`)),
      statusNotes(events, live),
      link ? h('a', { href: link, target: '_blank', rel: 'noopener', 'data-testid': 'temporal-link' }, `${i18n.t('temporal')} ↗`) : null,
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, i18n.t('userText')),
      h('blockquote', { 'data-testid': 'user-text', lang: ticket.language === 'en' ? 'en' : 'zh' }, ticket.originalText),
      ticket.issueText !== ticket.originalText ? h('p', {}, h('b', {}, `${i18n.t('issueText')}: `), ticket.issueText) : null,
      h('h3', {}, i18n.t('classification')),
      h('div', { class: 'fields', 'data-testid': 'classification' }, field(i18n.t('category'), `${ticket.category} / ${ticket.subtype}`), field(i18n.t('group'), ticket.skillGroup), field(i18n.t('priority'), String(ticket.priority), 'priority'), field(i18n.t('channel'), ticket.channel), field(i18n.t('tier'), ticket.userTier), field('SOP', `${ticket.sopType} v${ticket.sopVersion}`)),
      h('h3', {}, i18n.t('factors')),
      h('ul', { class: 'factors', 'data-testid': 'priority-factors' }, (ticket.priorityFactors ?? []).map((f) => h('li', {}, h('b', {}, `+${f.points}`), ` ${f.factor}: ${f.detail ?? ''}`))),
    ),
    orderPanel(ticket, results),
    evidencePanel(events, results),
  );
  view.dataset.ticket = ticket.id;
  if (holder && state.me && holder !== state.me.id) view.prepend(h('p', { class: 'message', 'data-testid': 'held-by-other' }, tf('heldByOther', { who: holder })));
}
