/**
 * Regex tests on the parts of one message. A classification scores the whole message, then its clauses and issue
 * spans one by one, and runs the same patterns (concepts, rules) on each. A pattern without assertions (no \b, \B, ^,
 * $ or lookaround) that matches a part also matches the whole message, since its match is made of the part's
 * characters alone; so a pattern the whole message does not match cannot match any part of it and is not run there.
 * Patterns with assertions could see past a part's edge differently, so they are always run.
 */

/** the message being classified (its normalised, trimmed text), and a number that changes with every message */
let message: string | undefined;
let generation = 0;

/** How a span relates to the current message: not inside it, the message itself, or a strict part of it. */
export const OUTSIDE = 0, WHOLE = 1, INSIDE = 2;
export type Part = typeof OUTSIDE | typeof WHOLE | typeof INSIDE;

/** Make `norm` (normalised and trimmed) the current message; returns the previous one for leaveMessage. */
export function enterMessage(norm: string): string | undefined {
  const outer = message;
  message = norm;
  generation++;
  return outer;
}
export function leaveMessage(outer: string | undefined): void {
  message = outer;
  generation++;
}

export function partOf(span: string): Part {
  if (message === undefined) return OUTSIDE;
  if (span === message) return WHOLE;
  return message.includes(span) ? INSIDE : OUTSIDE;
}

/** Does a regex source contain an assertion? (Escaped characters are literals; `\b`/`\B` are looked for first.) */
export function hasAssertion(source: string): boolean {
  return /\\[bB]/.test(source) || /[\^$]|\(\?[=!<]/.test(source.replace(/\\./g, ''));
}

/** A fixed list of patterns, tested on spans with what the whole message said about each remembered. */
export class PartTests {
  private readonly plain: boolean[];
  private readonly seenIn: Int32Array;
  private readonly inMessage: Uint8Array;
  constructor(readonly patterns: readonly RegExp[]) {
    this.plain = patterns.map((re) => !hasAssertion(re.source) && !re.global && !re.sticky);
    this.seenIn = new Int32Array(patterns.length).fill(-1);
    this.inMessage = new Uint8Array(patterns.length);
  }

  /** patterns[i].test(span), where `part` = partOf(span) */
  test(i: number, span: string, part: Part): boolean {
    if (this.ruledOut(i, part)) return false;
    return (part === WHOLE && this.plain[i]) || this.patterns[i]!.test(span);
  }

  /** Is it certain that patterns[i] matches no span of this `part`? (A plain pattern the whole message does not match.) */
  ruledOut(i: number, part: Part): boolean {
    if (part === OUTSIDE || !this.plain[i]) return false;
    if (this.seenIn[i] !== generation) { this.seenIn[i] = generation; this.inMessage[i] = this.patterns[i]!.test(message!) ? 1 : 0; }
    return this.inMessage[i] === 0;
  }
}
