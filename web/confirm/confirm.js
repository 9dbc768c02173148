// The page a notice links to: /confirm/#ticket=<id>&confirm=<token>&reject=<token> answers a proposal,
// /confirm/#ticket=<id>&rate=<token>&low=<threshold> rates a closed ticket. It reads the ticket with the
// link's own token and shows it in the ticket's language; a used, expired or foreign link gets a
// clear screen and nothing changes (the API refuses it).
import { apiFetch, fragmentParams } from '/shared/api.js';
import { createI18n } from '/shared/i18n.js';
import { MESSAGES, RATING_REASONS } from './messages.js';
import { message, proposal, ratingForm } from './views.js';

const view = document.getElementById('view');
const params = fragmentParams();
let i18n = createI18n(MESSAGES, navigator.language?.startsWith('en') ? 'en' : 'zh');

/** The screen for a refusal of the API. */
function refused(res) {
  if (res.status === 401) return message(view, 'expired', i18n, 'expired');
  if (res.status === 403 || res.status === 404) return message(view, 'foreign', i18n, 'foreign');
  if (res.status === 409 && res.body?.error === 'token_used') return message(view, 'used', i18n, 'used');
  if (res.status === 409) return message(view, 'not_waiting', i18n, 'notWaiting', { status: res.body?.message ?? '' });
  return message(view, 'error', i18n, 'error');
}

const moment = (iso) =>
  new Intl.DateTimeFormat(i18n.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

async function main() {
  const token = params.rate ?? params.confirm ?? params.reject;
  if (!params.ticket || !token) return message(view, 'expired', i18n, 'expired');
  const read = await apiFetch(`/v1/tickets/${encodeURIComponent(params.ticket)}`, { token });
  if (read.status !== 200) return refused(read);
  const { ticket, events, live } = read.body;
  i18n = createI18n(MESSAGES, ticket.language);
  document.documentElement.lang = i18n.lang;
  document.title = i18n.t(params.rate ? 'rateTitle' : 'title');
  document.getElementById('footer').textContent = i18n.t('ref', { id: ticket.id });

  if (params.rate) {
    const threshold = Number(params.low ?? 2);
    return ratingForm(view, i18n, {
      reasons: RATING_REASONS,
      threshold,
      onSubmit: async (rating) => {
        const res = await apiFetch(`/v1/tickets/${encodeURIComponent(ticket.id)}/rating`, { token: params.rate, method: 'POST', body: rating });
        if (res.status === 202 || res.status === 201) return message(view, 'rated', i18n, rating.score <= threshold ? 'ratedLow' : 'rated');
        refused(res);
      },
    });
  }

  if (ticket.status !== 'awaiting_confirmation') return message(view, 'not_waiting', i18n, 'notWaiting', { status: ticket.status });
  const wait = [...events].reverse().find((e) => e.kind === 'entered' && e.data?.signal === 'confirmation');
  const said = [...events].reverse().find((e) => e.kind === 'notified' && typeof e.data?.message === 'string');
  const proposed = [...events].reverse().find((e) => e.data?.result?.solution);
  proposal(view, i18n, {
    solution: live?.solution ?? proposed?.data.result.solution,
    reason: said?.data.message,
    deadline: wait?.data?.deadline ? moment(wait.data.deadline) : null,
    onAnswer: async (accepted) => {
      const answerToken = accepted ? params.confirm : params.reject;
      if (!answerToken) return message(view, 'expired', i18n, 'expired');
      const res = await apiFetch(`/v1/tickets/${encodeURIComponent(ticket.id)}/confirmation`, { token: answerToken, method: 'POST', body: { accepted } });
      if (res.status === 202) return message(view, accepted ? 'accepted' : 'rejected', i18n, accepted ? 'accepted' : 'rejected');
      refused(res);
    },
  });
}

main().catch(() => message(view, 'error', i18n, 'error'));
