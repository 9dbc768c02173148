/**
 * Language detection, normalisation, tokenisation and clause splitting.
 * Normalisation is LENGTH-PRESERVING (1 UTF-16 unit in → 1 out), so offsets computed on the
 * normalised text are valid offsets into the original text.
 */
import nlp from 'compromise';

export type Language = 'zh' | 'en' | 'mixed' | 'unknown';

// ------------------------------------------------------------ traditional → simplified
// A cheap table of common traditional characters (pairs: traditional, simplified).
const T2S_PAIRS =
  '這这個个們们來来時时間间說说為为後后點点過过還还進进對对問问題题錢钱給给開开發发單单號号會会員员' +
  '帳账戶户碼码應应該该讓让麼么樣样與与從从實实際际貨货運运輸输損损壞坏丟丢遺遗聯联繫系電电話话態态' +
  '惡恶車车輛辆駕驾駛驶師师費费額额價价貴贵錯错誤误處处理理請请幫帮謝谢網网頁页載载閃闪設设備备' +
  '應应軟软體体導导離离線线繞绕遠远隨随亂乱禮礼罵骂兇凶嚇吓騷骚擾扰傷伤醫医報报險险撞撞禍祸現现場场' +
  '確确認认嗎吗關关閉闭帳账錄录驗验證证數数據据讀读寫写東东區区義义樂乐無无書书見见長长門门風风' +
  '飛飞鳥鸟馬马魚鱼氣气熱热愛爱歲岁歷历壓压廣广專专業业產产親亲養养觀观動动勞劳務务機机場场' +
  '紅红綠绿藍蓝黃黄級级紙纸結结給给統统線线終终經经絡络維维約约納纳紀纪紹绍細细組组織织' +
  '詢询評评論论許许訴诉該该詳详誰谁調调談谈課课講讲護护讓让變变貨货賠赔償偿購购買买賣卖' +
  '資资質质賬账贈赠贊赞趕赶車车軌轨轉转輕轻較较輪轮邊边達达遲迟違违適适選选還还郵邮鄉乡' +
  '針针鐘钟鐵铁銀银錶表鎖锁長长門门閒闲闖闯陸陆陽阳隊队際际難难雜杂雖虽雙双雲云靈灵響响頂顶' +
  '順顺須须預预領领頭头顏颜願愿類类顯显風风飯饭餘余館馆駐驻騙骗驚惊髮发鬧闹點点齊齐龍龙' +
  '團团園园圖图塊块壞坏夠够奪夺媽妈嬰婴寬宽寶宝將将對对尋寻屬属嶺岭廳厅彈弹從从復复態态' +
  '慣惯憑凭懷怀戰战擁拥據据擔担擊击擠挤攜携敗败數数斷断舊旧時时顧顾餓饿憂忧獲获環环療疗' +
  '盡尽監监盤盘確确禮礼稱称穩稳窮穷竊窃筆笔範范簡简糧粮緊紧總总績绩繼继續续罰罚聽听職职' +
  '膠胶臨临舉举艙舱藥药蘇苏處处號号衝冲補补裝装製制覺觉視视親亲計计訂订記记設设證证識识' +
  '護护豐丰負负責责費费貼贴賠赔跡迹躍跃輔辅辦办農农連连週周運运過过錄录鬥斗麵面壹壹貳贰';
const T2S = new Map<string, string>();
for (let i = 0; i + 1 < T2S_PAIRS.length; i += 2) T2S.set(T2S_PAIRS[i]!, T2S_PAIRS[i + 1]!);

/**
 * Normalise: full-width → half-width, lower case, common traditional → simplified characters.
 * The result has exactly the same length as the input (offsets are shared).
 */
export function normalize(text: string): string {
  // the same message is normalised again for its priority cues: remember the last one
  if (text === lastNormalized.text) return lastNormalized.norm;
  const norm = normalizeUncached(text);
  lastNormalized = { text, norm };
  return norm;
}
let lastNormalized = { text: '', norm: '' };
function normalizeUncached(text: string): string {
  if (!needsNormalizing(text)) return text; // most messages: nothing to change, no new string
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const c = ch.charCodeAt(0);
    if (c >= 0xff01 && c <= 0xff5e) { out += String.fromCharCode(c - 0xfee0).toLowerCase(); continue; }
    if (c === 0x3000) { out += ' '; continue; }
    if (c < 0x80) { out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : ch; continue; }
    const s = T2S.get(ch);
    if (s) { out += s; continue; }
    if (c >= 0x3400 && c <= 0x9fff) { out += ch; continue; } // CJK has no case: spare toLowerCase's new string
    const l = ch.toLowerCase();
    out += l.length === 1 ? l : ch;
  }
  return out;
}

