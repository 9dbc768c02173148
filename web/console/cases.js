// Past cases like the open ticket (GET /v1/tickets/:id/similar-cases), beside the decision: how the same kind
// of problem ended before, for how much, and how the user rated it (a low rating in red).
import { $, h } from '/shared/dom.js';
import { yuan } from '/shared/i18n.js';
import { i18n } from './i18n.js';

const rating = (c) => (c.rating ? h('span', { class: c.ratedLow ? 'badge badge-bad' : 'badge', 'data-testid': 'case-rating', title: i18n.t('userRating') }, `★ ${c.rating}/5`) : null);

export function renderCases(cases) {
  const box = $('cases');
  box.replaceChildren(
    h('h3', {}, i18n.t('similarCases')),
    cases.length
      ? h('ul', {}, cases.map((c) => h('li', { 'data-testid': `case-${c.ticketId}` }, h('b', {}, c.title), h('div', { class: 'meta' }, h('span', { class: 'badge' }, c.outcome), rating(c), c.solution ? h('span', {}, c.solution) : null, c.amountFen ? h('span', {}, yuan(c.amountFen)) : null, h('a', { href: `/kb#article=${encodeURIComponent(c.articleId)}`, target: '_blank', rel: 'noopener' }, c.articleId)))))
      : h('p', { class: 'muted' }, i18n.t('noCases')),
  );
}
