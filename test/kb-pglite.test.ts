// The knowledge base on embedded PGlite (`npm start` without DATABASE_URL): pg_trgm loads, the seed runs,
// and search answers as on PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { openDatabase, prepareDatabase } from '../schema';
import { searchKb } from '../schema/kb-repository';

test('PGlite: seeded once, Chinese search, trigram similarity for a misspelling, the table in force', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-pglite-'));
  const handle = await openDatabase({ dataDir });
  try {
    t.is(handle.kind, 'pglite');
    const first = await prepareDatabase(handle);
    t.true(first.kbSeed.published.length >= 80);
    t.deepEqual((await prepareDatabase(handle)).kbSeed.published, []);
    const [cross] = (await searchKb(handle.db, { q: '跨城运输附加费计算' }))!;
    t.like(cross, { articleId: 'fare-cross-city-zh', version: 2, inForce: true });
    t.is((await searchKb(handle.db, { q: '等候', limit: 1 }))![0]!.articleId, 'fare-waiting-zh');
    // "wating" shares no token with "waiting": only trigram similarity on the title can find it
    const misspelled = (await searchKb(handle.db, { q: 'wating', lang: 'en', limit: 3 }))!;
    t.true(misspelled.some((r) => r.articleId === 'fare-waiting-en'), JSON.stringify(misspelled.map((r) => r.articleId)));
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