/** Would normalizeUncached change any character of `text`? (The same tests, in the same order, without building a string.) */
function needsNormalizing(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) { if (c >= 65 && c <= 90) return true; continue; }
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) return true;
    const ch = text[i]!;
    const simplified = T2S.get(ch);
    if (simplified) { if (simplified !== ch) return true; continue; } // a few pairs map a character to itself (理)
    if (c >= 0x3400 && c <= 0x9fff) continue;
    const l = ch.toLowerCase();
    if (l.length === 1 && l !== ch) return true;
  }
  return false;
}

// ------------------------------------------------------------ language detection
/** Latin words of the service's own vocabulary, which say nothing about the language (case-insensitive) */
const NEUTRAL_LATIN = new Set(['app', 'gps', 'vip', 'ok', 'id', 'rmb', 'cny', 'ord', 'km', 'kg']);
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isKanaHangul = (c: number) => (c >= 0x3040 && c <= 0x30ff) || (c >= 0xac00 && c <= 0xd7af);
const isOtherLetter = (c: number) => (c >= 0x0400 && c <= 0x04ff) || (c >= 0x0590 && c <= 0x06ff) || (c >= 0x0900 && c <= 0x0e7f);

/**
 * Counts of the scripts in a text, in one scan of its character codes: CJK ideographs, kana / hangul, other
 * scripts (Cyrillic, Hebrew, Arabic, Indic, Thai), and the Latin words of two letters or more that are not neutral.
 */
function scriptCounts(text: string): { cjk: number; kana: number; other: number; latinWords: number; latinChars: number } {
  let cjk = 0, kana = 0, other = 0, latinWords = 0, latinChars = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (isAsciiLetter(c)) {
      const end = runEnd(text, i + 1, isAsciiLetter);
      if (end - i >= 2 && !NEUTRAL_LATIN.has(text.slice(i, end).toLowerCase())) { latinWords++; latinChars += end - i; }
      i = end;
      continue;
    }
    if (isHan(c)) cjk++;
    else if (isKanaHangul(c)) kana++;
    else if (isOtherLetter(c)) other++;
    i++;
  }
  return { cjk, kana, other, latinWords, latinChars };
}

export function detectLanguage(text: string): Language {
  const { cjk, kana, other, latinWords, latinChars } = scriptCounts(text);
  if (kana > cjk * 0.3 && kana >= 2) return 'unknown'; // Japanese / Korean
  if (cjk === 0 && latinWords === 0) return 'unknown';
  if (other > cjk + latinChars) return 'unknown';
  if (cjk === 0) return latinWords >= 1 ? 'en' : 'unknown';
  if (latinWords === 0) return 'zh';
  // both scripts present: mixed when the English part is substantial
  if (latinChars >= 8 && latinChars >= cjk * 0.5) return cjk >= 4 ? 'mixed' : 'en';
  if (latinWords >= 3 && cjk >= 2) return 'mixed';
  return 'zh';
}

// ------------------------------------------------------------ English lemmas (compromise, cached)
const LEMMA_CACHE = new Map<string, string>();
const IRREGULAR: Record<string, string> = {
  was: 'be', were: 'be', is: 'be', are: 'be', am: 'be', been: 'be', being: 'be', "i'm": 'i',
  did: 'do', does: 'do', done: 'do', had: 'have', has: 'have', got: 'get', gotten: 'get',
  came: 'come', went: 'go', gone: 'go', took: 'take', taken: 'take', paid: 'pay', lost: 'lose',
  broke: 'break', broken: 'break', left: 'leave', said: 'say', told: 'tell', drove: 'drive', driven: 'drive',
  charged: 'charge', arrived: 'arrive', cancelled: 'cancel', canceled: 'cancel', fees: 'fee', tolls: 'toll',
};
/** The lemmas compromise computed so far (a model saves those of its training words: no tagger run for them later). */
export function computedLemmas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [w, l] of LEMMA_CACHE) if (!IRREGULAR[w] && w.length > 3 && !/\d/.test(w)) out[w] = l;
  return out;
}
/** Seed the lemma cache (from a model's saved lemmas: the same function computed them). */
export function seedLemmas(table: Record<string, string>): void {
  for (const [w, l] of Object.entries(table)) if (!LEMMA_CACHE.has(w)) LEMMA_CACHE.set(w, l);
}

