// Node only (reads files): the bundled default SOPs in sops/defaults/*.yaml. Not exported from sops/index.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { SopDocument } from './types';
import { validateSop } from './validate';

export const DEFAULT_SOPS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'defaults');

/** Parses and validates one SOP YAML text; throws listing every error. A missing version becomes 1 (what seeding publishes it as). */
export function parseSopYaml(text: string, source = 'SOP'): SopDocument {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`${source}: YAML does not parse: ${(err as Error).message}`);
  }
  const { valid, errors, document } = validateSop(raw);
  if (!valid || !document) {
    throw new Error(`${source} is not a valid SOP (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map((e) => `  - ${e.path || '(document)'}: ${e.message}`).join('\n')}`);
  }
  return { ...document, version: typeof document.version === 'number' ? document.version : 1 };
}

/** Every default SOP, validated; throws listing the errors of all invalid files, or on two files of the same type. */
export function loadDefaultSops(dir = DEFAULT_SOPS_DIR): SopDocument[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const docs: SopDocument[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      docs.push(parseSopYaml(readFileSync(join(dir, file), 'utf8'), `sops/defaults/${file}`));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const seen = new Map<string, string>();
  docs.forEach((d, i) => {
    if (seen.has(d.type)) problems.push(`SOP type '${d.type}' is defined twice (${seen.get(d.type)} and ${files[i]})`);
    seen.set(d.type, files[i]!);
  });
  const labels = new Map<string, string>();
  for (const d of docs) for (const label of d.appliesTo) {
    if (labels.has(label)) problems.push(`label '${label}' is claimed by both ${labels.get(label)} and ${d.type}`);
    labels.set(label, d.type);
  }
  if (problems.length) throw new Error(`default SOPs are invalid:\n${problems.join('\n')}`);
  return docs;
}
