// Retrieval quality on the labelled queries (data/kb-eval/queries.jsonl: zh, en and mixed; colloquial, partial,
// misspelled, traditional characters; the seed's example among them) against the seeded knowledge base on
// PostgreSQL. The bars sit a little under the measured values reported in docs/KB.md.
import test from 'ava';
import { evaluateSearch, labelledQueries } from '../kb/eval';
import { articleInForce } from '../schema/kb-repository';
import { startTestStack, type TestStack } from './helpers/stack';

const RECALL_AT_3_BAR = 0.95;
const MRR_BAR = 0.9;

let stack: TestStack;
test.before(async () => {
  stack = await startTestStack({ worker: false });
});
test.after.always(async () => {
  await stack?.close();
});

test('the labelled set has at least 80 queries in every language mix, each naming articles that exist', async (t) => {
  const queries = labelledQueries();
  t.true(queries.length >= 80, `${queries.length} queries`);
  t.deepEqual([...new Set(queries.map((q) => q.lang))].sort(), ['en', 'mixed', 'zh']);
  t.true(queries.some((q) => q.q === '跨城运输附加费计算'));
  for (const id of new Set(queries.flatMap((q) => q.expect))) t.truthy(await articleInForce(stack.db, id), id);
});

test(`Recall@3 ≥ ${RECALL_AT_3_BAR} and MRR ≥ ${MRR_BAR} over the labelled queries`, async (t) => {
  const report = await evaluateSearch(stack.db, labelledQueries());
  t.log(JSON.stringify({ recallAt3: report.recallAt3, mrr: report.mrr, byLang: report.byLang, misses: report.misses }));
  t.true(report.recallAt3 >= RECALL_AT_3_BAR, `Recall@3 ${report.recallAt3}`);
  t.true(report.mrr >= MRR_BAR, `MRR ${report.mrr}`);
  for (const lang of ['zh', 'en'] as const) t.true(report.byLang[lang]!.recallAt3 >= 0.9, `${lang}: ${JSON.stringify(report.byLang[lang])}`);
});
