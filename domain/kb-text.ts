// Search text of the knowledge base, built in the application so PostgreSQL and PGlite index the same tokens
// whatever their locale: Chinese runs are segmented with Intl.Segmenter (the classifier's path) and also cut
// into character bigrams, so a two-character query (等候) finds the longer word (等候费) the segmenter keeps whole
// or splits differently; English words are lower-cased and lightly stemmed. Tokens become a tsvector literal
// with weights (title A, tags B, body C) and queries a tsquery literal, both parsed by PostgreSQL without a
// dictionary.
import { normalize, segmentZh } from '../nlp/text';

const RUN_RE = /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z][a-z0-9]*)|(\d+(?:\.\d+)?)/g;
const EN_STOP = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'is', 'are', 'be', 'my', 'i', 'me', 'it', 'do', 'does', 'how', 'what', 'when', 'why', 'can', 'with', 'by', 'from', 'this', 'that', 'you', 'your', 'we', 'our', 'was', 'will', 'if', 'as']);
const ZH_STOP = new Set(['的', '了', '吗', '呢', '吧', '啊', '是', '我', '你', '他', '她', '在', '和', '与', '及', '或', '怎么', '怎么办', '什么', '如何', '多少', '为什么', '有', '要', '被', '给', '把', '就', '都', '也', '还', '请问']);

/** A light English stemmer: the same on both sides is all search needs (waiting/waited/waits → wait). */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = w.slice(0, -3) + 'y';
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w) && !w.endsWith('ll') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}

function bigrams(run: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  return out;
}

/**
 * Tokens of a text, in order: every segmenter word (single characters too) and the bigrams of each stretch
 * between stop words; English stems; numbers. Queries (`query: true`) also drop a lone stop character. Very
 * common tokens (费, 司机) are dropped from queries by document frequency (see tsqueryLiteral).
 */
export function kbTokens(text: string, opts: { query?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const m of normalize(text).matchAll(RUN_RE)) {
    if (m[1]) {
      const run = m[1];
      if (run.length === 1) {
        if (!opts.query || !ZH_STOP.has(run)) out.push(run);
        continue;
      }
      // bigrams within the stretches between stop words (出车祸|了|怎么办 → 出车, 车祸; never 么办)
      let stretch = '';
      for (const w of segmentZh(run)) {
        if (ZH_STOP.has(w)) {
          out.push(...bigrams(stretch));
          stretch = '';
          continue;
        }
        stretch += w;
        out.push(w);
      }
      out.push(...bigrams(stretch));
    } else if (m[2]) {
      if (!EN_STOP.has(m[2])) out.push(stem(m[2]));
    } else if (m[3]) out.push(m[3]);
  }
  return out;
}

/** tsvector positions run 1..16383; a body past this many tokens is indexed by its beginning */
const MAX_POSITION = 16_000;

/** A tsvector literal of weighted fields, e.g. `'等候':1A '费':2A`; lexemes contain only letters and digits, so quoting is safe. */
export function tsvectorLiteral(fields: Array<{ text: string; weight: 'A' | 'B' | 'C' | 'D' }>): string {
  const positions = new Map<string, string[]>();
  let pos = 0;
  for (const field of fields) {
    for (const token of kbTokens(field.text)) {
      if (++pos > MAX_POSITION) break;
      const list = positions.get(token) ?? [];
      if (list.length < 200) list.push(`${pos}${field.weight}`);
      positions.set(token, list);
    }
    pos += 10; // fields do not run into each other
  }
  return [...positions].map(([lexeme, ps]) => `'${lexeme}':${ps.join(',')}`).join(' ');
}

/**
 * The query's tokens as a tsquery literal (any token matches, or with '&' every one; ranking counts them), or null when nothing is searchable.
 * `common(token)` marks tokens found in so many articles that they only add noise (司机 in a query about 绕路): they
 * are left out unless every token is common. ts_rank has no inverse document frequency; this is its cheap stand-in.
 */
export function tsqueryLiteral(query: string, common: (token: string) => boolean = () => false, operator: '|' | '&' = '|', opts: { rarest?: { budget: number; frequency: (token: string) => number } } = {}): string | null {
  let kept = queryTerms(query, common);
  // a short candidate list from the index: tokens unseen in the sample (rare or absent) and the rarest seen ones
  // while their summed frequency stays within `budget` (none, when even the rarest one is more frequent)
  if (opts.rarest) {
    const { budget, frequency } = opts.rarest;
    const seen = kept.map((t, i) => ({ t, i, f: frequency(t) })).filter((x) => x.f > 0).sort((a, b) => a.f - b.f || a.i - b.i);
    const chosen = new Set<string>();
    let total = 0;
    for (const x of seen) {
      if (total + x.f > budget) break;
      chosen.add(x.t);
      total += x.f;
    }
    kept = kept.filter((t) => frequency(t) === 0 || chosen.has(t));
  }
  return kept.length ? kept.map((t) => `'${t}'`).join(` ${operator} `) : null;
}

/** The query's distinct tokens without the common ones (all of them when every token is common). */
export function queryTerms(query: string, common: (token: string) => boolean = () => false): string[] {
  const tokens = [...new Set(kbTokens(query, { query: true }))];
  const telling = tokens.filter((t) => !common(t));
  return telling.length ? telling : tokens;
}

/** What trigram similarity compares: lower-case, simplified, punctuation folded to spaces. */
export function trigramText(text: string): string {
  return normalize(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Markdown to plain text for snippets: code fences (a rate table's YAML) and markup removed. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/^#+\s*/gm, '')
    .replace(/[*_`>|]+/g, ' ')
    .replace(/-{3,}/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A highlighted snippet (HTML-escaped, matches in <mark>) of about `width` characters around the first place
 * where a query term occurs; the text's beginning when none does.
 */
export function snippet(markdown: string, query: string, width = 120): string {
  const text = plainText(markdown);
  const norm = normalize(text); // same length as text: offsets are shared
  const terms = new Set<string>();
  for (const m of normalize(query).matchAll(RUN_RE)) {
    if (m[1]) {
      if (m[1].length === 1) terms.add(m[1]);
      for (const token of kbTokens(m[1], { query: true })) terms.add(token);
    } else if (m[2] && !EN_STOP.has(m[2])) terms.add(stem(m[2]));
    else if (m[3]) terms.add(m[3]);
  }
  // single characters (费) would light up everywhere: only when the query has nothing longer
  const longer = [...terms].filter((term) => term.length > 1);
  const spans: Array<[number, number]> = [];
  for (const term of longer.length ? longer : terms) {
    if (!term) continue;
    const wordLike = /^[a-z]/.test(term);
    let from = 0;
    for (let i = norm.indexOf(term, from); i >= 0; i = norm.indexOf(term, from)) {
      let end = i + term.length;
      if (wordLike) {
        if (i > 0 && /[a-z]/.test(norm[i - 1]!)) { from = i + 1; continue; }
        while (end < norm.length && /[a-z]/.test(norm[end]!)) end++; // the stem's whole word
      }
      spans.push([i, end]);
      from = end;
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([...s]);
  }
  const first = merged[0]?.[0] ?? 0;
  const start = Math.max(0, first - Math.floor(width / 3));
  const end = Math.min(text.length, start + width);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [s, e] of merged) {
    if (e <= start || s >= end) continue;
    const a = Math.max(s, start);
    const b = Math.min(e, end);
    out += escapeHtml(text.slice(at, a)) + '<mark>' + escapeHtml(text.slice(a, b)) + '</mark>';
    at = b;
  }
  out += escapeHtml(text.slice(at, end)) + (end < text.length ? '…' : '');
  return out;
}
