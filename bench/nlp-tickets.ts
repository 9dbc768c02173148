/**
 * Synthetic intake tickets for the NLP benchmarks: corpus texts sampled and perturbed (clauses dropped or repeated,
 * filler phrases added) by a seeded generator, so every run classifies the same tickets.
 */
const FILLERS = ['请尽快处理', '谢谢', '麻烦看一下', 'please check', 'thanks', 'asap', '急', '！！', 'hi,', '你好，'];

export interface TicketSynth {
  /** the next number in [0, 1) of the seeded sequence */
  rnd: () => number;
  /** a perturbed copy of a text */
  perturb: (text: string) => string;
  /** n DISTINCT short tickets (≤ 60 characters before perturbation), each numbered so none repeats */
  distinctTickets: (corpusTexts: string[], n: number) => string[];
}

export function ticketSynth(seed = 7): TicketSynth {
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  function perturb(text: string): string {
    const parts = text.split(/(?<=[，。！？,.!? ])/);
    const out: string[] = [];
    for (const p of parts) {
      const r = rnd();
      if (r < 0.1 && parts.length > 2) continue;
      out.push(p);
      if (r > 0.92) out.push(p);
    }
    if (rnd() < 0.5) out.unshift(FILLERS[Math.floor(rnd() * FILLERS.length)]! + ' ');
    if (rnd() < 0.5) out.push(' ' + FILLERS[Math.floor(rnd() * FILLERS.length)]!);
    return out.join('');
  }
  function distinctTickets(corpusTexts: string[], n: number): string[] {
    const short = corpusTexts.filter((x) => x.length <= 60);
    const distinct = new Set<string>();
    while (distinct.size < n) distinct.add(perturb(short[Math.floor(rnd() * short.length)]!) + ' #' + distinct.size);
    return [...distinct];
  }
  return { rnd, perturb, distinctTickets };
}
