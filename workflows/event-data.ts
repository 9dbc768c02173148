// What the ticket workflow writes into its events: small, and marked when it belongs to no SOP step.

export const mapValues = (o: Record<string, unknown>, fn: (v: unknown) => unknown) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fn(v)]));

/** Events of the intake, the rating and the reopen belong to no SOP step (they may arrive while one runs). */
const NON_STEP_KINDS = new Set(['created', 'rated', 'review_opened', 'review_closed', 'reopened']);
export const outsideSteps = (kind: string) => NON_STEP_KINDS.has(kind);

/** Keeps events small: a large output is summarised by its scalar fields. */
export function summarize(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || JSON.stringify(value).length <= 1_000) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v === null || typeof v !== 'object'));
}