/** Lemma of a lower-case English word via compromise (cached per word, so hot paths stay fast). */
export function lemma(word: string): string {
  const hit = LEMMA_CACHE.get(word);
  if (hit !== undefined) return hit;
  let out = IRREGULAR[word];
  if (!out) {
    if (word.length <= 3 || /\d/.test(word)) out = word;
    else {
      try {
        const doc = nlp(word);
        doc.compute('root');
        const t = (doc.json() as Array<{ terms: Array<{ root?: string; normal?: string }> }>)[0]?.terms[0];
        out = (t?.root || t?.normal || word).toLowerCase();
        if (!/^[a-z'-]+$/.test(out)) out = word;
      } catch {
        out = word;
      }
    }
  }
  if (LEMMA_CACHE.size > 100_000) LEMMA_CACHE.clear();
  LEMMA_CACHE.set(word, out);
  return out;
}

// ------------------------------------------------------------ tokenisation
let segmenter: Intl.Segmenter | undefined;
function zhSegmenter(): Intl.Segmenter {
  return (segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' }));
}

const SEG_CACHE = new Map<string, string[]>();
/** Chinese word segmentation (Intl.Segmenter), cached per run of Chinese characters. */
export function segmentZh(run: string): string[] {
  let ws = SEG_CACHE.get(run);
  if (!ws) {
    ws = [];
    for (const s of zhSegmenter().segment(run)) ws.push(s.segment);
    if (SEG_CACHE.size > 20_000) SEG_CACHE.clear();
    SEG_CACHE.set(run, ws);
  }
  return ws;
}

export interface Tokens {
  /** Chinese words (Intl.Segmenter) and English lemmas (with neg_ marks), in order */
  words: string[];
  /** Chinese character runs (for 1–3 grams) */
  zhRuns: string[];
  /** English surface words (for character 3–5 grams) */
  enWords: string[];
}

const NEGATORS = new Set(['not', 'no', 'never', 'without', 'nobody', 'nothing', 'none', 'neither', 'nor', 'cannot']);
// The runs of /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z][a-z'’]*)|(\d+(?:[.:]\d+)?)/g, found by a scan of the
// character codes (the three kinds start with disjoint characters, so the scan finds exactly the matches of the regex
// without building a match array per token).
const isHan = (c: number) => (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);
const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const APOSTROPHE = 39, RIGHT_QUOTE = 0x2019;
/** end of the run of characters from `i` on that pass `test` */
function runEnd(text: string, i: number, test: (c: number) => boolean): number {
  while (i < text.length && test(text.charCodeAt(i))) i++;
  return i;
}
const inEnglishWord = (c: number) => isLower(c) || c === APOSTROPHE || c === RIGHT_QUOTE;
/** end of a number at `i`: digits, then [.:] and digits when a digit follows */
function numberEnd(text: string, i: number): number {
  i = runEnd(text, i, isDigit);
  const c = text.charCodeAt(i);
  return (c === 46 || c === 58) && isDigit(text.charCodeAt(i + 1)) ? runEnd(text, i + 1, isDigit) : i;
}

/** Tokenise NORMALISED text. */
export function tokenize(norm: string): Tokens {
  const words: string[] = [];
  const zhRuns: string[] = [];
  const enWords: string[] = [];
  let negLeft = 0;
  const quoted = norm.includes("'") || norm.includes('’');
  const text = quoted ? norm.replace(/n[’']t\b/g, ' not') : norm;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (isHan(c)) {
      const end = runEnd(text, i + 1, isHan);
      const run = text.slice(i, end);
      zhRuns.push(run);
      const ws = segmentZh(run);
      for (let k = 0; k < ws.length; k++) words.push(ws[k]!);
      negLeft = 0;
      i = end;
    } else if (isLower(c)) {
      const end = runEnd(text, i + 1, inEnglishWord);
      const raw = text.slice(i, end);
      i = end;
      const w = quoted ? raw.replace(/[’']s$/, '').replace(/[’']/g, '') : raw;
      if (!w) continue;
      enWords.push(w);
      if (NEGATORS.has(w)) { words.push('not'); negLeft = 3; continue; }
      const l = lemma(w);
      if (negLeft > 0) { words.push('neg_' + l); negLeft--; } else words.push(l);
    } else if (isDigit(c)) {
      words.push('<num>');
      i = numberEnd(text, i);
    } else i++;
  }
  return { words, zhRuns, enWords };
}

// ------------------------------------------------------------ clause splitting
export interface Clause { start: number; end: number; text: string }

// Connectives and punctuation that separate candidate issues. Order matters (longest first).
const SPLIT_RE = new RegExp(
  [
    '[，,。；;！!？?\\n\\r、~…]+',
    '(?<!\\d)\\.(?!\\d)',
    '并且|而且|另外|同时|以及|此外|再加上|再者|然后|但是|可是|不过|况且|甚至|并(?=[\\u4e00-\\u9fff])(?![且非不没])|且',
    '还有|(?<![退归偿送交])还(?![没未不是在要得有能可会好行差款钱给])',
    '\\b(?:and|also|plus|as well as|but|then|additionally|moreover|besides|on top of that|what\'s more|furthermore)\\b',
  ].join('|'),
  'g',
);
const PUNCT_RE = /^[，,。；;！!？?\n\r、~….\s]+$/;
/** English words that make up a bare subject ("the driver", "he", "the movers"). */
const SUBJECT_WORDS = new Set('the a his her my our their this that he she they it i we you driver drivers mover movers helper helpers guy guys man staff support app courier'.split(' '));
/** A fragment too small to stand alone, or a bare English subject ("the driver" of "the driver also swore"): no clause of its own. */
function isSubjectOnly(s: string, minSize: number): boolean {
  if (contentSize(s) < minSize) return true;
  const words = /[\u3400-\u9fff]/.test(s) ? [] : (s.match(/[a-z0-9]+/gi) ?? []);
  return words.length > 0 && words.length <= 3 && words.every((w) => SUBJECT_WORDS.has(w));
}

/** CJK characters count 1, runs of ASCII letters/digits 2 (an English word ≈ 2 CJK chars) — what /[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]+/gi would match, counted in one loop. */
function contentSize(s: string): number {
  let n = 0;
  let inRun = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (alnum) { if (!inRun) n += 2; inRun = true; continue; }
    inRun = false;
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) n += 1;
  }
  return n;
}

interface Piece extends Clause { beforeWord: boolean }
/** characters trimmed off both ends of a clause */
const EDGE_RE = /[\s"'“”‘’()（）【】\[\]:：-]/;
/** the piece norm[s, e) without its edge characters, unless nothing is left */
function pushPiece(pieces: Piece[], norm: string, s: number, e: number, beforeWord: boolean): void {
  while (s < e && EDGE_RE.test(norm[s]!)) s++;
  while (e > s && EDGE_RE.test(norm[e - 1]!)) e--;
  if (e > s) pieces.push({ start: s, end: e, text: norm.slice(s, e), beforeWord });
}

/**
 * Split NORMALISED text into candidate clauses on conjunctions and punctuation.
 * Fragments that are too small to stand alone (< minSize content units) are glued to the previous clause
 * (or to the next when first). Returned spans are trimmed and index into the original text.
 */
export function splitClauses(norm: string, minSize = 3): Clause[] {
  const pieces: Piece[] = [];
  let last = 0;
  SPLIT_RE.lastIndex = 0; // an exec loop: matchAll would copy the regex on every call
  for (let m = SPLIT_RE.exec(norm); m !== null; m = SPLIT_RE.exec(norm)) {
    pushPiece(pieces, norm, last, m.index, !PUNCT_RE.test(m[0]));
    last = m.index + m[0].length;
  }
  pushPiece(pieces, norm, last, norm.length, false);
  // glue small fragments. One cut off by a conjunction rather than punctuation ("态度|还特别差", "到了|还收我等候费",
  // "the driver|also swore at me") is the subject of what follows: it joins the next clause; others join the previous one.
  const out: Clause[] = [];
  let carry: number | undefined;
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    const start = carry ?? p.start;
    carry = undefined;
    const text = norm.slice(start, p.end);
    if (p.beforeWord && k + 1 < pieces.length && isSubjectOnly(text, minSize)) { carry = start; continue; }
    const prev = out[out.length - 1];
    if (prev && contentSize(text) < minSize) {
      prev.end = p.end; prev.text = norm.slice(prev.start, prev.end);
    } else if (prev && contentSize(prev.text) < minSize) {
      prev.end = p.end; prev.text = norm.slice(prev.start, prev.end);
    } else out.push({ start, end: p.end, text });
  }
  if (out.length === 0) {
    const t = norm.trim();
    const s = norm.indexOf(t);
    return [{ start: s, end: s + t.length, text: t }];
  }
  return out;
}
