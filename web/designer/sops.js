// The SOP list, the version list and the header; opening an SOP (or an older version) as the draft,
// or the unpublished draft this browser kept for it.
import { $, h, toast } from './dom.js';
import { currentLang, localized, t } from './i18n.js';
import { getVersion, listSops, listVersions } from './api.js';
import { normalizeDoc } from './model.js';
import { draftKey, readLocalDraft, saveDraftLocally, state } from './state.js';
import { clone, stable } from './util.js';
import { diffDocs } from './diff.js';
import { changed } from './editor.js';
import { debouncedValidate } from './validation.js';
import { clearYamlError } from './yaml.js';

export function updateHeader() {
  const title = $('doc-title');
  if (!state.draft) {
    title.replaceChildren();
    return;
  }
  const name = state.draft.name ?? {};
  title.replaceChildren(
    h('span', { class: 'doc-name' }, localized(name) || state.type),
    h('span', { class: 'doc-type' }, state.type),
    state.loadedVersion ? h('span', { class: 'doc-version', 'data-testid': 'loaded-version' }, t('basedOn', { v: state.loadedVersion })) : '',
  );
  const n = state.published ? diffDocs(state.published, state.draft).count : 0;
  const dirty = $('dirty');
  dirty.hidden = n === 0;
  dirty.textContent = t('changes', { n });
}

export function renderSopList() {
  const list = $('sop-list');
  list.replaceChildren(
    ...state.sops.map((s) =>
      h(
        'li',
        { class: `sop-item${s.type === state.type ? ' active' : ''}`, 'data-testid': `sop-item-${s.type}`, dataset: { type: s.type }, onclick: () => openSop(s.type) },
        h('div', { class: 'sop-name' }, localized(s.name) || s.type),
        h('div', { class: 'sop-meta' }, h('code', {}, s.type), h('span', { class: 'pill' }, `v${s.latestVersion}`)),
        currentLang() === 'zh' && s.name?.en ? h('div', { class: 'sop-sub' }, s.name.en) : '',
      ),
    ),
  );
}

export function renderVersions() {
  $('versions-box').hidden = !state.type;
  const latest = state.versions[0]?.version;
  $('version-list').replaceChildren(
    ...state.versions.map((v) =>
      h(
        'li',
        {
          class: `version-item${v.version === state.loadedVersion ? ' active' : ''}`,
          'data-testid': `version-item-${v.version}`,
          dataset: { version: String(v.version) },
          onclick: () => openVersion(v.version),
        },
        h('span', { class: 'version-no' }, `v${v.version}`),
        v.version === latest ? h('span', { class: 'pill pill-ok' }, t('latest')) : '',
        v.version === state.loadedVersion ? h('span', { class: 'pill' }, t('editing')) : '',
        h('div', { class: 'version-meta' }, formatTime(v.publishedAt), ' · ', v.publishedBy ?? ''),
      ),
    ),
  );
}
const formatTime = (iso) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso ?? '') : d.toLocaleString(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
};

export async function loadSops() {
  try {
    state.sops = await listSops();
  } catch (err) {
    $('sop-list').replaceChildren(h('li', { class: 'field-error' }, t('loadFailed'), err.message));
    return;
  }
  renderSopList();
}

export async function openSop(type, { version = null, restore = true } = {}) {
  if (type !== state.type && state.hasLocalEdits && state.draft) saveDraftLocally.flush();
  try {
    const [latest] = await Promise.all([getVersion(type, 'latest'), loadVersionsFor(type)]);
    state.type = type;
    state.published = normalizeDoc(latest.document);
    state.publishedVersion = latest.version;
    let doc = state.published;
    let loaded = latest.version;
    if (version && version !== latest.version) {
      const row = await getVersion(type, version);
      doc = normalizeDoc(row.document);
      loaded = row.version;
    }
    let restored = false;
    const saved = restore && !version ? readLocalDraft(type) : null;
    if (saved) {
      doc = saved.document;
      loaded = saved.baseVersion ?? latest.version;
      restored = true;
    }
    state.draft = clone(doc);
    state.loadedVersion = loaded;
    state.hasLocalEdits = restored;
    state.selected = state.draft?.start && state.draft.steps?.[state.draft.start] ? state.draft.start : Object.keys(state.draft?.steps ?? {})[0] ?? null;
    state.errors = [];
    clearYamlError();
    state.fieldErrors.clear();
    state.firstRender = true;
    history.replaceState(null, '', `#${type}${version ? `@${version}` : ''}`);
    renderSopList();
    renderVersions();
    $('diagram').replaceChildren();
    changed({ form: true, local: false });
    debouncedValidate.flush();
    if (restored) toast(t('restored'));
  } catch (err) {
    toast(t('loadFailed') + err.message, 'bad');
  }
}
async function loadVersionsFor(type) {
  state.versions = await listVersions(type);
}
export async function openVersion(version) {
  if (state.hasLocalEdits && state.published && stable(state.draft) !== stable(state.published) && !window.confirm(t('confirmDiscard'))) return;
  localStorage.removeItem(draftKey(state.type));
  state.hasLocalEdits = false;
  await openSop(state.type, { version, restore: false });
}
