/**
 * Old and new classifier in ONE process (run by hand): npx tsx bench/nlp-ab.bench.ts OLD_DIR [--batches 32] [--seed 7]
 * OLD_DIR holds an older checkout's nlp/ and data/ (with node_modules linked beside them), e.g.
 *   mkdir -p /tmp/old && git archive <commit> nlp data | tar -x -C /tmp/old && ln -s "$PWD/node_modules" /tmp/old/node_modules
 * Both classify alternating batches of 1,000 distinct synthesised tickets (the same batch, in turn first), so a shared
 * machine's load falls on both alike. Prints tickets per CPU-second of this process and per wall-clock second, and
 * the median of the per-batch ratios.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadProjectCorpus } from '../nlp/corpus';
import * as current from '../nlp/index';
import { parseArgs } from '../nlp/cli/common';
import { ticketSynth } from './nlp-tickets';

const args = parseArgs(process.argv.slice(2));
const oldDir = process.argv[2];
if (!oldDir || oldDir.startsWith('--')) throw new Error('usage: npx tsx bench/nlp-ab.bench.ts OLD_DIR [--batches 32] [--seed 7]');
const batches = Number(args.batches ?? 32);
const older = (await import(resolve(oldDir, 'nlp/index.ts'))) as typeof current;

const tickets = ticketSynth(Number(args.seed ?? 7)).distinctTickets(loadProjectCorpus().map((e) => e.text), (batches + 2) * 1000);
for (const m of [older, current]) for (const text of tickets.slice(0, 2000)) m.classifyFeedback({ text }); // warm-up, not counted

const total = { old: { cpu: 0, wall: 0 }, new: { cpu: 0, wall: 0 } };
const ratios: number[] = [];
for (let b = 0; b < batches; b++) {
  const batch = tickets.slice((b + 2) * 1000, (b + 3) * 1000);
  const cpu = { old: 0, new: 0 };
  for (const which of b % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const)) {
    const m = which === 'old' ? older : current;
    const c0 = process.cpuUsage(), w0 = performance.now();
    for (const text of batch) m.classifyFeedback({ text });
    const c = process.cpuUsage(c0);
    cpu[which] = (c.user + c.system) / 1e6;
    total[which].cpu += cpu[which];
    total[which].wall += (performance.now() - w0) / 1000;
  }
  ratios.push(cpu.old / cpu.new);
}
const n = batches * 1000;
const perCpu = (k: 'old' | 'new') => n / total[k].cpu, perWall = (k: 'old' | 'new') => n / total[k].wall;
ratios.sort((a, b) => a - b);
console.log(`${n} tickets each, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`per CPU-second: old ${perCpu('old').toFixed(0)}, new ${perCpu('new').toFixed(0)} (× ${(perCpu('new') / perCpu('old')).toFixed(3)}; median batch × ${ratios[ratios.length >> 1]!.toFixed(3)})`);
console.log(`per wall-clock second: old ${perWall('old').toFixed(0)}, new ${perWall('new').toFixed(0)} (× ${(perWall('new') / perWall('old')).toFixed(3)})`);
