// Start-up preparation of the database: committed migrations, then the bundled default SOPs as
// version 1 of every type that has none yet.
import { loadDefaultSops } from '../sops/load';
import type { DatabaseHandle } from './db';
import { migrateDatabase } from './migrate';
import { seedDefaultSops } from './sop-repository';

export async function prepareDatabase(handle: DatabaseHandle): Promise<{ seededSops: string[] }> {
  await migrateDatabase(handle);
  return { seededSops: await seedDefaultSops(handle.db, loadDefaultSops()) };
}
