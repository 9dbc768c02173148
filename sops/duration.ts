// SOP durations: '500ms', '30s', '15m', '24h', '2d', or '$name' = the policy value of that name in ms.
// Pure and deterministic: imported by workflow code.
import type { Duration } from './types';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const LITERAL = /^(\d+)(ms|s|m|h|d)$/;
const POLICY_REF = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/** Milliseconds of a duration; throws an Error saying what is wrong. Durations are positive whole numbers of a unit. */
export function parseDuration(d: Duration, policy?: Record<string, unknown>): number {
  if (typeof d !== 'string') throw new Error(`duration must be a string like '30s', '15m', '24h', '2d' or '$policyName', got ${JSON.stringify(d)}`);
  const ref = POLICY_REF.exec(d);
  if (ref) {
    const name = ref[1]!;
    const value = policy && Object.prototype.hasOwnProperty.call(policy, name) ? policy[name] : undefined;
    if (value === undefined) throw new Error(`duration '${d}' refers to policy value '${name}', which the policy does not define`);
    if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value <= 0) {
      throw new Error(`duration '${d}': policy value '${name}' must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  const m = LITERAL.exec(d);
  if (!m) throw new Error(`invalid duration '${d}': use a whole number with a unit (ms, s, m, h, d), e.g. '30s', '15m', '24h', '2d', or '$policyName'`);
  const n = Number(m[1]);
  if (n <= 0) throw new Error(`invalid duration '${d}': must be greater than zero`);
  const ms = n * UNIT_MS[m[2]!]!;
  if (!Number.isSafeInteger(ms)) throw new Error(`invalid duration '${d}': too large`);
  return ms;
}

/** The error message of a duration, or null when it parses. */
export function durationError(d: unknown, policy?: Record<string, unknown>): string | null {
  try {
    parseDuration(d as Duration, policy);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function isValidDuration(d: unknown, policy?: Record<string, unknown>): d is Duration {
  return durationError(d, policy) === null;
}
