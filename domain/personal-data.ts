// Personal data kept out of what many people read (ticket events, logs): pure functions, one list
// of what counts as personal. Contact details are masked (the last digits stay recognisable);
// values that are secret or locate a person (coupon codes, addresses, signatures) are dropped.

/** Mainland mobile numbers, with or without +86/86, not inside a longer number or an id (letters around). */
const PHONE_RE = /(?<![\w+])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\w)/g;
const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

export const maskPhone = (phone: string): string => phone.replace(PHONE_RE, '$1****$3');
export const maskEmail = (email: string): string => email.replace(EMAIL_RE, '$1***@$2');

/** Masks every phone number and e-mail address in free text. */
export function maskText(text: string): string {
  return maskEmail(maskPhone(text));
}

/** Fields removed wherever they occur (lower-cased names). */
const DROPPED = new Set(['couponcode', 'address', 'addresses', 'signedby', 'password', 'token']);
/** Fields whose (string) value is a contact detail, masked. */
const MASKED = new Set(['userphone', 'phone', 'mobile', 'email']);

/** A contact field: the recognised parts masked, anything else but its last 4 characters. */
function maskContact(value: string): string {
  const masked = maskText(value);
  if (masked !== value) return masked;
  return value.length > 4 ? `${'*'.repeat(value.length - 4)}${value.slice(-4)}` : '****';
}

const MAX_DEPTH = 32;

/**
 * A copy of `value` without personal data: dropped fields removed, contact fields and any phone
 * number or e-mail address inside strings masked, at every depth. Never mutates its input.
 */
export function withoutPersonalData<T>(value: T): T {
  return strip(value, 0) as T;
}

function strip(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => strip(v, depth + 1));
  return cleanFields(value, (v) => strip(v, depth + 1));
}

/**
 * For log lines: every string in plain objects, arrays and errors masked (and personal fields
 * handled as above); other objects (requests, sockets) are left to the logger's serializers.
 */
export function maskForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskText(value.message), ...(value.stack ? { stack: maskText(value.stack) } : {}), ...(value.cause ? { cause: maskForLog(value.cause, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => maskForLog(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return cleanFields(value, (v) => maskForLog(v, depth + 1));
}

/** A plain object's fields: personal ones dropped or masked, the others cleaned by `inner`. */
function cleanFields(value: object, inner: (v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (DROPPED.has(name)) continue;
    const clean = MASKED.has(name) && typeof v === 'string' ? maskContact(v) : inner(v);
    // defineProperty: a "__proto__" key from JSON stays a plain field, never a prototype
    Object.defineProperty(out, key, { value: clean, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
