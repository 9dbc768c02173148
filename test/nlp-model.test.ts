import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadLabelled, stratifiedSplit } from '../nlp/corpus';
import { LinearModel } from '../nlp/model';
import { poolMembers, trainCalibrated, trainMembers, trainModel } from '../nlp/training';
import { normalize } from '../nlp/text';

const argmax = (p: Float32Array) => { let b = 0; for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i; return b; };

/** Two intents in Chinese and English, varied enough that 15 % of it can be held apart for model selection. */
function toyData(n = 40): { texts: string[]; labels: string[] } {
  const late = ['司机迟到了', '司机来晚了一个小时', 'driver was late', 'he arrived late again', '师傅晚到了很久', 'the truck came two hours late'];
  const invoice = ['发票怎么开', '我要开发票', 'i need an invoice', 'please send the invoice', '发票抬头写错了', 'where is my vat invoice'];
  const texts: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    texts.push(normalize(`${late[i % late.length]} ${i}`)); labels.push('x/late');
    texts.push(normalize(`${invoice[i % invoice.length]} ${i}`)); labels.push('y/invoice');
  }
  return { texts, labels };
}
const probes = [['司机又迟到了', 'x/late'], ['the driver is late', 'x/late'], ['开个发票', 'y/invoice'], ['send me an invoice please', 'y/invoice']] as const;

test('training learns a toy problem and the model round-trips through JSON', (t) => {
  const { texts, labels } = toyData();
  const m = trainModel(texts, labels, { epochs: 5, dim: 1 << 14 });
  const m2 = LinearModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON(0))));
  for (const [text, want] of probes) {
    t.is(m.labels[argmax(m.predict(normalize(text)))], want);
    t.is(m2.labels[argmax(m2.predict(normalize(text)))], want);
    // the loaded model scores with its own compact tables (int8 rows, frequent rows first): the same scores up to quantisation
    const a = m.scores(normalize(text)), b = m2.scores(normalize(text));
    const scale = Math.max(...Array.from(a, Math.abs));
    a.forEach((x, c) => t.true(Math.abs(x - b[c]!) <= 0.02 * scale, `${text}: ${x} vs ${b[c]}`));
  }
  // the file carries the lemmas of the words it was trained on
  t.is(m.toJSON(0).lemmas?.driver, 'driver');
});

test('ensemble members pool linearly into one weight matrix', (t) => {
  const { texts, labels } = toyData();
  const members = trainMembers(texts, labels, { epochs: 5, dim: 1 << 14 });
  t.truthy(members.svm);
  t.truthy(members.nb);
  const n = normalize('the driver was late again');
  const at = (svm: number, nb: number) => Array.from(poolMembers(members, { svm, nb }).scores(n));
  const base = at(0, 0);
  for (const [one, two] of [[at(1, 0), at(2, 0)], [at(0, 1), at(0, 2)]] as const) {
    t.notDeepEqual(one, base); // the member changes the scores …
    // … and is added in proportion to its weight
    one.forEach((x, c) => t.true(Math.abs((two[c]! - base[c]!) - 2 * (x - base[c]!)) < 1e-3));
  }
  // the SVMs alone (dominating the pool) also learn the problem
  const svmHeavy = poolMembers(members, { svm: 50, nb: 0 });
  for (const [text, want] of probes) t.is(svmHeavy.labels[argmax(svmHeavy.scores(normalize(text)))], want);
});

test('a member with weight 0 is not trained', (t) => {
  const { texts, labels } = toyData();
  const members = trainMembers(texts, labels, { epochs: 3, dim: 1 << 12, svm: 0, nb: 0 });
  t.is(members.svm, undefined);
  t.is(members.nb, undefined);
});

test('calibrated training chooses pooling weights on held-apart examples, unless they are fixed', (t) => {
  const { texts, labels } = toyData(80);
  const chosen = trainCalibrated(texts, labels, { epochs: 5, dim: 1 << 14 });
  t.truthy(chosen.meta.ensemble);
  t.true([0, 0.5, 1, 2].includes(chosen.meta.ensemble!.svm));
  t.true([0, 0.25, 0.5, 1].includes(chosen.meta.ensemble!.nb));
  t.true(chosen.temperature > 0);
  for (const [text, want] of probes) t.is(chosen.labels[argmax(chosen.predict(normalize(text)))], want);

  const fixed = trainCalibrated(texts, labels, { epochs: 5, dim: 1 << 14, svm: 0, nb: 0 });
  t.deepEqual(fixed.meta.ensemble, { svm: 0, nb: 0 });
  // LR alone: the same scores as an uncalibrated LR-only model, up to the temperature
  const lrOnly = trainModel(texts, labels, { epochs: 5, dim: 1 << 14, svm: 0, nb: 0 });
  const n = normalize('driver late');
  const a = fixed.scores(n), b = lrOnly.scores(n);
  a.forEach((x, c) => t.true(Math.abs(x * fixed.temperature - b[c]!) < 1e-3));
});

