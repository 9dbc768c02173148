// Published SOP versions: immutable rows; publishing adds version max+1 of its type.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { SopDocument } from '../sops/types';
import type { Database } from './db';
import { sopVersions } from './tables';

export interface SopVersionRow {
  type: string;
  version: number;
  document: SopDocument;
  publishedBy: string;
  publishedAt: Date;
}

export async function latestSops(db: Database): Promise<SopVersionRow[]> {
  const rows = await db
    .selectDistinctOn([sopVersions.type])
    .from(sopVersions)
    .orderBy(sopVersions.type, desc(sopVersions.version));
  return rows as SopVersionRow[];
}

export async function sopVersionsOf(db: Database, type: string): Promise<Array<Omit<SopVersionRow, 'document'>>> {
  return db
    .select({ type: sopVersions.type, version: sopVersions.version, publishedBy: sopVersions.publishedBy, publishedAt: sopVersions.publishedAt })
    .from(sopVersions)
    .where(eq(sopVersions.type, type))
    .orderBy(desc(sopVersions.version));
}

/** `version` null = the latest. */
export async function getSopVersion(db: Database, type: string, version: number | null): Promise<SopVersionRow | null> {
  const [row] = await db
    .select()
    .from(sopVersions)
    .where(version === null ? eq(sopVersions.type, type) : and(eq(sopVersions.type, type), eq(sopVersions.version, version)))
    .orderBy(desc(sopVersions.version))
    .limit(1);
  return (row as SopVersionRow | undefined) ?? null;
}

/** Stores the document as the next version of its type; two concurrent publishers get consecutive versions. */
export async function publishSop(db: Database, document: SopDocument, publishedBy: string): Promise<SopVersionRow> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await db
        .insert(sopVersions)
        .values({
          type: document.type,
          version: sql`(select coalesce(max(${sopVersions.version}), 0) + 1 from ${sopVersions} where ${sopVersions.type} = ${document.type})`,
          document: sql`jsonb_set(${JSON.stringify(document)}::jsonb, '{version}', to_jsonb((select coalesce(max(${sopVersions.version}), 0) + 1 from ${sopVersions} where ${sopVersions.type} = ${document.type})))`,
          publishedBy,
        })
        .returning();
      return row as SopVersionRow;
    } catch (err) {
      if (attempt < 3 && /duplicate key|unique/i.test(String((err as Error).message) + String((err as { cause?: Error }).cause?.message))) continue;
      throw err;
    }
  }
}

/** Publishes a bundled default as version 1 of each type that has no version yet; never overrides an edit. */
export async function seedDefaultSops(db: Database, defaults: SopDocument[]): Promise<string[]> {
  const seeded: string[] = [];
  for (const document of defaults) {
    const inserted = await db
      .insert(sopVersions)
      .values({ type: document.type, version: 1, document: { ...document, version: 1 }, publishedBy: 'system:defaults' })
      .onConflictDoNothing()
      .returning({ type: sopVersions.type });
    if (inserted.length) seeded.push(document.type);
  }
  return seeded;
}
