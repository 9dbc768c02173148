/**
 * Entity extraction for Chinese / English customer feedback.
 * Pure, synchronous. Offsets (start/end) refer to the ORIGINAL text
 * (full-width → half-width folding is length-preserving, so offsets stay valid).
 */
import { partOf, PartTests, type Part } from './parts';

export interface MoneyMention { fen: number; text: string; start: number; end: number; currency?: 'CNY' | 'USD' }
export interface DurationMention { minutes: number; text: string; start: number; end: number }
export type FeeItemCode =
  | 'base_fare' | 'distance_fee' | 'cross_city_surcharge' | 'waiting_fee' | 'toll'
  | 'night_surcharge' | 'porterage' | 'cancellation_fee' | 'coupon';
export interface Entities {
  orderIds: string[];
  amounts: MoneyMention[];
  durations: DurationMention[];
  phones: string[];
  feeItems: FeeItemCode[];
}

const FULL_WIDTH_RE = /[\uff01-\uff5e\u3000]/;
/** Length-preserving full-width → half-width fold (ASCII range + ideographic space). */
export function foldWidth(text: string): string {
  if (!FULL_WIDTH_RE.test(text)) return text; // the common case, and the hot path: nothing to fold
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------- numbers
const ZH_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 俩: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const ZH_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const ZH_NUM_CHARS = '零〇一壹二贰两俩三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万萬亿';

/** Parse a Chinese numeral such as 十五, 一百二十, 两千五, 三万, 一百二 (=120). Returns NaN if invalid. */
export function parseChineseNumber(s: string): number {
  if (!s) return NaN;
  // plain digit string like 一二三 → 123 (rare), only when no unit chars at all
  if (/^[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖]{2,}$/.test(s)) {
    let v = 0;
    for (const ch of s) v = v * 10 + ZH_DIGITS[ch]!;
    return v;
  }
  let total = 0;     // accumulated over 亿/万 sections
  let section = 0;   // current section below 万
  let digit = -1;    // pending digit
  let lastUnit = 0;
  for (const ch of s) {
    if (ch in ZH_DIGITS) {
      digit = ZH_DIGITS[ch]!;
    } else if (ch in ZH_UNITS) {
      const u = ZH_UNITS[ch]!;
      section += (digit < 0 ? 1 : digit) * u;
      digit = -1;
      lastUnit = u;
    } else if (ch === '万' || ch === '萬' || ch === '亿') {
      const u = ch === '亿' ? 1e8 : 1e4;
      if (digit >= 0) section += digit;
      total = (total + section) * u;
      section = 0; digit = -1; lastUnit = u / 10;
    } else return NaN;
  }
  if (digit >= 0) {
    // 一百二 → 120, 两千五 → 2500: a trailing bare digit after a unit means the next lower unit
    section += lastUnit >= 10 && s.length >= 2 && !/[零〇]/.test(s.slice(-2, -1)) ? digit * (lastUnit / 10) : digit;
  }
  return total + section;
}

function parseNumber(raw: string): number {
  const s = raw.replace(/[,\s]/g, '');
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s);
  if (s === '半') return 0.5;
  return parseChineseNumber(s);
}

const EN_NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90, half: 0.5, several: 3, few: 3, couple: 2,
};

const NUM = `\\d+(?:,\\d{3})*(?:\\.\\d+)?|[${ZH_NUM_CHARS}]+`;

