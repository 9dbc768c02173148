// Ticketflow SOP designer: edit a ticket type's procedure (SopDocument, see sops/types.ts) as a
// diagram + forms + YAML, validate it live against the API and publish it as a new version.
// Plain ES modules, no build step; this entry wires them to the page (no inline handlers: the
// Content-Security-Policy forbids them).
import { $ } from './dom.js';
import { applyI18n, toggleLang } from './i18n.js';
import { fetchCatalog } from './api.js';
import { saveDraftLocally, state } from './state.js';
import { stable } from './util.js';
import { renderLegend, scheduleDiagram, setupZoom } from './diagram.js';
import { setupDiscard, renderDiff } from './diff.js';
import { renderDocForm } from './doc-form.js';
import { renderForms, setupAddStep, showTab } from './editor.js';
import { setupPublish } from './publish.js';
import { loadSops, openSop, renderSopList, renderVersions, updateHeader } from './sops.js';
import { renderValidation } from './validation.js';
import { setupYaml } from './yaml.js';

async function main() {
  applyI18n();
  renderLegend();
  const refillKinds = setupAddStep();
  setupYaml();
  setupPublish();
  setupDiscard();
  // these forms only hold fields
  for (const id of ['step-form', 'doc-form']) $(id).addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('.tab')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('lang-toggle').addEventListener('click', () => {
    toggleLang();
    applyI18n();
    renderLegend();
    refillKinds();
    renderSopList();
    renderVersions();
    updateHeader();
    renderValidation();
    renderForms();
    renderDiff();
    if (state.tab === 'doc') renderDocForm();
    scheduleDiagram.flush();
  });
  setupZoom();
  window.addEventListener('beforeunload', (e) => {
    if (state.hasLocalEdits && state.published && stable(state.published) !== stable(state.draft)) {
      saveDraftLocally.flush();
    }
    void e;
  });

  try {
    const catalog = await fetchCatalog();
    state.catalog = { ...state.catalog, ...catalog, skillGroups: [...(catalog.skillGroups ?? [])], signals: [...(catalog.signals ?? state.catalog.signals)] };
  } catch {
    /* the forms still work with free text */
  }
  await loadSops();
  const m = /^#([A-Za-z0-9_]+)(?:@(\d+))?$/.exec(location.hash);
  const first = m && state.sops.some((s) => s.type === m[1]) ? m[1] : null;
  if (first) await openSop(first, { version: m[2] ? Number(m[2]) : null });
  document.body.dataset.ready = 'true';
}

main();
