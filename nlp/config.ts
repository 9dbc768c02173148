/** Loading of the YAML configuration in nlp/config (taxonomy, rules, priority). Cached; synchronous. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { FeeItemCode } from './entities';

export const CONFIG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'config');

export interface Names { zh: string; en: string }
export interface Taxonomy {
  version: number;
  settings: { confidenceThreshold: number; switchPenalty?: number; clauseTemperature?: number; wholeMessagePrior?: number; ruleEvidence?: number; minIssueWholeProb?: number; scopeConfidence?: number; ownIssueCue?: Record<string, string>; reasonAfter?: Record<string, string[]>; sameProblem?: Array<[string, string]>; fallbackLabel: string };
  skillGroups: Record<string, Names>;
  categories: Record<string, Names & { skillGroup: string; subtypes: Record<string, Names> }>;
}

export interface Rule {
  id: string;
  label: string;
  mode: 'boost' | 'force';
  weight: number;
  confidence: number;
  pattern?: RegExp;
  feeItems?: FeeItemCode[];
}

export interface PriorityConfig {
  maxPriority: number;
  defaultBase: number;
  categoryBase: Record<string, number>;
  categoryFloor: Record<string, number>;
  urgency: { pointsPerCue: number; maxPoints: number; cues: { zh: string[]; en: string[] } };
  sentiment: { pointsPerCue: number; maxPoints: number; cues: { zh: string[]; en: string[] }; exclamationPoints: number; shoutingPoints: number };
  userTier: Record<string, number>;
  orderValue: Array<{ minFen: number; points: number }>;
  repeatContact: { pointsPerContact: number; maxPoints: number };
  mentionedAmount: Array<{ minFen: number; points: number }>;
}

const readYaml = (name: string) => parse(readFileSync(join(CONFIG_DIR, name), 'utf8'));

let taxonomy: Taxonomy | undefined;
let rules: Rule[] | undefined;
let priority: PriorityConfig | undefined;

export function loadTaxonomy(): Taxonomy {
  if (taxonomy) return taxonomy;
  const t = readYaml('taxonomy.yaml') as Taxonomy;
  for (const [cat, def] of Object.entries(t.categories)) {
    if (!t.skillGroups[def.skillGroup]) throw new Error(`taxonomy: category ${cat} routes to unknown skill group ${def.skillGroup}`);
  }
  return (taxonomy = t);
}

/** All labels "category/subtype" of the taxonomy. */
export function taxonomyLabels(): string[] {
  const t = loadTaxonomy();
  return Object.entries(t.categories).flatMap(([c, d]) => Object.keys(d.subtypes).map((s) => `${c}/${s}`));
}

export function isKnownLabel(label: string): boolean {
  const [c, s] = label.split('/');
  return !!(c && s && loadTaxonomy().categories[c]?.subtypes[s]);
}

/** Skill group a label (or bare category) routes to; unknown → triage. */
export function skillGroupOf(label: string): string {
  const cat = label.split('/')[0]!;
  return loadTaxonomy().categories[cat]?.skillGroup ?? 'triage';
}

/** Chinese + English names of a label. */
export function labelNames(label: string): { category: Names; subtype: Names } | undefined {
  const [c, s] = label.split('/');
  const cat = c ? loadTaxonomy().categories[c] : undefined;
  const sub = cat && s ? cat.subtypes[s] : undefined;
  return cat && sub ? { category: { zh: cat.zh, en: cat.en }, subtype: sub } : undefined;
}

export function loadRules(): Rule[] {
  if (rules) return rules;
  const raw = (readYaml('rules.yaml') as { rules: Array<Record<string, unknown>> }).rules ?? [];
  rules = raw.map((r, i) => {
    const label = String(r.label);
    if (!isKnownLabel(label)) throw new Error(`rules.yaml: rule ${r.id ?? i} has unknown label ${label}`);
    const fee = r.feeItem === undefined ? undefined : (Array.isArray(r.feeItem) ? r.feeItem : [r.feeItem]) as FeeItemCode[];
    return {
      id: String(r.id ?? `rule-${i}`),
      label,
      mode: r.mode === 'force' ? 'force' : 'boost',
      weight: typeof r.weight === 'number' ? r.weight : 2,
      confidence: typeof r.confidence === 'number' ? r.confidence : 0.95,
      pattern: typeof r.pattern === 'string' ? new RegExp(r.pattern, 'i') : undefined,
      feeItems: fee,
    } satisfies Rule;
  });
  return rules;
}

export function loadPriorityConfig(): PriorityConfig {
  return (priority ??= readYaml('priority.yaml') as PriorityConfig);
}
