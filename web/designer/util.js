// Plain-data helpers shared by the model, the diff and the draft store.
export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
/** JSON with sorted keys: equal documents give equal strings whatever their key order */
export function stable(v) {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
export const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
