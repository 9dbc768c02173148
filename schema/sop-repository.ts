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

/** Who publishes the bundled defaults. */
export const DEFAULTS_PUBLISHER = 'system:defaults';

/** JSON with sorted keys and without `version`: two documents are the same procedure when these match. */
function canonical(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, walk((v as Record<string, unknown>)[k])]));
  };
  const { version: _version, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(walk(rest));
}

export interface SeedReport {
  /** types published: version 1 of a new type, or a new version of an edited default */
  published: Array<{ type: string; version: number }>;
  /** types whose bundled default changed but whose latest version a person published: left alone */
  keptEdits: string[];
}

/**
 * Brings the bundled defaults into the database as published versions: version 1 of a type that has
 * none, and a new version (max+1) of a type whose default changed since the defaults last published it.
 * Existing versions are never touched, so running tickets keep theirs; a version a person published
 * after the defaults is never overridden (reported in keptEdits).
 */
export async function seedDefaultSops(database: Database, defaults: SopDocument[]): Promise<SeedReport> {
  // one seeder at a time (API and worker start together): two would publish the same edit twice
  return database.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('ticketflow:seed-default-sops'))`);
    return seedLocked(tx as unknown as Database, defaults);
  });
}

async function seedLocked(db: Database, defaults: SopDocument[]): Promise<SeedReport> {
  const report: SeedReport = { published: [], keptEdits: [] };
  for (const document of defaults) {
    const inserted = await db
      .insert(sopVersions)
      .values({ type: document.type, version: 1, document: { ...document, version: 1 }, publishedBy: DEFAULTS_PUBLISHER })
      .onConflictDoNothing()
      .returning({ type: sopVersions.type });
    if (inserted.length) {
      report.published.push({ type: document.type, version: 1 });
      continue;
    }
    const latest = await getSopVersion(db, document.type, null);
    if (!latest || canonical(latest.document) === canonical(document)) continue;
    if (latest.publishedBy !== DEFAULTS_PUBLISHER) {
      report.keptEdits.push(document.type);
      continue;
    }
    const row = await publishSop(db, document, DEFAULTS_PUBLISHER);
    report.published.push({ type: row.type, version: row.version });
  }
  return report;
}
