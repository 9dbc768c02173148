// Personal data masked at read time for callers without tickets:read_pii: phone numbers, addresses
// and coupon codes in tickets, events and live state (old rows included, whatever wrote them).

const SENSITIVE_KEY = /phone|address|couponcode|coupon_code/i;
/** mainland mobile numbers and +country numbers inside free text */
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|\+\d{1,3}[- ]?\d[\d -]{6,14}\d/g;

/** the finance system's coupon codes, wherever a message quotes one */
const COUPON_IN_TEXT = /\bCPN-[A-Z0-9]{4,}\b/g;

export const MASK = '***';

function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => `${MASK}${m.replace(/\D/g, '').slice(-4)}`).replace(COUPON_IN_TEXT, MASK);
}

/** A deep copy with sensitive fields replaced and phone numbers in text masked. */
export function maskPersonalData<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value instanceof Date) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) && inner !== null && inner !== undefined && typeof inner !== 'object' ? MASK : walk(inner);
    }
    return out;
  }
  return value;
}
