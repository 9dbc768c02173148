// The agent console: log in, my tickets and my groups' queues with SLA countdowns, take the next ticket, and the
// ticket view (facts, SOP diagram, timeline, decision, similar cases). Lists are read again every few seconds;
// an open ticket too, and quickly after an action until its events move on.
import { bindLoginForm, session } from '/shared/api.js';
import { $ } from '/shared/dom.js';
import * as calls from './api.js';
import { renderCases } from './cases.js';
import { renderDecision } from './decision.js';
import { renderDiagram } from './diagram.js';
import { i18n } from './i18n.js';
import { renderQueues, tickCountdowns } from './queues.js';
import { currentStep, state } from './state.js';
import { renderTicket } from './ticket.js';
import { renderTimeline } from './timeline.js';

const REFRESH_MS = 3_000;
let keys = {}; // what each expensive panel last showed: it is drawn again only when that changes
let timers = [];

function show(loggedIn) {
  $('login').hidden = loggedIn;
  $('workspace').hidden = !loggedIn;
}

async function loadLists() {
  const [mine, ...queues] = await Promise.all([calls.myTickets(state.me.id), ...state.profile.groups.map((g) => calls.queue(g))]);
  if (mine.status === 401) return signedOut();
  state.readAt = Date.now();
  state.mine = mine.status === 200 ? mine.body.items : [];
  state.queues = Object.fromEntries(state.profile.groups.map((g, i) => [g, queues[i].status === 200 ? queues[i].body.items.filter((item) => item.holder === null) : []]));
  renderQueues({ onOpen: openTicket, onTake: takeOne });
}

async function loadTicket(id) {
  const answer = await calls.ticket(id);
  if (answer.status !== 200) {
    $('action-message').textContent = `${i18n.t('failed')}: ${answer.body?.message ?? answer.status}`;
    return false;
  }
  const changed = state.open?.ticket.id !== id;
  const [sop, order] = await Promise.all([calls.sopVersion(answer.body.ticket.sopType, answer.body.ticket.sopVersion), calls.order(id)]);
  state.open = answer.body;
  state.sop = sop;
  state.order = order.status === 200 ? order.body : null;
  if (changed) {
    keys = {};
    const cases = await calls.similarCases(id);
    state.cases = cases.status === 200 ? cases.body.cases : [];
  }
  renderOpen();
  return true;
}

function renderOpen() {
  if (!state.open) return;
  const { live, events, ticket } = state.open;
  $('empty-view').hidden = true;
  $('ticket-view').hidden = false;
  renderTicket();
  renderTimeline(events);
  const current = currentStep();
  const diagramKey = JSON.stringify([ticket.id, current, events.length, i18n.lang]);
  if (keys.diagram !== diagramKey) {
    keys.diagram = diagramKey;
    renderDiagram(state.sop, current, events).catch((err) => ($('diagram').textContent = String(err?.message ?? err)));
  }
  const decisionKey = JSON.stringify([ticket.id, live?.step, live?.waitingFor, live?.holder?.agentId ?? null, i18n.lang]);
  if (keys.decision !== decisionKey) {
    keys.decision = decisionKey;
    renderDecision({ onChanged: afterAction });
  }
  if (keys.cases !== `${ticket.id}|${i18n.lang}`) {
    keys.cases = `${ticket.id}|${i18n.lang}`;
    renderCases(state.cases);
  }
}

async function openTicket(id) {
  if (await loadTicket(id)) {
    history.replaceState(null, '', `#ticket=${encodeURIComponent(id)}`);
    renderQueues({ onOpen: openTicket, onTake: takeOne });
  }
}

/** after a decision, transfer or release: read again until the ticket's events move on (the workflow records them) */
async function afterAction() {
  const id = state.open.ticket.id;
  const seen = state.open.events.length;
  for (let i = 0; i < 20 && state.open?.ticket.id === id; i++) {
    await loadTicket(id);
    if (state.open.events.length > seen && state.open.live?.step !== undefined) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  await loadLists();
}

async function takeNext() {
  const answer = await calls.takeNext();
  if (answer.status === 200 && answer.body.assigned) {
    $('action-message').textContent = '';
    await openTicket(answer.body.assigned.ticketId);
  } else if (answer.status === 200) $('action-message').textContent = i18n.t('nothingQueued');
  else $('action-message').textContent = answer.status === 409 ? i18n.t('atCapacity') : `${i18n.t('failed')}: ${answer.body?.message ?? answer.status}`;
  await loadLists();
}

async function takeOne(ticketId) {
  const answer = await calls.take(ticketId);
  $('action-message').textContent = answer.status === 200 ? '' : `${i18n.t('failed')}: ${answer.body?.message ?? answer.status}`;
  if (answer.status === 200) await openTicket(ticketId);
  await loadLists();
}

function signedOut() {
  for (const t of timers) clearInterval(t);
  timers = [];
  session.forget();
  show(false);
}

async function start() {
  const me = await calls.whoAmI();
  if (me.status !== 200 || me.body.kind !== 'staff') return signedOut();
  state.me = { id: me.body.id, role: me.body.role };
  const [agents, config] = await Promise.all([calls.agents(), calls.consoleConfig()]);
  state.agents = agents.status === 200 ? agents.body : [];
  state.config = config.status === 200 ? config.body : null;
  state.profile = state.agents.find((a) => a.id === state.me.id) ?? null;
  show(true);
  $('whoami').textContent = `${state.profile?.displayName ?? state.me.id} · ${state.me.role}`;
  if (!state.profile) {
    $('action-message').textContent = i18n.t('noProfile');
    return;
  }
  $('workspace').dataset.agent = state.me.id;
  await loadLists();
  const wanted = new URLSearchParams(location.hash.slice(1)).get('ticket');
  if (wanted) await openTicket(wanted);
  timers.push(
    setInterval(() => void loadLists(), REFRESH_MS),
    setInterval(() => state.open && void loadTicket(state.open.ticket.id), REFRESH_MS),
    setInterval(tickCountdowns, 1_000),
  );
}

bindLoginForm(i18n, start);
$('take-next').addEventListener('click', takeNext);
$('logout').addEventListener('click', async () => {
  await calls.logout();
  signedOut();
});
$('lang-toggle').addEventListener('click', () => {
  i18n.toggle();
  $('lang-toggle').textContent = i18n.t('langButton');
  $('action-message').textContent = ''; // said in the other language
  keys = {};
  if (state.profile) renderQueues({ onOpen: openTicket, onTake: takeOne });
  renderOpen();
});

i18n.apply();
$('lang-toggle').textContent = i18n.t('langButton');
if (session.token()) start();
else show(false);
