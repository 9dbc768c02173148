// The page's screens. Each replaces the card's content; data-testid marks what tests touch.
import { yuan } from '/shared/i18n.js';

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'testid') node.dataset.testid = v;
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

export function show(view, state, ...children) {
  document.body.dataset.state = state;
  view.replaceChildren(...children);
}

/** A final screen: answered, used, expired, foreign, not waiting. */
export function message(view, state, i18n, key, params) {
  const icon = { accepted: '✓', rejected: '✓', rated: '★', used: '⚠', expired: '⚠', foreign: '⚠', not_waiting: 'ℹ', error: '⚠' }[state] ?? '';
  show(view, state, el('div', { class: 'state-icon' }, icon), el('p', { testid: 'message' }, i18n.t(key, params)));
}

export function solutionLine(solution, i18n) {
  if (!solution) return i18n.t('explanation');
  if (solution.kind === 'refund') return i18n.t('refund', { amount: yuan(solution.amountFen) });
  if (solution.kind === 'coupon') return i18n.t('coupon', { amount: yuan(solution.amountFen) });
  return i18n.t('explanation');
}

export function proposal(view, i18n, { solution, reason, deadline, onAnswer }) {
  const accept = el('button', { class: 'primary', testid: 'accept' }, i18n.t('accept'));
  const reject = el('button', { class: 'danger', testid: 'reject' }, i18n.t('reject'));
  const answer = (accepted) => {
    accept.disabled = reject.disabled = true;
    onAnswer(accepted);
  };
  accept.addEventListener('click', () => answer(true));
  reject.addEventListener('click', () => answer(false));
  show(
    view,
    'proposal',
    el('h1', {}, i18n.t('title')),
    el('p', {}, i18n.t('proposalIntro')),
    el('div', { class: 'amount', testid: 'solution' }, solutionLine(solution, i18n)),
    reason ? el('p', { testid: 'reason' }, reason) : null,
    deadline ? el('p', { class: 'muted', testid: 'deadline' }, i18n.t('deadline', { deadline })) : null,
    el('div', { class: 'actions' }, accept, reject),
  );
}

export function ratingForm(view, i18n, { reasons, threshold, onSubmit }) {
  let score = 0;
  let reason = null;
  const stars = [1, 2, 3, 4, 5].map((n) => el('button', { testid: `score-${n}`, 'aria-pressed': 'false', type: 'button' }, String(n)));
  const reasonButtons = reasons.map((r) => el('button', { testid: `reason-${r}`, 'aria-pressed': 'false', type: 'button' }, i18n.t(`reason_${r}`)));
  const reasonBox = el('div', { testid: 'reasons', hidden: '' }, el('p', {}, i18n.t('reasonPrompt')), el('div', { class: 'reasons' }, ...reasonButtons));
  const comment = el('textarea', { testid: 'comment', maxlength: '1000' });
  const problem = el('p', { class: 'error', testid: 'form-error' });
  const submit = el('button', { class: 'primary', testid: 'submit', type: 'button', disabled: '' }, i18n.t('submit'));
  stars.forEach((b, i) =>
    b.addEventListener('click', () => {
      score = i + 1;
      stars.forEach((s, j) => s.setAttribute('aria-pressed', String(j <= i)));
      reasonBox.hidden = score > threshold;
      submit.disabled = false;
    }),
  );
  reasonButtons.forEach((b, i) =>
    b.addEventListener('click', () => {
      reason = reasons[i];
      reasonButtons.forEach((o) => o.setAttribute('aria-pressed', String(o === b)));
    }),
  );
  submit.addEventListener('click', () => {
    if (score <= threshold && !reason) return void (problem.textContent = i18n.t('needReason'));
    submit.disabled = true;
    onSubmit({ score, ...(score <= threshold ? { reason } : {}), ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
  });
  show(view, 'rating', el('h1', {}, i18n.t('rateTitle')), el('p', { class: 'muted' }, i18n.t('rateIntro')), el('div', { class: 'stars' }, ...stars), reasonBox, el('label', {}, i18n.t('commentLabel'), comment), problem, el('div', { class: 'actions' }, submit));
}