test('a model file of an older format is refused with a clear message', (t) => {
  const old = { ...trainModel(...Object.values(toyData(4)) as [string[], string[]], { epochs: 1, dim: 1 << 10 }).toJSON(), format: 'ticketflow-linear-v1' };
  t.throws(() => LinearModel.fromJSON(old as never), { message: /unsupported model format ticketflow-linear-v1.*nlp:train/ });
});

test('CSV training data: quoted cells, and a text with an unquoted comma keeps its label', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-csv-'));
  const file = join(dir, 'intents.csv');
  writeFileSync(file, 'text,category\r\nShow me how to link the new card,,card_linking\r\n"Where is it, my card?",card_arrival\r\n"He said ""late""",x\r\n');
  t.deepEqual(loadLabelled(file, 'text', 'category'), [
    { text: 'Show me how to link the new card,', label: 'card_linking' },
    { text: 'Where is it, my card?', label: 'card_arrival' },
    { text: 'He said "late"', label: 'x' },
  ]);
  t.throws(() => loadLabelled(file, 'text', 'label'), { message: /columns "text"\/"label" not found/ });
});

test('TSV data as public intent sets ship it: a byte-order mark, a header, one row a line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-tsv-'));
  const file = join(dir, 'intents.tsv');
  writeFileSync(file, '\uFEFFSentence\tTag\n打开相机\tapp\r\n\n明天天气怎么样\tweather\n');
  t.deepEqual(loadLabelled(file, 'Sentence', 'Tag'), [{ text: '打开相机', label: 'app' }, { text: '明天天气怎么样', label: 'weather' }]);
});

test('the stratified split takes 20 % of every label, whatever the row order, and keeps a repeated text on one side', (t) => {
  const rows = [
    ...Array.from({ length: 10 }, (_, i) => ({ text: `天气 ${i}`, label: 'weather' })),
    ...Array.from({ length: 5 }, (_, i) => ({ text: `打开 ${i}`, label: 'app' })),
    ...Array.from({ length: 3 }, (_, i) => ({ text: `算 ${i}`, label: 'calc' })),
  ];
  const { train, test } = stratifiedSplit(rows);
  const count = (xs: typeof rows, label: string) => xs.filter((x) => x.label === label).length;
  t.deepEqual(['weather', 'app', 'calc'].map((l) => count(test, l)), [2, 1, 1]);
  t.is(train.length + test.length, rows.length);
  const again = stratifiedSplit([...rows].reverse());
  t.deepEqual(again.test.map((x) => x.text).sort(), test.map((x) => x.text).sort());
  // app's one test row, repeated: 20 % of six rows is one, but the copy follows it to the test side
  const appTest = test.find((x) => x.label === 'app')!;
  const withCopy = stratifiedSplit([...rows, { ...appTest }]);
  t.deepEqual(withCopy.test.filter((x) => x.label === 'app').map((x) => x.text), [appTest.text, appTest.text]);
  t.false(withCopy.train.some((x) => x.text === appTest.text));
});

test('nlp:train and nlp:eval on a CSV: held-out accuracy, a final model on every row, per-class metrics', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-cli-'));
  const csv = (rows: string[][]) => ['text,category', ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(','))].join('\n');
  const { texts, labels } = toyData(60);
  writeFileSync(join(dir, 'train.csv'), csv(texts.map((x, i) => [x, labels[i]!])));
  writeFileSync(join(dir, 'test.csv'), csv(probes.map(([x, l]) => [x, l])));
  const run = (script: string, args: string[]) => promisify(execFile)(process.execPath, ['--import=tsx', script, ...args], { cwd: process.cwd() });
  const model = join(dir, 'model.json');
  const trained = await run('nlp/cli/train.ts', ['--data', join(dir, 'train.csv'), '--label-column', 'category', '--out', model]);
  t.regex(trained.stdout, /held-out accuracy \(model only\): [\d.]+% on \d+ examples/);
  t.regex(trained.stdout, /final model trained on all 120 examples/);
  t.regex(trained.stdout, /ensemble weights \{"svm":[\d.]+,"nb":[\d.]+\}/);
  t.is((JSON.parse(readFileSync(model, 'utf8')) as { trainedOn: { examples: number } }).trainedOn.examples, 120);
  const evaluated = await run('nlp/cli/eval.ts', ['--data', join(dir, 'test.csv'), '--label-column', 'category', '--model', model]);
  t.regex(evaluated.stdout, /accuracy\s+100\.00%/);
  t.regex(evaluated.stdout, /macro-F1\s+100\.00%/);
  t.regex(evaluated.stdout, /x\/late\s+100\.0%\s+100\.0%\s+100\.0%\s+2/);
  t.regex(evaluated.stdout, /most confused/);
});
