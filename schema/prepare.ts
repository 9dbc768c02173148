// Start-up preparation of the database: committed migrations, then the bundled default SOPs: version 1
// of every type that has none yet, and a new version of every default edited since it was last seeded.
import { loadDefaultSops } from '../sops/load';
import type { DatabaseHandle } from './db';
import { migrateDatabase } from './migrate';
import { seedDefaultSops, type SeedReport } from './sop-repository';

export async function prepareDatabase(handle: DatabaseHandle): Promise<{ seededSops: string[]; sopSeed: SeedReport }> {
  await migrateDatabase(handle);
  const sopSeed = await seedDefaultSops(handle.db, loadDefaultSops());
  return { seededSops: sopSeed.published.map((p) => `${p.type} v${p.version}`), sopSeed };
}
