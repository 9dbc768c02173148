// What the header says about the step's state beyond its status badge, from the live step and this visit's events:
// waiting on the user (the question asked, the SLA clock paused with the time it has left), the user's answer once it
// came (and how long the clock stood still), and why the ticket was escalated.
import { h } from '/shared/dom.js';
import { i18n, tf } from './i18n.js';
import { duration } from './queues.js';

/** the events of the current visit of `step` (a step may be entered again, e.g. after a rejection) */
function thisVisit(events, step) {
  let from = -1;
  events.forEach((e, i) => e.step === step && e.kind === 'entered' && (from = i));
  return from < 0 ? [] : events.slice(from);
}

export function statusNotes(events, live) {
  const waiting = live?.waitingFor?.kind === 'human_task' ? live.waitingFor : null;
  if (!waiting) return [];
  const visit = thisVisit(events, live.step);
  const notes = [];
  const lastAsked = visit.findLast((e) => e.kind === 'info_requested');
  if (waiting.paused) {
    const left = typeof waiting.remainingMs === 'number' ? tf('clockPausedLeft', { left: duration(waiting.remainingMs) }) : i18n.t('clockPaused');
    notes.push(
      h(
        'div',
        { class: 'note note-waiting', 'data-testid': 'waiting-user' },
        h('b', {}, i18n.t('waitingOnUser')),
        h('span', { 'data-testid': 'clock-paused' }, ` · ${left}`),
        lastAsked ? h('p', { 'data-testid': 'info-question' }, `${i18n.t('question')}: ${lastAsked.data?.question ?? ''}`) : null,
      ),
    );
  } else {
    const answered = visit.findLast((e) => e.kind === 'info_received');
    if (answered && visit.indexOf(answered) > visit.indexOf(lastAsked)) {
      notes.push(
        h(
          'div',
          { class: 'note note-answer', 'data-testid': 'user-answer' },
          h('b', {}, `${i18n.t('userAnswered')}: `),
          h('span', { 'data-testid': 'user-answer-text' }, answered.data?.answer ?? i18n.t('noAnswerText')),
          h('p', { class: 'muted' }, `${i18n.t('question')}: ${lastAsked?.data?.question ?? ''} · ${tf('clockStood', { paused: duration(answered.data?.pausedMs ?? 0) })}`),
        ),
      );
    }
  }
  const escalated = live.status === 'escalated' ? visit.findLast((e) => e.kind === 'escalated') : null;
  if (escalated) {
    // an agent's escalation names who (`by`); the workflow's own, at an SLA breach, does not
    const why = escalated.data?.by ? `${escalated.data.reason ?? ''} (${escalated.data.by})` : i18n.t('escalatedByBreach');
    notes.push(h('div', { class: 'note note-escalated', 'data-testid': 'escalation-note' }, h('b', {}, `${i18n.t('escalatedTo')} ${escalated.data?.to ?? ''}: `), why));
  }
  return notes;
}
