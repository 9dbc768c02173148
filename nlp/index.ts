/**
 * Intake NLP: classify a piece of customer feedback (zh / en / mixed) into one or more issues.
 * Pure and synchronous; the built-in model (nlp/model.json) is loaded once, lazily.
 */
import { loadRules, loadTaxonomy, skillGroupOf, type Rule } from './config';
import { extractEntities, readEntities, type Entities } from './entities';
import { enterMessage, leaveMessage } from './parts';
import { computePriority, type PriorityFactor } from './priority';
import { loadSafetyConfig, readSafety, safetyCue, safetyVetoed, SAFETY_CATEGORY, type SafetyReading } from './safety';
import { scopeOf } from './scope';
import { peekScore, probOf, scoreText } from './score';
import { detectLanguage, normalize, splitClauses, type Language } from './text';

export { extractEntities, maskPhones } from './entities';
export type { Entities, MoneyMention, DurationMention, FeeItemCode } from './entities';
export { loadTaxonomy, skillGroupOf, labelNames, taxonomyLabels, isKnownLabel } from './config';
export type { Taxonomy } from './config';
export type { PriorityFactor } from './priority';
export { detectLanguage, normalize, splitClauses } from './text';
export { getModel, MODEL_PATH, probOf, scoreText, setModel } from './score';
export type { LabelScore } from './score';

export interface ClassifyInput {
  text: string;
  language?: 'zh' | 'en';
  userTier?: 'standard' | 'vip' | 'enterprise';
  orderValueFen?: number;
  /** contacts by the same user or about the same order within 7 days, supplied by the caller */
  recentContacts?: number;
}
export interface ClassifiedIssue {
  span: { start: number; end: number; text: string };
  category: string;
  subtype: string;
  skillGroup: string;
  confidence: number;
  entities: Entities;
  priority: number;
  factors: PriorityFactor[];
  /** only on issues sent to triage for low confidence: the label the model would have chosen */
  bestGuess?: { label: string; confidence: number };
}
export interface ClassifyResult {
  language: Language;
  normalized: string;
  issues: ClassifiedIssue[];
  priority: number;
  factors: PriorityFactor[];
}

interface Group { start: number; end: number; label: string; confidence: number; forced: boolean; demoted?: boolean }

/**
 * Segment clauses into issues: every clause gets a label so that Σ log p(clause label) − penalty × (label changes)
 * is maximal (Viterbi over clauses). Clauses without a clear signal cost little to follow a neighbour, so they
 * attach to it; a second issue is only opened when its clauses clearly prefer another label.
 */
export function segment(
  norm: string, clauses: Array<{ start: number; end: number; text: string }>,
  opts: { penalty: number; clauseTemperature: number; wholePrior: number; ruleEvidence: number },
): Group[] {
  if (clauses.length === 0) return [];
  const { penalty } = opts;
  const scored = clauses.map((c) => scoreText(c.text, opts.clauseTemperature));
  const whole = opts.wholePrior > 0 && clauses.length > 1 ? scoreText(norm.trim(), opts.clauseTemperature) : undefined;
  const labels = scored[0]!.labels;
  const prior = labels.map((_, li) => (whole ? opts.wholePrior * Math.log(Math.max(1e-6, whole.p[li]!)) : 0));
  if (labels.length === 0) return [{ start: clauses[0]!.start, end: clauses[clauses.length - 1]!.end, label: scored[0]!.label, confidence: 0, forced: false }];
  const L = labels.length;
  const emit = scored.map((s) => labels.map((l, li) => {
    if (s.forced) return l === s.label ? 0 : Math.log(Math.max(1e-6, (1 - s.confidence) * s.p[li]!));
    // the whole-message prior does not apply against a label that a rule found in this very clause
    // and a rule firing in a clause is strong evidence against the labels it does not name
    const hasRule = s.ruleLabels.length > 0;
    return Math.log(Math.max(1e-6, s.p[li]!)) + (s.ruleLabels.includes(l) ? 0 : prior[li]! - (hasRule ? opts.ruleEvidence : 0));
  }));
  let score = emit[0]!.slice();
  const back: number[][] = []; // plain arrays: a small typed array gets a buffer of its own outside the heap
  for (let i = 1; i < clauses.length; i++) {
    let bestPrev = 0;
    for (let l = 1; l < L; l++) if (score[l]! > score[bestPrev]!) bestPrev = l;
    const bp = new Array<number>(L);
    const next = new Array<number>(L);
    for (let l = 0; l < L; l++) {
      const stay = score[l]!;
      const sw = score[bestPrev]! - penalty;
      if (stay >= sw) { next[l] = stay + emit[i]![l]!; bp[l] = l; } else { next[l] = sw + emit[i]![l]!; bp[l] = bestPrev; }
    }
    back.push(bp);
    score = next;
  }
  let cur = 0;
  for (let l = 1; l < L; l++) if (score[l]! > score[cur]!) cur = l;
  const path = new Array<number>(clauses.length);
  for (let i = clauses.length - 1; i >= 0; i--) { path[i] = cur; if (i > 0) cur = back[i - 1]![cur]!; }
  const groups: Group[] = [];
  clauses.forEach((c, i) => {
    const label = labels[path[i]!]!;
    const s = scored[i]!;
    const conf = s.p[path[i]!]!;
    const prev = groups[groups.length - 1];
    if (prev && prev.label === label) { prev.end = c.end; prev.confidence = Math.max(prev.confidence, conf); prev.forced ||= s.forced && s.label === label; }
    else groups.push({ start: c.start, end: c.end, label, confidence: conf, forced: s.forced && s.label === label });
  });
  void norm;
  return groups;
}

