// Past cases like the open ticket (GET /v1/tickets/:id/similar-cases), beside the decision: how the same kind
// of problem ended before, and for how much.
import { $, h } from '/shared/dom.js';
import { yuan } from '/shared/i18n.js';
import { i18n } from './i18n.js';

export function renderCases(cases) {
  const box = $('cases');
  box.replaceChildren(
    h('h3', {}, i18n.t('similarCases')),
    cases.length
      ? h('ul', {}, cases.map((c) => h('li', { 'data-testid': `case-${c.ticketId}` }, h('b', {}, c.title), h('div', { class: 'meta' }, h('span', { class: 'badge' }, c.outcome), c.solution ? h('span', {}, c.solution) : null, c.amountFen ? h('span', {}, yuan(c.amountFen)) : null, h('a', { href: `/kb#article=${encodeURIComponent(c.articleId)}`, target: '_blank', rel: 'noopener' }, c.articleId)))))
      : h('p', { class: 'muted' }, i18n.t('noCases')),
  );
}
