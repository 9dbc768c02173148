// Graph checks over the steps' transitions: reachability from start and of a close step, the escalation
// hand-off rule, and cycles that never wait.
import { GROUPS, isNonEmptyString, isObj, type Edge, type Obj, type Report } from './common';
import type { StepGraph } from './steps';

/** Steps that wait for the outside world: a cycle must go through one of them. */
const WAIT_KINDS = new Set<string>(['wait_signal', 'human_task']);

export function checkGraph(steps: Obj, stepIds: Set<string>, start: string | undefined, { edges, kinds }: StepGraph, err: Report): void {
  if (start !== undefined) {
    const reachable = new Set<string>([start]);
    const queue = [start];
    while (queue.length) for (const e of edges.get(queue.shift()!) ?? []) if (!reachable.has(e.to)) reachable.add(e.to), queue.push(e.to);
    for (const id of stepIds) if (!reachable.has(id)) err(`steps.${id}`, `step '${id}' is not reachable from start '${start}'`, id);

    const ends = [...reachable].filter((id) => kinds.get(id) === 'close');
    const unknownKinds = [...reachable].some((id) => isObj(steps[id]) && !kinds.has(id));
    if (ends.length === 0 && !unknownKinds) err('steps', `no close step is reachable from start '${start}': the procedure can never end`);
  }

  for (const [id, kind] of kinds) {
    const s = steps[id] as Obj;
    if (kind !== 'escalate' || !isNonEmptyString(s.to) || !GROUPS.includes(s.to) || !isNonEmptyString(s.next) || !stepIds.has(s.next)) continue;
    const problem = escalationDeadEnd(s.next, s.to, steps, edges, kinds);
    if (problem) err(`steps.${id}.next`, `escalation to ${s.to} leads nowhere: ${problem}; it must reach a human_task of ${s.to} (or a wait_signal it owns) before anything else waits or closes`, id);
  }

  for (const cycle of waitFreeCycles(stepIds, edges, kinds)) {
    const first = cycle[0]!;
    err(`steps.${first}`, `cycle ${[...cycle, first].join(' → ')} has no wait_signal or human_task step: it would loop forever without waiting`, first);
  }
}

/**
 * The escalation rule: from the escalate step's `next`, every path through steps that do not wait
 * (action, decision, notify, including onError branches) must reach a human_task of the receiving
 * group, or a wait_signal that group owns, before any other waiting step or a close. A path reaching
 * another escalate step is handed on there (and that step is checked itself). An action without
 * onError fails into the interpreter's supervisor hand-off, which is a human step too.
 * Returns what is wrong, or null.
 */
function escalationDeadEnd(first: string, group: string, steps: Obj, edges: Map<string, Edge[]>, kinds: Map<string, string>): string | null {
  const seen = new Set<string>();
  const queue = [first];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const s = steps[id] as Obj;
    const kind = kinds.get(id);
    if (kind === undefined || kind === 'escalate') continue;
    if (kind === 'human_task') {
      if (s.group === group) continue;
      return `step '${id}' waits for ${String(s.group)} first`;
    }
    if (kind === 'wait_signal') {
      if (s.owner === group) continue;
      return `step '${id}' waits for the signal ${String(s.signal)} of ${String(s.owner)} first`;
    }
    if (kind === 'close') return `step '${id}' closes the ticket first`;
    for (const e of edges.get(id) ?? []) queue.push(e.to);
  }
  return null;
}

/** Cycles made only of steps that do not wait: the graph without wait steps, its strongly connected components of more than one step or with a self-loop. */
function waitFreeCycles(ids: Set<string>, edges: Map<string, Edge[]>, kinds: Map<string, string>): string[][] {
  const nodes = [...ids].filter((id) => kinds.has(id) && !WAIT_KINDS.has(kinds.get(id)!));
  const inGraph = new Set(nodes);
  const succ = (id: string) => (edges.get(id) ?? []).map((e) => e.to).filter((t) => inGraph.has(t));
  // Tarjan
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of succ(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || succ(v).includes(v)) out.push(orderCycle(comp.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)), succ));
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** A readable cycle inside a component: from its first step in document order, following edges within the component. */
function orderCycle(comp: string[], succ: (id: string) => string[]): string[] {
  const inComp = new Set(comp);
  const startId = comp[0]!;
  // breadth-first search for the shortest way back to startId
  const prev = new Map<string, string>();
  const queue = [startId];
  const seen = new Set([startId]);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of succ(v)) {
      if (!inComp.has(w)) continue;
      if (w === startId) {
        const path = [v];
        let c = v;
        while (c !== startId) path.push((c = prev.get(c)!));
        return path.reverse();
      }
      if (!seen.has(w)) seen.add(w), prev.set(w, v), queue.push(w);
    }
  }
  return [startId];
}
