// One definition per action: the catalogue, the worker's activities and the docs table agree.
import fs from 'node:fs';
import test from 'ava';
import { createActionActivities, createActivities } from '../activities';
import { ACTION_NAMES, ACTIONS } from '../sops/actions';
import { renderActionsTable, withActionsTable } from '../sops/actions-doc';

const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not called in this test')) }) as never;
const deps = { db: unused, orders: unused, finance: unused, sms: unused, users: unused, pager: unused, sopPolicyOverrides: {}, onCallPhones: {} };

test('every catalogued action has an activity of its name, and every action activity is catalogued', (t) => {
  const implemented = Object.keys(createActionActivities(deps)).sort();
  t.deepEqual(implemented, [...ACTION_NAMES].sort());
  for (const name of implemented) t.is(typeof (createActionActivities(deps) as Record<string, unknown>)[name], 'function', name);
});

test('the worker registers every action among its activities', (t) => {
  const registered = createActivities(deps) as Record<string, unknown>;
  const missing = ACTION_NAMES.filter((name) => typeof registered[name] !== 'function');
  t.deepEqual(missing, []);
});

test('every action states its inputs, result and retry class', (t) => {
  for (const [name, spec] of Object.entries(ACTIONS)) {
    t.true(spec.description.length > 10, name);
    t.true(spec.returns.length > 0, name);
    t.true(['read', 'idempotent'].includes(spec.retry), name);
    t.is(new Set([...spec.inputs, ...(spec.optionalInputs ?? [])]).size, spec.inputs.length + (spec.optionalInputs?.length ?? 0), `${name}: an input listed twice`);
  }
});

test('the actions table in docs/SOP_FORMAT.md is the one generated from the catalogue', (t) => {
  const doc = fs.readFileSync(new URL('../docs/SOP_FORMAT.md', import.meta.url), 'utf8');
  t.is(withActionsTable(doc), doc, 'run `npx tsx scripts/sop-actions-doc.ts`');
  t.true(doc.includes(renderActionsTable()));
  for (const name of ACTION_NAMES) t.true(doc.includes(`| \`${name}\` |`), name);
});