const SAFETY_PREFIX = SAFETY_CATEGORY + '/';
/** a clause carries a label on its own when it scores it first with at least this confidence (a bare context clause,
 * "when I asked", scores some label at 0.5–0.9 by chance and must not keep a threat told after it as a rude driver) */
const SUPPORT_CONFIDENCE = 0.9;
const supports = (clause: string, label: string) => { const s = scoreText(clause); return s.label === label && s.confidence >= SUPPORT_CONFIDENCE; };

/** The safety detector's reading of one NORMALISED span: its patterns, a forcing safety rule, or the model's safety probability. */
function safetyOf(span: string, useModel: boolean): SafetyReading | undefined {
  // without the model's word only a cue or a forcing safety rule can report: spare the scoring when neither can fire
  // (a span scored already says whether a safety rule forced it; only for others are the rules' patterns tested)
  if (!useModel && !safetyCue(span)) {
    const known = peekScore(span);
    if (known ? !(known.forced && known.label.startsWith(SAFETY_PREFIX)) : !mayForceSafety(span)) return undefined;
  }
  const s = scoreText(span);
  if (s.forced && s.label.startsWith(SAFETY_PREFIX)) return { subtype: s.label.slice(SAFETY_PREFIX.length), confidence: s.confidence };
  let p = 0, best = -1;
  s.labels.forEach((l, i) => { if (l.startsWith(SAFETY_PREFIX)) { p += s.p[i]!; if (best < 0 || s.p[i]! > s.p[best]!) best = i; } });
  return readSafety(span, p, best < 0 ? 'threat' : s.labels[best]!.slice(SAFETY_PREFIX.length), useModel);
}

/** Could a forcing safety rule fire on this span? (A rule on fee items is assumed to: then the full score decides.) */
function mayForceSafety(span: string): boolean {
  const rules = loadRules();
  if (forcingSafety?.of !== rules) forcingSafety = { of: rules, rules: rules.filter((r) => r.mode === 'force' && r.label.startsWith(SAFETY_PREFIX)) };
  for (const r of forcingSafety.rules) if (r.feeItems || !r.pattern || r.pattern.test(span)) return true;
  return false;
}
let forcingSafety: { of: Rule[]; rules: Rule[] } | undefined;

/**
 * The safety detector only adds: when no issue is a safety incident but a clause (or the whole message) reports one,
 * the issues made only of such clauses are read as that incident, otherwise a safety issue is added for those clauses.
 */
