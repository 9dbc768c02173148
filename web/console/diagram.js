// The open ticket's SOP as a mermaid flowchart (mermaid from /vendor/mermaid.min.js, loaded by the page first):
// one node per step, an edge per transition, the steps already run shaded and the current step highlighted.
// The designer's diagram (web/designer/diagram.js) is an editor bound to its draft state; this one only shows.
import { $ } from '/shared/dom.js';
import { localized } from './i18n.js';

const mermaid = window.mermaid;
mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'base',
  themeVariables: { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif', fontSize: '13px', primaryColor: '#eef4ff', primaryBorderColor: '#3b6fd8', lineColor: '#8a94a6' },
  flowchart: { htmlLabels: true, curve: 'basis', useMaxWidth: true, nodeSpacing: 24, rankSpacing: 32, padding: 6, wrappingWidth: 150 },
});

const SHAPES = { action: ['[', ']'], human_task: ['(', ')'], wait_signal: ['([', '])'], decision: ['{', '}'], notify: ['[/', '/]'], escalate: ['{{', '}}'], close: ['[[', ']]'] };
const esc = (s) => String(s).replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ');
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** where a step can go next, with the edge's label */
function transitions(step) {
  const out = [];
  const push = (to, label = '') => typeof to === 'string' && to && out.push({ to, label });
  if (!isObj(step)) return out;
  if (step.kind === 'human_task' && isObj(step.next)) for (const [d, to] of Object.entries(step.next)) push(to, d);
  else if (step.kind === 'decision') {
    for (const b of Array.isArray(step.branches) ? step.branches : []) push(b?.next);
    push(step.otherwise);
  } else push(step.next, step.kind === 'wait_signal' ? step.signal : '');
  push(step.onError, '⚠');
  push(step.onTimeout, '⏱');
  if (isObj(step.onBreach) && step.onBreach.action === 'continue') push(step.onBreach.next, 'SLA');
  return out;
}

function buildMermaid(doc, current, visited) {
  const ids = Object.keys(doc.steps ?? {});
  const nid = new Map(ids.map((id, i) => [id, `s${i}`]));
  const lines = ['flowchart TD'];
  for (const id of ids) {
    const step = doc.steps[id];
    const [open, close] = SHAPES[step.kind] ?? SHAPES.action;
    const cls = id === current ? 'current' : visited.has(id) ? 'visited' : 'step';
    lines.push(`  ${nid.get(id)}${open}"<b>${esc(localized(step.name) || id)}</b><br/><small>${esc(id)}</small>"${close}:::${cls}`);
  }
  for (const id of ids) for (const tr of transitions(doc.steps[id])) if (nid.has(tr.to)) lines.push(`  ${nid.get(id)} -->${tr.label ? `|"${esc(tr.label)}"|` : ''} ${nid.get(tr.to)}`);
  lines.push(
    '  classDef step fill:#ffffff,stroke:#9aa5b8,color:#1d2433',
    '  classDef visited fill:#e8edf5,stroke:#6b7a93,color:#3c4a60',
    '  classDef current fill:#fff1c2,stroke:#d97706,color:#4a2b00,stroke-width:4px',
  );
  return { text: lines.join('\n'), nid };
}

let seq = 0;
/** draws `doc` into #diagram; resolves when the SVG is in the page */
export async function renderDiagram(doc, current, events) {
  const box = $('diagram');
  if (!doc?.steps) return box.replaceChildren();
  const visited = new Set(events.map((e) => e.step));
  const { text, nid } = buildMermaid(doc, current, visited);
  const mine = ++seq;
  const { svg } = await mermaid.render(`sop-diagram-${mine}`, text);
  if (mine !== seq) return;
  box.innerHTML = svg; // mermaid's own output (securityLevel strict)
  const byNode = new Map([...nid].map(([step, n]) => [n, step]));
  for (const g of box.querySelectorAll('g.node')) {
    const step = byNode.get(/flowchart-(s\d+)-\d+$/.exec(g.id)?.[1]);
    if (!step) continue;
    g.setAttribute('data-testid', `node-${step}`);
    g.dataset.current = String(step === current);
  }
  box.dataset.current = current ?? '';
}
