// The SOP as a mermaid flowchart: one node per step (shape and colour by kind), an edge per transition;
// nodes are clickable and marked when they have problems, are selected or changed. mermaid comes from
// /vendor/mermaid.min.js (window.mermaid), loaded by the page before this module.
import { $, debounce, h } from './dom.js';
import { STEP_KINDS, kindName, localized, t } from './i18n.js';
import { transitions } from './model.js';
import { state } from './state.js';
import { clip, isObj } from './util.js';
import { diffDocs } from './diff.js';
import { selectStep } from './editor.js';

const mermaid = window.mermaid;

mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  theme: 'base',
  themeVariables: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    fontSize: '14px',
    lineColor: '#8a94a6',
    primaryColor: '#eef4ff',
    primaryBorderColor: '#3b6fd8',
    primaryTextColor: '#1d2433',
    edgeLabelBackground: '#ffffff',
  },
  flowchart: { htmlLabels: true, curve: 'basis', useMaxWidth: false, nodeSpacing: 28, rankSpacing: 40, padding: 8, wrappingWidth: 160 },
});

const SHAPES = {
  action: ['[', ']'],
  human_task: ['(', ')'],
  wait_signal: ['([', '])'],
  decision: ['{', '}'],
  notify: ['[/', '/]'],
  escalate: ['{{', '}}'],
  close: ['[[', ']]'],
};
/** text inside a quoted mermaid label */
const esc = (s) => String(s).replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ');
let nodeMap = new Map(); // mermaid node id → { step } | { missing }

function buildMermaid(doc) {
  const lines = ['flowchart TD'];
  const steps = isObj(doc?.steps) ? doc.steps : {};
  const ids = Object.keys(steps);
  const nid = new Map(ids.map((id, i) => [id, `s${i}`]));
  const missing = new Map();
  nodeMap = new Map();
  const target = (to) => {
    if (nid.has(to)) return nid.get(to);
    if (!missing.has(to)) missing.set(to, `m${missing.size}`);
    return missing.get(to);
  };
  lines.push(`  START(["▶ ${esc(t('start'))}"]):::start`);
  nodeMap.set('START', { start: true });
  const classes = {};
  for (const id of ids) {
    const s = steps[id];
    const kind = isObj(s) && SHAPES[s.kind] ? s.kind : 'action';
    const [open, close] = SHAPES[kind];
    const title = clip(localized(s?.name) || id, kind === 'decision' ? 22 : 40);
    const label = `<b>${esc(title)}</b><br/><span class='sid'>${esc(id)}</span>`;
    lines.push(`  ${nid.get(id)}${open}"${label}"${close}`);
    (classes[kind] ??= []).push(nid.get(id));
    nodeMap.set(nid.get(id), { step: id });
  }
  const edges = new Map();
  const addEdge = (from, to, label, style) => {
    const key = `${from}>${to}>${style}`;
    const e = edges.get(key);
    if (e) {
      if (label && !e.labels.includes(label)) e.labels.push(label);
    } else edges.set(key, { from, to, style, labels: label ? [label] : [] });
  };
  if (typeof doc?.start === 'string' && doc.start) addEdge('START', target(doc.start), '', 'solid');
  for (const id of ids) for (const tr of transitions(steps[id])) addEdge(nid.get(id), target(tr.to), tr.label, tr.style);
  for (const [to, m] of missing) {
    lines.push(`  ${m}["⚠ ${esc(to)}<br/><span class='sid'>${esc(t('missingStep'))}</span>"]:::missing`);
    nodeMap.set(m, { missing: to });
  }
  for (const e of edges.values()) {
    const label = e.labels.length ? `|"${esc(clip(e.labels.join(' / '), 28))}"|` : '';
    lines.push(`  ${e.from} ${e.style === 'dashed' ? '-.->' : '-->'}${label} ${e.to}`);
  }
  lines.push(
    '  classDef action fill:#eef4ff,stroke:#3b6fd8,color:#10244a',
    '  classDef human_task fill:#fff6e0,stroke:#d08c00,color:#4a3200',
    '  classDef wait_signal fill:#f3edff,stroke:#7a4fd0,color:#2e1a5c',
    '  classDef decision fill:#e6f7f4,stroke:#12998a,color:#0b3b35',
    '  classDef notify fill:#eaf5ff,stroke:#2a88cf,color:#0f3350',
    '  classDef escalate fill:#ffe8de,stroke:#e0531f,color:#6b1d00,stroke-width:2px',
    '  classDef close fill:#e3f6e8,stroke:#23934a,color:#0c3d1c,stroke-width:2px',
    '  classDef missing fill:#ffffff,stroke:#d92d20,color:#b42318,stroke-dasharray:5 4,stroke-width:2px',
    '  classDef start fill:#1d2433,stroke:#1d2433,color:#ffffff',
  );
  for (const [kind, list] of Object.entries(classes)) lines.push(`  class ${list.join(',')} ${kind}`);
  return lines.join('\n');
}

