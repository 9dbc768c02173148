// Which SOP version a ticket runs: the latest published one whose appliesTo matches its label.
// The document travels in the workflow input, so a running ticket never changes procedure.
import { ApplicationFailure } from '@temporalio/activity';
import type { Database } from '../schema';
import { getSopVersion, latestSops, type SopVersionRow } from '../schema/sop-repository';
import type { SopDocument } from '../sops/types';
import { policyInForce } from './rates';

export interface ResolvedSop {
  document: SopDocument;
  /** the document's policy with the rate-table values it binds (in force now, when the ticket starts) and this environment's overrides applied */
  policy: Record<string, number | string | boolean>;
}

/** 2 = exact label, 1 = 'category/*', 0 = no match */
function specificity(pattern: string, label: string): number {
  if (pattern === label) return 2;
  return pattern.endsWith('/*') && label.startsWith(pattern.slice(0, -1)) ? 1 : 0;
}

export function pickSop(latest: SopVersionRow[], label: string): SopVersionRow | undefined {
  let best: { row: SopVersionRow; score: number } | undefined;
  for (const row of latest) {
    const score = Math.max(0, ...row.document.appliesTo.map((p) => specificity(p, label)));
    if (score > (best?.score ?? 0)) best = { row, score };
  }
  return best?.row ?? latest.find((row) => row.type === 'triage');
}

export function createSopActivities(db: Database, overrides: Record<string, number | string | boolean>) {
  // the policy travels in the workflow input: a running ticket keeps the values it started with
  const resolved = async (row: SopVersionRow): Promise<ResolvedSop> => ({ document: row.document, policy: await policyInForce(db, row.document, new Date(), overrides) });
  return {
    async resolveSops({ labels }: { labels: string[] }): Promise<ResolvedSop[]> {
      const latest = await latestSops(db);
      const rows = labels.map((label) => {
        const row = pickSop(latest, label);
        if (!row) throw ApplicationFailure.nonRetryable(`no published SOP applies to ${label} and there is no triage SOP`, 'no_sop');
        return row;
      });
      return Promise.all(rows.map(resolved));
    },
    async resolveSopByType({ type }: { type: string }): Promise<ResolvedSop> {
      const row = await getSopVersion(db, type, null);
      if (!row) throw ApplicationFailure.nonRetryable(`no published SOP of type ${type}`, 'no_sop');
      return resolved(row);
    },
  };
}