// ---------------------------------------------------------------- regexes
const ORDER_ID_RE = /\b((?:ORD|ORDER|TF|TKT)[-_]?\d{4,})\b/gi;
const ORDER_AFTER_KEYWORD_RE =
  /(?:订单号|订单编号|订单|运单号|运单|单号|order\s*(?:no\.?|number|num|id|#)|order\s*#?)\s*(?:是|为)?[:：#\s]*([A-Za-z]{0,4}-?\d[\d-]{4,})/gi;
const PHONE_RE = /(?<![\d])(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)/g;

const MONEY_PREFIX_RE = new RegExp(
  `(?:[¥￥]|\\bRMB|\\bCNY|\\bUSD|US\\$|\\$)\\s*(${NUM.replace(/\|\[.*$/, '')})`, 'gi');
const MONEY_SUFFIX_RE = new RegExp(
  `(${NUM})\\s*(多)?\\s*(元钱|元|块钱|块(?!儿)|圆|毛钱|毛|角|rmb\\b|yuan\\b|cny\\b|kuai\\b|dollars?\\b|bucks?\\b|usd\\b)(?:\\s*([一二两三四五六七八九\\d])(?![\\d一二两三四五六七八九十百千万]|\\s*(?:个|小时|分钟|天)))?`, 'gi');

const DURATION_ZH_RE = new RegExp(
  `(${NUM}|半)\\s*(多)?\\s*(个)?\\s*(半)?\\s*(多)?\\s*(小时|钟头|分钟|天|周|星期)(半)?`, 'g');
const DURATION_EN_RE =
  /\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety|half(?:\s+an?)?|several|a\s+few|a\s+couple\s+of|couple\s+of)\s*(?:-\s*)?(and\s+a\s+half\s+)?(hours?|hrs?|h|minutes?|mins?|m|days?|weeks?)\b(\s+and\s+a\s+half)?/gi;

const FEE_PATTERNS: Array<[FeeItemCode, RegExp]> = [
  ['waiting_fee', /等候费|等待费|等时费|等车费|超时等候|超时费|waiting\s*(?:fee|charge|time\s*fee)s?|wait(?:ing)?[-\s]time\s+charges?|wait\s*fees?/i],
  ['cross_city_surcharge', /跨城附加费|跨城费|跨市费|异地费|跨城费用|cross[-\s]?city\s*(?:surcharge|fee|charge)s?|inter[-\s]?city\s*(?:surcharge|fee)s?/i],
  ['toll', /过路费|高速费|路桥费|过桥费|通行费|tolls?\b|highway\s*fees?|road\s*fees?|bridge\s*fees?/i],
  ['base_fare', /起步价|起步费|基础运费|基础价|base\s*(?:fare|fee|price)|starting\s*(?:fare|price)|flag[-\s]?fall/i],
  ['distance_fee', /里程费|超里程费|超公里费|公里费|distance\s*(?:fee|charge)s?|mileage\s*(?:fee|charge)s?|per[-\s]km\s*(?:fee|charge|rate)/i],
  ['night_surcharge', /夜间附加费|夜间服务费|夜间费|夜间加价|night\s*(?:surcharge|fee|charge|rate)s?|late[-\s]night\s*(?:fee|surcharge)/i],
  ['porterage', /搬运费|装卸费|上楼费|搬运服务费|跟车费|porterage|loading\s*(?:fee|charge)s?|carrying\s*(?:fee|charge)s?|(?:moving|labou?r)\s*(?:fee|charge)s?|stairs?\s*fees?/i],
  ['cancellation_fee', /取消费|违约金|取消订单费|取消费用|取消订单.{0,4}扣|cancell?ation\s*(?:fee|charge|penalty)s?|cancel\s*(?:fee|charge)s?/i],
  ['coupon', /优惠券|优惠卷|代金券|抵用券|优惠码|coupons?|vouchers?|promo\s*codes?|discount\s*codes?/i],
];
export const FEE_ITEM_CODES: readonly FeeItemCode[] = FEE_PATTERNS.map(([code]) => code);

/** The matches of a global regex, as String.prototype.matchAll finds them, without the copy of the regex matchAll makes per call. */
function matches(re: RegExp, t: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

interface Span { start: number; end: number }
const overlaps = (a: Span, spans: Span[]) => spans.some((b) => a.start < b.end && b.start < a.end);

function mask(p: string): string {
  const d = p.replace(/\D/g, '').slice(-11);
  return `${d.slice(0, 3)}****${d.slice(7)}`;
}

/** Replace every mobile phone number with its masked form (138****5678), e.g. for logs. */
export function maskPhones(text: string): string {
  const folded = foldWidth(text);
  let out = '';
  let last = 0;
  for (const m of matches(PHONE_RE, folded)) {
    out += text.slice(last, m.index!) + `${m[1]}****${m[3]}`;
    last = m.index! + m[0].length;
  }
  return out + text.slice(last);
}

function durationZh(m: RegExpMatchArray): number {
  const [, numRaw, , , midHalf, , unit, tailHalf] = m;
  let n = parseNumber(numRaw!);
  if (!Number.isFinite(n)) return NaN;
  if (midHalf || tailHalf) n += 0.5;
  const per: Record<string, number> = { 小时: 60, 钟头: 60, 分钟: 1, 天: 1440, 周: 10080, 星期: 10080 };
  return n * per[unit!]!;
}

function durationEn(m: RegExpMatchArray): number {
  const numRaw = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  let n: number;
  if (/^\d/.test(numRaw)) n = parseFloat(numRaw);
  else if (numRaw.startsWith('half')) n = 0.5;
  else if (numRaw.includes('few')) n = 3;
  else if (numRaw.includes('couple')) n = 2;
  else n = EN_NUMBERS[numRaw] ?? NaN;
  if (m[2] || m[4]) n += 0.5;
  const u = m[3]!.toLowerCase();
  const per = u.startsWith('h') ? 60 : u.startsWith('d') ? 1440 : u.startsWith('w') ? 10080 : 1;
  return n * per;
}

/**
 * Entities of a text (memoised for the last few texts: a span is often both scored and an issue). Callers get a fresh
 * copy of the arrays, so mutating a result never changes another.
 */
export function extractEntities(text: string): Entities {
  const e = readEntities(text);
  return { orderIds: [...e.orderIds], amounts: e.amounts.map((a) => ({ ...a })), durations: e.durations.map((d) => ({ ...d })), phones: [...e.phones], feeItems: [...e.feeItems] };
}
const entityMemo = new Map<string, Entities>();
/** The memoised entities themselves, for readers that only look (the scorer): no copy. Never mutate the result. */
export function readEntities(text: string): Readonly<Entities> {
  let e = entityMemo.get(text);
  if (!e) {
    e = extractUncached(text);
    if (entityMemo.size >= 32) entityMemo.delete(entityMemo.keys().next().value!);
    entityMemo.set(text, e);
  }
  return e;
}

// Prefilters: a cheap test of something every ACCEPTED match of a pattern contains (read off the pattern), so that
// skipping the pattern when it fails changes nothing. Most spans have no digit, unit, currency or fee word. They are
// run through PartTests: a clause of the message being classified skips those its whole message already failed.
const PREFILTER = {
  /** order ids, phones and ¥/$ amounts all need an Arabic digit */
  digit: /\d/,
  orderIdWord: /ord|tf|tkt/i,           // ORD|ORDER|TF|TKT
  orderKeyword: /单|order/i,            // 订单号 … 单号, order …
  fourDigits: /\d{4}/,                  // a mobile number has runs of four digits
  /** every Chinese duration needs one of its unit words */
  durationZhUnit: /小时|钟头|分钟|天|周|星期/,
  /** an English duration is kept only with a spelled unit or a digit before its unit ("5m", "2 - h", "3 and a half days") */
  durationEnNeed: /\d\s*-?\s*(?:and\s+a\s+half\s+)?[hmdw]|hour|hr|min|day|week/i,
  moneyPrefixSign: /[¥￥$]|rmb|cny|usd/i, // ¥ ￥ RMB CNY USD US$ $
  moneySuffixUnit: /[元块圆毛角]|rmb|yuan|cny|kuai|dollar|buck|usd/i,
  /** every fee pattern contains one of these: 费 价 金 扣 券 卷 码 (超时等候 → 候), or one of the English words */
  feeWord: /[费价金扣券卷码候]|fee|charge|toll|fare|price|flag|rate|porterage|penalt|coupon|voucher|code|wait/i,
};
type Prefilter = keyof typeof PREFILTER;
const PREFILTER_NAMES = Object.keys(PREFILTER) as Prefilter[];
const PREFILTER_INDEX = Object.fromEntries(PREFILTER_NAMES.map((k, i) => [k, i])) as Record<Prefilter, number>;
const PREFILTER_TESTS = new PartTests(PREFILTER_NAMES.map((k) => PREFILTER[k]));
const FEE_TESTS = new PartTests(FEE_PATTERNS.map(([, re]) => re));
/** Could `t` (of the given part of the message) hold what the prefilter asks for? */
const may = (what: Prefilter, t: string, part: Part) => PREFILTER_TESTS.test(PREFILTER_INDEX[what], t, part);

function extractUncached(text: string): Entities {
  const t = foldWidth(text ?? '');
  const part = partOf(t);
  const digits = may('digit', t, part);
  const orderSpans: Span[] = [];
  const orderIds = digits ? findOrderIds(t, part, orderSpans) : [];
  const taken: Span[] = orderSpans;
  const phones = digits && may('fourDigits', t, part) ? findPhones(t, taken) : [];
  const durations = findDurations(text, t, part, taken);
  const amounts = findAmounts(text, t, part, digits, taken);
  return { orderIds, amounts, durations, phones, feeItems: may('feeWord', t, part) ? findFeeItems(t, part) : [] };
}

function findOrderIds(t: string, part: Part, orderSpans: Span[]): string[] {
  const orderIds: string[] = [];
  for (const m of (may('orderIdWord', t, part) ? matches(ORDER_ID_RE, t) : [])) {
    const id = m[1]!.toUpperCase();
    orderSpans.push({ start: m.index!, end: m.index! + m[0].length });
    if (!orderIds.includes(id)) orderIds.push(id);
  }
  for (const m of (may('orderKeyword', t, part) ? matches(ORDER_AFTER_KEYWORD_RE, t) : [])) {
    const id = m[1]!.toUpperCase().replace(/-+$/, '');
    const start = m.index! + m[0].length - m[1]!.length;
    const sp = { start, end: start + m[1]!.length };
    if (overlaps(sp, orderSpans)) continue;
    orderSpans.push(sp);
    if (!orderIds.includes(id)) orderIds.push(id);
  }
  return orderIds;
}

/** phones outside the spans taken so far (which they join) */
function findPhones(t: string, taken: Span[]): string[] {
  const phones: string[] = [];
  for (const m of matches(PHONE_RE, t)) {
    const sp = { start: m.index!, end: m.index! + m[0].length };
    if (overlaps(sp, taken)) continue;
    taken.push(sp);
    const masked = mask(m[0]);
    if (!phones.includes(masked)) phones.push(masked);
  }
  return phones;
}

/** durations outside the spans taken (before money, so "2小时" isn't money; money suffix units never collide anyway) */
function findDurations(text: string, t: string, part: Part, taken: Span[]): DurationMention[] {
  const durations: DurationMention[] = [];
  if (may('durationZhUnit', t, part)) for (const m of matches(DURATION_ZH_RE, t)) addDuration(durations, text, taken, m, durationZh(m));
  if (may('durationEnNeed', t, part)) {
    for (const m of matches(DURATION_EN_RE, t)) {
      // English: bare "m"/"h" only after digits
      if (/^(m|h)$/i.test(m[3]!) && !/^\d/.test(m[1]!)) continue;
      addDuration(durations, text, taken, m, durationEn(m));
    }
  }
  return durations.sort((a, b) => a.start - b.start);
}
function addDuration(durations: DurationMention[], text: string, taken: Span[], m: RegExpMatchArray, minutes: number): void {
  const sp = { start: m.index!, end: m.index! + m[0].length };
  if (overlaps(sp, taken) || !Number.isFinite(minutes) || minutes <= 0) return;
  taken.push(sp);
  durations.push({ minutes: Math.round(minutes * 100) / 100, text: text.slice(sp.start, sp.end), ...sp });
}

function findAmounts(text: string, t: string, part: Part, digits: boolean, taken: Span[]): MoneyMention[] {
  const amounts: MoneyMention[] = [];
  for (const m of (digits && may('moneyPrefixSign', t, part) ? matches(MONEY_PREFIX_RE, t) : [])) {
    const sym = m[0].trim().toUpperCase();
    const currency = sym.startsWith('$') || sym.startsWith('US') ? 'USD' : 'CNY';
    addMoney(amounts, text, taken, m, parseNumber(m[1]!), currency);
  }
  for (const m of may('moneySuffixUnit', t, part) ? matches(MONEY_SUFFIX_RE, t) : []) {
    let value = parseNumber(m[1]!);
    const unit = m[3]!.toLowerCase();
    if (unit.startsWith('毛') || unit === '角') value /= 10;
    if (m[4]) {
      // 三块五 → 3.5, 十元五角 handled loosely
      const d = /\d/.test(m[4]) ? parseInt(m[4], 10) : ZH_DIGITS[m[4]]!;
      if (!unit.startsWith('毛') && unit !== '角') value += d / 10;
    }
    addMoney(amounts, text, taken, m, value, /dollar|buck|usd/.test(unit) ? 'USD' : 'CNY');
  }
  return amounts.sort((a, b) => a.start - b.start);
}
function addMoney(amounts: MoneyMention[], text: string, taken: Span[], m: RegExpMatchArray, value: number, currency: 'CNY' | 'USD'): void {
  const start = m.index!, end = m.index! + m[0].length;
  const sp = { start, end };
  if (!Number.isFinite(value) || overlaps(sp, taken)) return;
  taken.push(sp);
  amounts.push({ fen: Math.round(value * 100), text: text.slice(start, end), start, end, ...(currency === 'USD' ? { currency } : {}) });
}

/** fee items in order of first mention */
function findFeeItems(t: string, part: Part): FeeItemCode[] {
  const found: Array<[number, FeeItemCode]> = [];
  for (let i = 0; i < FEE_PATTERNS.length; i++) {
    if (FEE_TESTS.ruledOut(i, part)) continue;
    const [code, re] = FEE_PATTERNS[i]!;
    const m = re.exec(t);
    if (m) found.push([m.index, code]);
  }
  found.sort((a, b) => a[0] - b[0]);
  return found.map(([, c]) => c);
}
