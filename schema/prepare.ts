// Start-up preparation of the database: committed migrations, then the bundled default SOPs: version 1
// of every type that has none yet, and a new version of every default edited since it was last seeded;
// then the bundled knowledge-base articles the same way.
import { bundledArticles } from '../kb/files';
import { loadDefaultSops } from '../sops/load';
import type { DatabaseHandle } from './db';
import { migrateDatabase } from './migrate';
import { seedKb, type KbSeedReport } from './kb-repository';
import { seedDefaultSops, type SeedReport } from './sop-repository';

export async function prepareDatabase(handle: DatabaseHandle): Promise<{ seededSops: string[]; sopSeed: SeedReport; kbSeed: KbSeedReport }> {
  await migrateDatabase(handle);
  const sopSeed = await seedDefaultSops(handle.db, loadDefaultSops());
  // the bundled knowledge base (data/kb): new articles, and new versions of edited ones
  const kbSeed = await seedKb(handle.db, bundledArticles());
  return { seededSops: sopSeed.published.map((p) => `${p.type} v${p.version}`), sopSeed, kbSeed };
}
