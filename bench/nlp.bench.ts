/**
 * NLP benchmark (run by hand): npx tsx bench/nlp.bench.ts [--classify-only] [--train-size 10000] [--data FILE.csv --text-column text --label-column label]
 *  1. classification throughput of classifyFeedback on short tickets, one core (single thread):
 *     cold (first pass over held-out texts, empty caches) and steady state (30k distinct synthesised tickets);
 *  2. training time on N examples synthesised by sampling + perturbing the corpus;
 *  3. with --data, training time on that labelled file (e.g. a public 10k-example intent benchmark).
 */
import { loadProjectCorpus, splitExamples } from '../nlp/corpus';
import { classifyFeedback, getModel } from '../nlp/index';
import { trainCalibrated, trainModel } from '../nlp/training';
import { normalize } from '../nlp/text';
import { labelledFromArgs, parseArgs, progressBar } from '../nlp/cli/common';
import { ticketSynth } from './nlp-tickets';

const args = parseArgs(process.argv.slice(2));
const trainSize = Number(args['train-size'] ?? 10000);

const corpus = loadProjectCorpus();
const { test } = splitExamples(corpus);
const short = test.map((e) => e.text).filter((t) => t.length <= 60);
console.log(`node ${process.version}, ${corpus.length} corpus examples; ${short.length} short held-out tickets (≤ 60 chars, mean ${(short.reduce((s, t) => s + t.length, 0) / short.length).toFixed(0)} chars)`);

const t0 = performance.now();
getModel();
console.log(`model load: ${(performance.now() - t0).toFixed(0)} ms`);

// Synthesis: sample corpus texts and perturb them (drop / duplicate clauses, add filler phrases).
const { rnd, perturb, distinctTickets } = ticketSynth(7);

// 1a. cold pass: held-out short tickets, empty caches (English lemmas via compromise are computed on first sight)
let t = performance.now();
for (const s of short) classifyFeedback({ text: s });
const cold = short.length / ((performance.now() - t) / 1000);
console.log(`classify (cold, first pass over ${short.length} held-out tickets): ${cold.toFixed(0)} tickets/s`);

// 1b. steady state: 30,000 DISTINCT short tickets synthesised from the corpus (each classified once)
const tickets = distinctTickets(corpus.map((e) => e.text), 30000);
const mean = tickets.reduce((a, x) => a + x.length, 0) / tickets.length;
const bar = progressBar('classify ');
t = performance.now();
const cpu0 = process.cpuUsage(); // CPU time as well: on a shared, loaded machine wall-clock throughput says little
for (let i = 0; i < tickets.length; i++) {
  classifyFeedback({ text: tickets[i]! });
  if (i % 1000 === 0) bar(i, tickets.length, `${i} tickets`);
}
bar(1, 1, 'done');
const secs = (performance.now() - t) / 1000;
const warm = tickets.length / secs;
console.log(`classify (steady state, ${tickets.length} distinct tickets, mean ${mean.toFixed(0)} chars): ${warm.toFixed(0)} tickets/s (${(1e6 / warm).toFixed(0)} µs/ticket)`);
const cpu = process.cpuUsage(cpu0);
console.log(`classify (steady state, per CPU-second of this process): ${(tickets.length / ((cpu.user + cpu.system) / 1e6)).toFixed(0)} tickets/s`);

if (args['classify-only']) process.exit(0);

// 2. training on synthesised examples (sampled + perturbed corpus texts)
const texts: string[] = [];
const labels: string[] = [];
for (let i = 0; i < trainSize; i++) {
  const e = corpus[Math.floor(rnd() * corpus.length)]!;
  texts.push(normalize(perturb(e.text)));
  labels.push(e.label);
}
console.log(`training on ${trainSize} synthesised examples, ${new Set(labels).size} labels`);
t = performance.now();
trainModel(texts, labels, { onProgress: progressBar('train ') });
const plain = (performance.now() - t) / 1000;
console.log(`train the members once (LR 8 epochs, one-vs-rest SVMs, complement NB): ${plain.toFixed(1)} s`);
t = performance.now();
trainCalibrated(texts, labels, { onProgress: progressBar('train+selection ') });
console.log(`train with model selection and calibration (what nlp:train runs for its final model): ${((performance.now() - t) / 1000).toFixed(1)} s`);

// 3. the same with ~77 classes (each corpus label split in three by text hash), the size of a public intent benchmark
const many = labels.map((l, i) => `${l}#${(texts[i]!.length * 7 + i) % 3}`);
t = performance.now();
trainModel(texts, many, { onProgress: progressBar('train 78 classes ') });
console.log(`train the members once with ${new Set(many).size} classes: ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
trainCalibrated(texts, many, { onProgress: progressBar('train+selection 78 classes ') });
console.log(`train with model selection and calibration, ${new Set(many).size} classes: ${((performance.now() - t) / 1000).toFixed(1)} s`);

// 4. a real labelled file, when given
const rows = labelledFromArgs(args);
if (rows) {
  const x = rows.map((e) => normalize(e.text));
  const y = rows.map((e) => e.label);
  console.log(`${args.data}: ${rows.length} examples, ${new Set(y).size} labels`);
  t = performance.now();
  trainModel(x, y, { onProgress: progressBar('train file ') });
  console.log(`train the members once: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  trainCalibrated(x, y, { onProgress: progressBar('train+selection file ') });
  console.log(`train with model selection and calibration: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
