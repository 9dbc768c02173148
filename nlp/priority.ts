/** Explainable priority (0–100): category base + contributing factors, configured in config/priority.yaml. */
import { loadPriorityConfig } from './config';
import type { Entities } from './entities';
import { normalize } from './text';

export interface PriorityFactor { factor: string; points: number; detail: string }
export interface PriorityContext {
  userTier?: 'standard' | 'vip' | 'enterprise';
  orderValueFen?: number;
  recentContacts?: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const compiled = new WeakMap<object, Array<[string, (s: string) => boolean]>>();
function matchers(cues: { zh: string[]; en: string[] }): Array<[string, (s: string) => boolean]> {
  let m = compiled.get(cues);
  if (!m) {
    m = [
      ...(cues.zh ?? []).map((c): [string, (s: string) => boolean] => { const n = normalize(String(c)); return [String(c), (s) => s.includes(n)]; }),
      ...(cues.en ?? []).map((c): [string, (s: string) => boolean] => { const re = new RegExp(`\\b${escapeRe(normalize(String(c)))}\\b`); return [String(c), (s) => re.test(s)]; }),
    ];
    compiled.set(cues, m);
  }
  return m;
}

const anyCue = new WeakMap<object, RegExp>();
/** One pass over the message for all cues of a list: most messages have none, and then no cue is tested on its own. */
function anyCueRe(cues: { zh: string[]; en: string[] }): RegExp {
  let re = anyCue.get(cues);
  if (!re) {
    const zh = (cues.zh ?? []).map((c) => escapeRe(normalize(String(c))));
    const en = (cues.en ?? []).map((c) => `\\b${escapeRe(normalize(String(c)))}\\b`);
    anyCue.set(cues, (re = new RegExp([...zh, ...en].join('|') || '(?!)')));
  }
  return re;
}

function findCues(norm: string, cues: { zh: string[]; en: string[] }): string[] {
  if (!anyCueRe(cues).test(norm)) return [];
  const found: string[] = [];
  for (const [c, test] of matchers(cues)) if (test(norm)) found.push(c);
  // drop cues contained in a longer found cue (急 inside 紧急)
  return found.filter((c) => !found.some((o) => o !== c && o.includes(c)));
}

interface MessageCues { text: string; urgent: string[]; neg: string[]; exclaimed: boolean; shouted: boolean }
let lastCues: MessageCues | undefined;
/** Urgency and sentiment cues are properties of the whole message: computed once per message, not once per issue. */
function messageCues(text: string): MessageCues {
  if (lastCues?.text !== text) {
    const cfg = loadPriorityConfig();
    const norm = normalize(text);
    lastCues = {
      text, urgent: findCues(norm, cfg.urgency.cues), neg: findCues(norm, cfg.sentiment.cues),
      exclaimed: /[!！]{3,}/.test(text),
      shouted: /\b[A-Z]{2,}\b(?:\W+\b[A-Z]{2,}\b)+/.test(text.replace(/\b(?:ORD|RMB|CNY|USD|GPS|APP|VIP|ID|OK)\b/g, '')),
    };
  }
  return lastCues;
}

/** the highest tier whose minimum the amount reaches */
function tier(ts: Array<{ minFen: number; points: number }>, fen: number): { minFen: number; points: number } | undefined {
  return [...ts].sort((a, b) => b.minFen - a.minFen).find((t) => fen >= t.minFen);
}

const YUAN = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }); // made once: toLocaleString builds one per call
const fmtYuan = (fen: number) => `¥${YUAN.format(fen / 100)}`;

/**
 * @param category  category of the issue
 * @param messageText the whole ORIGINAL message (urgency and sentiment are properties of the message)
 * @param entities  entities of the issue span
 */
export function computePriority(
  category: string, messageText: string, entities: Entities, ctx: PriorityContext = {},
  /** for an issue sent to triage: the model's best guess, so a possible safety incident is not left at triage priority */
  guess?: { label: string; confidence: number },
): { priority: number; factors: PriorityFactor[] } {
  const cfg = loadPriorityConfig();
  const factors: PriorityFactor[] = [];
  const base = cfg.categoryBase[category] ?? cfg.defaultBase;
  factors.push({ factor: 'category', points: base, detail: `base for ${category}` });
  const { urgent, neg, exclaimed, shouted } = messageCues(messageText);

  if (urgent.length) {
    factors.push({ factor: 'urgency', points: Math.min(cfg.urgency.maxPoints, urgent.length * cfg.urgency.pointsPerCue), detail: `urgency cues: ${urgent.join(', ')}` });
  }

  let sentPts = neg.length * cfg.sentiment.pointsPerCue;
  const details = neg.length ? [`negative cues: ${neg.join(', ')}`] : [];
  if (exclaimed) { sentPts += cfg.sentiment.exclamationPoints; details.push('repeated exclamation marks'); }
  if (shouted) {
    sentPts += cfg.sentiment.shoutingPoints; details.push('shouting (all caps)');
  }
  if (sentPts > 0) factors.push({ factor: 'sentiment', points: Math.min(cfg.sentiment.maxPoints, sentPts), detail: details.join('; ') });

  const tierPts = ctx.userTier ? cfg.userTier[ctx.userTier] ?? 0 : 0;
  if (tierPts) factors.push({ factor: 'user_tier', points: tierPts, detail: `${ctx.userTier} customer` });

  if (ctx.orderValueFen !== undefined) {
    const t = tier(cfg.orderValue, ctx.orderValueFen);
    if (t) factors.push({ factor: 'order_value', points: t.points, detail: `order value ${fmtYuan(ctx.orderValueFen)} ≥ ${fmtYuan(t.minFen)}` });
  } else if (entities.amounts.length) {
    const maxFen = Math.max(...entities.amounts.filter((a) => !a.currency || a.currency === 'CNY').map((a) => a.fen), 0);
    const t = tier(cfg.mentionedAmount, maxFen);
    if (t) factors.push({ factor: 'mentioned_amount', points: t.points, detail: `amount mentioned ${fmtYuan(maxFen)} ≥ ${fmtYuan(t.minFen)}` });
  }

  if (ctx.recentContacts && ctx.recentContacts > 0) {
    const pts = Math.min(cfg.repeatContact.maxPoints, ctx.recentContacts * cfg.repeatContact.pointsPerContact);
    factors.push({ factor: 'repeat_contact', points: pts, detail: `${ctx.recentContacts} earlier contact(s) within 7 days` });
  }

  let priority = factors.reduce((s, f) => s + f.points, 0);
  const floor = cfg.categoryFloor?.[category];
  if (floor !== undefined && priority < floor) {
    factors.push({ factor: 'category_floor', points: floor - priority, detail: `${category} is never below ${floor}` });
    priority = floor;
  }
  const guessCat = guess?.label.split('/')[0];
  const guessFloor = guessCat ? cfg.categoryFloor?.[guessCat] : undefined;
  if (guess && guessFloor !== undefined && priority < guessFloor) {
    factors.push({ factor: 'possible_' + guessCat, points: guessFloor - priority, detail: `best guess ${guess.label} (confidence ${guess.confidence.toFixed(2)}) is never below ${guessFloor}` });
    priority = guessFloor;
  }
  if (priority > cfg.maxPriority) {
    factors.push({ factor: 'cap', points: cfg.maxPriority - priority, detail: `capped at ${cfg.maxPriority}` });
    priority = cfg.maxPriority;
  }
  return { priority: Math.max(0, Math.round(priority)), factors };
}
