// Registers the ticket search attributes where they are missing (a reused dev server, a fresh
// cluster namespace). Best effort: a hosted cluster may only allow this through its admin console.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto; // CommonJS: no named exports under ESM
import { ticketSearchAttributes } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
const indexedType = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
} as const;

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ticketSearchAttributes.filter((key) => !known.has(key.name));
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedType[key.type as keyof typeof indexedType]])),
    });
  }
  return missing.map((key) => key.name);
}
