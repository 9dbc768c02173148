// The left column: the tickets I hold and my groups' queues (tickets nobody holds), in pull order, each with its
// effective priority, its status (waiting on the user stands out), an "SLA breached" mark, and an SLA countdown that
// ticks every second between reads (frozen while the clock is paused).
import { $, h } from '/shared/dom.js';
import { i18n, statusBadge } from './i18n.js';
import { remainingNow, state } from './state.js';

/** 1h 05m, 4m 09s, 12s */
export function duration(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const [hh, mm, ss] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}h ${pad(mm)}m` : mm ? `${mm}m ${pad(ss)}s` : `${ss}s`;
}

export function slaText(item) {
  const left = remainingNow(item);
  if (left === null) return i18n.t('noSla');
  if (item.paused) return `⏸ ${duration(left)} ${i18n.t('paused')}`;
  return left > 0 ? `${duration(left)} ${i18n.t('remaining')}` : `${duration(left)} ${i18n.t('overdue')}`;
}

function slaClass(item) {
  const left = remainingNow(item);
  if (left === null) return 'sla';
  if (item.paused) return 'sla sla-paused';
  return left <= 0 ? 'sla sla-overdue' : left < 10 * 60_000 ? 'sla sla-soon' : 'sla';
}

function itemRow(item, { onOpen, onTake }) {
  const selected = state.open?.ticket.id === item.ticketId;
  return h(
    'li',
    { class: `item${selected ? ' selected' : ''}`, 'data-testid': `item-${item.ticketId}`, dataset: { ticket: item.ticketId }, onclick: () => onOpen(item.ticketId) },
    h('div', { class: 'item-head' }, h('span', { class: 'prio', title: i18n.t('priority') }, item.effectivePriority), h('b', {}, item.ticketId), item.breached ? h('span', { class: 'badge badge-bad', 'data-testid': `breached-${item.ticketId}` }, i18n.t('breached')) : null),
    h('div', { class: 'meta' }, h('span', {}, item.category), h('span', {}, item.step), statusBadge(item.ticketStatus, { 'data-testid': `status-${item.ticketId}` })),
    h('div', { class: slaClass(item), 'data-testid': `sla-${item.ticketId}`, dataset: { remaining: item.remainingMs ?? '', paused: String(item.paused) } }, slaText(item)),
    onTake ? h('button', { class: 'btn btn-small', 'data-testid': `take-${item.ticketId}`, onclick: (e) => (e.stopPropagation(), onTake(item.ticketId)) }, i18n.t('take')) : null,
  );
}

export function renderQueues(actions) {
  const mine = $('mine');
  mine.replaceChildren(...(state.mine.length ? state.mine.map((i) => itemRow(i, { onOpen: actions.onOpen })) : [h('li', { class: 'muted' }, i18n.t('empty'))]));
  mine.dataset.count = String(state.mine.length);
  const box = $('queues');
  box.replaceChildren(
    ...Object.entries(state.queues).map(([group, items]) =>
      h(
        'section',
        { class: 'queue', 'data-testid': `queue-${group}` },
        h('h3', {}, `${i18n.t('queue')} · ${group} (${items.length})`),
        h('ol', { class: 'items', dataset: { count: String(items.length) } }, items.length ? items.map((i) => itemRow(i, actions)) : h('li', { class: 'muted' }, i18n.t('empty'))),
      ),
    ),
  );
  box.dataset.readAt = String(state.readAt);
}

/** the countdowns only: every second, without reading again */
export function tickCountdowns() {
  const all = [...state.mine, ...Object.values(state.queues).flat()];
  for (const item of all) {
    const el = document.querySelector(`[data-testid="sla-${CSS.escape(item.ticketId)}"]`);
    if (!el) continue;
    el.textContent = slaText(item);
    el.className = slaClass(item);
  }
}