let renderSeq = 0;
async function renderDiagram() {
  const box = $('diagram');
  if (!state.draft) return;
  const seq = ++renderSeq;
  const text = buildMermaid(state.draft);
  const map = nodeMap;
  const id = `sopgraph${seq}`;
  try {
    const { svg } = await mermaid.render(id, text);
    if (seq !== renderSeq) return;
    const scroll = [box.scrollLeft, box.scrollTop];
    box.innerHTML = svg;
    [box.scrollLeft, box.scrollTop] = scroll;
    $('diagram-error').hidden = true;
    decorateDiagram(map);
    if (state.firstRender) {
      state.firstRender = false;
      // a freshly opened SOP: as large as still readable, the start at the top centre
      const svgEl = box.querySelector('svg');
      const w = Number(svgEl?.dataset.width ?? 0);
      state.zoom = w ? Math.max(0.65, Math.min(1, (box.clientWidth - 24) / w)) : 1;
      applyZoom();
      const startNode = box.querySelector('g.node.start, g.node[id*="-START-"]');
      if (startNode) {
        const r = startNode.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
        box.scrollTop = 0;
      }
    }
  } catch (err) {
    document.getElementById(`d${id}`)?.remove();
    document.getElementById(id)?.remove();
    if (seq !== renderSeq) return;
    $('diagram-error').hidden = false;
    $('diagram-error').textContent = t('diagramFailed') + (err?.message ?? String(err));
  }
}
export const scheduleDiagram = debounce(renderDiagram, 120);

function decorateDiagram(map = nodeMap) {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  svg.removeAttribute('style');
  const vb = svg.viewBox?.baseVal;
  if (vb && vb.width) {
    svg.dataset.width = String(vb.width);
    svg.dataset.height = String(vb.height);
  }
  applyZoom();
  for (const g of svg.querySelectorAll('g.node')) {
    const m = /flowchart-(START|s\d+|m\d+)-\d+$/.exec(g.id);
    const info = m && map.get(m[1]);
    if (!info) continue;
    if (info.step) {
      g.dataset.step = info.step;
      g.setAttribute('data-testid', `node-${info.step}`);
      g.classList.add('clickable');
      g.addEventListener('click', () => selectStep(info.step, { scroll: false }));
    } else if (info.missing) {
      g.dataset.missing = info.missing;
      g.setAttribute('data-testid', `missing-${info.missing}`);
    }
  }
  markDiagram();
}

export function markDiagram() {
  const svg = $('diagram').querySelector('svg');
  if (!svg) return;
  const bad = new Set(state.errors.map((e) => e.step).filter(Boolean));
  const changed = new Set();
  if (state.published && state.draft) {
    const d = diffDocs(state.published, state.draft);
    for (const id of d.added) changed.add(id);
    for (const c of d.changed) changed.add(c.id);
  }
  for (const g of svg.querySelectorAll('g.node[data-step]')) {
    const id = g.dataset.step;
    const mode = { error: bad.has(id), selected: id === state.selected, changed: changed.has(id) };
    g.classList.toggle('node-error', mode.error);
    g.classList.toggle('node-selected', mode.selected);
    g.classList.toggle('node-changed', mode.changed);
    g.dataset.error = mode.error ? 'true' : 'false';
    paintNode(g, mode);
  }
}

/** mermaid writes each shape's colours as inline `!important` styles: states are painted the same way, after them */
function paintNode(g, { error, selected, changed }) {
  const shapes = [];
  for (const c of g.children) {
    if (c.classList.contains('label')) continue;
    if (c.tagName.toLowerCase() === 'g') shapes.push(...c.querySelectorAll('path, rect, polygon, circle, ellipse'));
    else shapes.push(c);
  }
  for (const el of shapes) {
    if (el.dataset.baseStyle === undefined) el.dataset.baseStyle = el.getAttribute('style') ?? '';
    let style = el.dataset.baseStyle;
    if (changed && !error) style += ';stroke-dasharray:7 3 !important;stroke-width:2.5px !important';
    if (error) style += ';fill:#fee4e2 !important;stroke:#d92d20 !important;stroke-width:3px !important;stroke-dasharray:none !important';
    if (selected) style += `;stroke:${error ? '#d92d20' : '#2f6fe4'} !important;stroke-width:4px !important`;
    el.setAttribute('style', style);
  }
}

export function applyZoom() {
  const svg = $('diagram').querySelector('svg');
  if (!svg || !svg.dataset.width) return;
  const w = Number(svg.dataset.width);
  const hgt = Number(svg.dataset.height);
  let z = state.zoom;
  if (z === 'fit') {
    const box = $('diagram');
    z = Math.min(1, (box.clientWidth - 24) / w, (box.clientHeight - 24) / hgt);
  }
  svg.setAttribute('width', String(Math.round(w * z)));
  svg.setAttribute('height', String(Math.round(hgt * z)));
}

export function renderLegend() {
  const box = $('legend');
  box.replaceChildren(
    ...STEP_KINDS.map((k) => h('span', { class: `legend-item legend-${k}`, title: k }, h('i', {}), kindName(k))),
  );
}

export function currentZoom() {
  const svg = $('diagram').querySelector('svg');
  return svg ? Number(svg.getAttribute('width')) / Number(svg.dataset.width) : 1;
}

export function setupZoom() {
  $('zoom-in').addEventListener('click', () => { state.zoom = Math.min(2, (state.zoom === 'fit' ? currentZoom() : state.zoom) * 1.2); applyZoom(); });
  $('zoom-out').addEventListener('click', () => { state.zoom = Math.max(0.2, (state.zoom === 'fit' ? currentZoom() : state.zoom) / 1.2); applyZoom(); });
  $('zoom-fit').addEventListener('click', () => { state.zoom = state.zoom === 'fit' ? 1 : 'fit'; applyZoom(); });
  window.addEventListener('resize', debounce(() => state.zoom === 'fit' && applyZoom(), 150));
}
