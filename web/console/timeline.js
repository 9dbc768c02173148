// The open ticket's events, newest first: when, which step, what happened, who, and the event's data in short.
import { $, h } from '/shared/dom.js';
import { i18n } from './i18n.js';

const time = (iso) => new Date(iso).toLocaleString(i18n.lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
const short = (data) => {
  const text = data && Object.keys(data).length ? JSON.stringify(data) : '';
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
};

export function renderTimeline(events) {
  const list = $('timeline');
  list.replaceChildren(
    ...[...events].reverse().map((e) =>
      h(
        'li',
        { 'data-testid': `event-${e.seq}`, dataset: { kind: e.kind, step: e.step } },
        h('div', { class: 'meta' }, h('span', {}, `#${e.seq}`), h('span', {}, time(e.at)), h('span', { class: 'badge' }, e.kind), h('b', {}, e.step), e.actor ? h('span', {}, e.actor) : null),
        short(e.data) ? h('div', { class: 'mono' }, short(e.data)) : null,
      ),
    ),
  );
  list.dataset.count = String(events.length);
  list.dataset.last = events.at(-1)?.kind ?? '';
}