function withSafety(norm: string, whole: { start: number; end: number }, clauses: Array<{ start: number; end: number; text: string }>, groups: Group[], trustModel = true): Group[] {
  if (groups.some((g) => g.label.startsWith(SAFETY_PREFIX))) return groups;
  const hits = clauses.map((c) => ({ c, r: safetyOf(c.text, false) })).filter((h) => h.r);
  if (!hits.length) {
    const r = safetyOf(norm, trustModel);
    if (!r) return groups;
    return [...groups, { ...whole, label: SAFETY_PREFIX + r.subtype, confidence: r.confidence, forced: true }].sort((a, b) => a.start - b.start);
  }
  const hitOf = (g: Group) => hits.find((h) => h.c.start >= g.start && h.c.end <= g.end);
  // an issue none of whose other clauses carries its label on their own was only ever about the safety clauses
  const onlySafety = (g: Group) => clauses.every((c) => c.end <= g.start || c.start >= g.end || hits.some((h) => h.c === c) || !supports(c.text, g.label));
  // so was an issue that is no complaint at all ("he said he'd kill me. is this normal on your platform??" → triage)
  const fallback = loadTaxonomy().settings.fallbackLabel;
  let relabelled = false;
  const out = groups.map((g) => {
    const h = hitOf(g);
    if (!h || !(g.label === fallback || onlySafety(g))) return g;
    relabelled = true;
    return { ...g, label: SAFETY_PREFIX + h.r!.subtype, confidence: h.r!.confidence, forced: true };
  });
  if (relabelled) return out;
  const first = hits[0]!, last = hits[hits.length - 1]!;
  const added = { start: first.c.start, end: last.c.end };
  // the issue the safety clauses were part of keeps its other clauses only (a span belongs to one ticket); what followed
  // them inside that issue stays with the safety issue ("…说不加钱就开走全扔了，我一个人在那边好无助")
  const holder = out.find((g) => g.start < added.start && added.start < g.end);
  if (holder) added.end = Math.max(added.end, holder.end);
  const trimmed = out.map((g) => {
    if (g === holder) return { ...g, end: lastEndBefore(clauses, added.start, g) };
    if (added.start <= g.start && g.start < added.end && added.end < g.end) return { ...g, start: firstStartAfter(clauses, added.end, g) };
    return g;
  });
  trimmed.push({ ...added, label: SAFETY_PREFIX + first.r!.subtype, confidence: first.r!.confidence, forced: true });
  return trimmed.sort((a, b) => a.start - b.start);
}
const lastEndBefore = (clauses: Array<{ start: number; end: number }>, at: number, g: Group) =>
  Math.max(g.start, ...clauses.filter((c) => c.start >= g.start && c.end <= at).map((c) => c.end));
const firstStartAfter = (clauses: Array<{ start: number; end: number }>, at: number, g: Group) =>
  Math.min(g.end, ...clauses.filter((c) => c.end <= g.end && c.start >= at).map((c) => c.start));

/**
 * A safety label the model chose on its own — no rule forced it and no cue of the detector is in its words — stands only
 * when the model's summed safety_incident/* probability on the span reaches the detector's `modelThreshold` (the bar
 * the detector itself sets for the model) and no veto of the detector says otherwise ("I threatened to leave a bad
 * review"); else the span takes its best other label. Rude drivers who "kept calling
 * me stupid" were read as harassment by character n-grams alone, and those false alarms page on-call.
 */
function demoteUnsupportedSafety(norm: string, groups: Group[]): Group[] {
  const min = loadSafetyConfig().modelThreshold;
  return groups.map((g) => {
    if (g.forced || !g.label.startsWith(SAFETY_PREFIX)) return g;
    const span = norm.slice(g.start, g.end).trim();
    if (safetyCue(span)) return g;
    const s = scoreText(span);
    let p = 0, best = -1;
    s.labels.forEach((l, i) => { if (l.startsWith(SAFETY_PREFIX)) p += s.p[i]!; else if (best < 0 || s.p[i]! > s.p[best]!) best = i; });
    return (p >= min && !safetyVetoed(span)) || best < 0 ? g : { ...g, label: s.labels[best]!, confidence: s.p[best]!, forced: false, demoted: true };
  });
}

/** Two labels that, on neighbouring spans, tell one problem twice (taxonomy.yaml `sameProblem`: "he isn't late, he never came"). */
function sameProblem(a: string, b: string): boolean {
  return (loadTaxonomy().settings.sameProblem ?? []).some(([x, y]) => (a === x && b === y) || (a === y && b === x));
}

const cueCache = new Map<string, RegExp>();
/** Does a span of this label say enough to be an issue of its own (taxonomy.yaml `ownIssueCue`)? */
function ownIssueCue(label: string, span: string): boolean {
  const src = loadTaxonomy().settings.ownIssueCue?.[label];
  if (!src) return true;
  let re = cueCache.get(src);
  if (!re) cueCache.set(src, (re = new RegExp(src, 'i')));
  return re.test(span);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** the whole message as one issue of a score's label (a literal, not a spread: this runs for every message) */
function wholeGroup(whole: { start: number; end: number }, s: { label: string; confidence: number; forced: boolean }): Group {
  return { start: whole.start, end: whole.end, label: s.label, confidence: s.confidence, forced: s.forced };
}
/** copies of mentions moved from span offsets to message offsets */
function shifted<T extends { start: number; end: number }>(xs: readonly T[], by: number): T[] {
  return xs.map((x) => ({ ...x, start: x.start + by, end: x.end + by }));
}

export function classifyFeedback(input: ClassifyInput): ClassifyResult {
  const text = typeof input?.text === 'string' ? input.text : '';
  // the clauses and issue spans scored below are parts of this message: patterns it does not match are not run on them
  const outer = enterMessage(normalize(text).trim());
  try { return classifyMessage(input, text); } finally { leaveMessage(outer); }
}

function classifyMessage(input: ClassifyInput, text: string): ClassifyResult {
  const tax = loadTaxonomy();
  const { confidenceThreshold, fallbackLabel } = tax.settings;
  const detected = detectLanguage(text);
  const language: Language = detected === 'unknown' || detected === 'mixed' || !input.language ? detected : input.language;
  const normalized = normalize(text);

  let groups: Group[];
  const t = normalized.trim();
  const whole = { start: Math.max(0, normalized.indexOf(t)), end: Math.max(0, normalized.indexOf(t)) + t.length };
  const wholeScore = language === 'unknown' ? undefined : scoreText(t);
  const scope = wholeScore && scopeOf(t, wholeScore.ruleLabels.length > 0, wholeScore.label === fallbackLabel ? 0 : wholeScore.confidence, tax.settings.scopeConfidence ?? 0);
  if (language === 'unknown') {
    groups = [{ ...whole, label: fallbackLabel, confidence: 0, forced: false }];
  } else if (scope !== 'in_scope') {
    // greetings, chit-chat, junk, injection strings: a human triages them, but a safety report in them still counts
    // (by the cues only: the gate has just found the model's opinion on this text worth nothing)
    groups = withSafety(t, whole, splitClauses(normalized), [{ ...whole, label: fallbackLabel, confidence: 0, forced: false }], false);
  } else {
    const clauses = splitClauses(normalized);
    // one clause: the label comes from the whole message below whatever the clause says, so it is not scored here
    groups = clauses.length === 1 ? [wholeGroup(whole, wholeScore!)] : segment(normalized, clauses, {
      penalty: tax.settings.switchPenalty ?? 4,
      clauseTemperature: tax.settings.clauseTemperature ?? 1,
      wholePrior: tax.settings.wholeMessagePrior ?? 0,
      ruleEvidence: tax.settings.ruleEvidence ?? 0,
    });
    const folded: string[] = []; // labels of spans folded into a neighbour as no issue of their own
    if (groups.length > 1) {
      // several issues: re-score each span on its own, then merge neighbours that agree
      const merged: Group[] = [];
      for (const g of groups) {
        const s = scoreText(normalized.slice(g.start, g.end));
        const cur: Group = s.label === g.label || s.forced || !g.forced ? { ...g, label: s.label, confidence: s.confidence, forced: s.forced } : g;
        const prev = merged[merged.length - 1];
        // same label as the neighbour → merge; a label that already has an earlier issue is the customer
        // coming back to it → the span joins the previous issue instead of opening a duplicate
        if (prev && (prev.label === cur.label || merged.some((m) => m.label === cur.label) || sameProblem(prev.label, cur.label))) {
          prev.end = cur.end; if (prev.label === cur.label) { prev.confidence = Math.max(prev.confidence, cur.confidence); prev.forced ||= cur.forced; }
        } else merged.push(cur);
      }
      // a span that is no issue of its own (the fallback label: "please help", "请平台严肃处理") or whose label the
      // whole message does not support (minIssueWholeProb) is part of a neighbouring issue, not a new one
      const minWhole = tax.settings.minIssueWholeProb ?? 0;
      const wholeScore = minWhole > 0 ? scoreText(t) : undefined;
      const weak = (g: Group) => !g.forced && (g.label === fallbackLabel || (wholeScore !== undefined && probOf(wholeScore, g.label) < minWhole)
        || !ownIssueCue(g.label, normalized.slice(g.start, g.end)));
      // a span that gives the reason for the issue before it ("pls remove the waiting charge, driver was late") is part of it
      const reasonAfter = tax.settings.reasonAfter ?? {};
      const isReason = (prev: Group | undefined, g: Group) => !!prev && !g.forced
        && (reasonAfter[prev.label.split('/')[0]!]?.includes(g.label.split('/')[0]!) ?? false);
      for (let i = 0; merged.length > 1 && i < merged.length;) {
        if (!weak(merged[i]!) && !isReason(merged[i - 1], merged[i]!)) { i++; continue; }
        const g = merged[i]!;
        folded.push(g.label);
        if (i > 0) merged[i - 1]!.end = g.end; else merged[1]!.start = g.start;
        merged.splice(i, 1);
      }
      groups = merged;
    }
    if (groups.length === 1) {
      // one issue: classify the whole message (the model is trained on whole messages) — unless the whole message's
      // label is one that was just found to be no issue of its own ("…, invoice attached": the damage is the issue)
      const s = scoreText(t);
      const g = groups[0]!;
      groups = [folded.includes(s.label) && !s.forced && probOf(s, g.label) >= 0.01 ? { ...g, start: whole.start, end: whole.end } : wholeGroup(whole, s)];
    }
    groups = demoteUnsupportedSafety(normalized, groups);
    // a demoted span that is no complaint at all ("he wasn't threatening or anything") is part of its neighbour's issue
    for (let i = 0; groups.length > 1 && i < groups.length;) {
      const g = groups[i]!;
      if (!g.demoted || (g.label !== fallbackLabel && g.confidence >= confidenceThreshold)) { i++; continue; }
      if (i > 0) groups[i - 1]!.end = g.end; else groups[1]!.start = g.start;
      groups.splice(i, 1);
    }
    groups = withSafety(t, whole, clauses, groups);
  }

  // order ids and phones usually appear once per message but concern every issue in it
  const messageEntities = groups.length > 1 ? extractEntities(text) : undefined;
  const issues: ClassifiedIssue[] = groups.map((g) => {
    let label = g.label;
    if (!g.forced && g.confidence < confidenceThreshold) label = fallbackLabel;
    const [category, subtype] = label.split('/') as [string, string];
    const spanText = text.slice(g.start, g.end);
    const ent = readEntities(spanText); // memoised: copied here, never handed out
    const entities: Entities = {
      orderIds: [...ent.orderIds], amounts: shifted(ent.amounts, g.start), durations: shifted(ent.durations, g.start),
      phones: [...ent.phones], feeItems: [...ent.feeItems],
    };
    if (messageEntities && !entities.orderIds.length) entities.orderIds = messageEntities.orderIds;
    if (messageEntities && !entities.phones.length) entities.phones = messageEntities.phones;
    const triaged = label !== g.label && g.label !== fallbackLabel;
    const bestGuess = triaged ? { label: g.label, confidence: round3(g.confidence) } : undefined;
    const { priority, factors } = computePriority(category, text, entities, input, bestGuess);
    return {
      span: { start: g.start, end: g.end, text: spanText },
      category, subtype, skillGroup: skillGroupOf(label), confidence: round3(g.confidence), entities, priority, factors,
      ...(bestGuess ? { bestGuess } : {}),
    };
  });
  let top = issues[0]!;
  for (const i of issues) if (i.priority > top.priority) top = i;
  return { language, normalized, issues, priority: top.priority, factors: top.factors };
}
