// The editor's state (the open SOP, its published version, the draft, the selection, the validation result)
// and the drafts kept in localStorage per SOP type until they are published or discarded.
import { debounce } from './dom.js';
import { STEP_KINDS } from './i18n.js';
import { isObj, stable } from './util.js';

export const state = {
  catalog: { actions: {}, signals: ['confirmation', 'evidence_uploaded', 'tech_fixed'], skillGroups: [], stepKinds: STEP_KINDS },
  sops: [],
  type: null,
  versions: [],
  loadedVersion: null,
  published: null,
  publishedVersion: null,
  draft: null,
  selected: null,
  errors: [],
  validity: 'none',
  validationFailure: '',
  fieldErrors: new Set(),
  yamlError: null,
  tab: 'step',
  zoom: 1,
  /** true once the user edited the loaded document (then it is kept in localStorage until published or discarded) */
  hasLocalEdits: false,
};

export const draftKey = (type) => `ticketflow.designer.draft.${type}`;

export const saveDraftLocally = debounce(() => {
  if (!state.type || !state.draft || !state.hasLocalEdits) return;
  const key = draftKey(state.type);
  if (state.published && stable(state.published) === stable(state.draft)) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify({ baseVersion: state.loadedVersion, savedAt: new Date().toISOString(), document: state.draft }));
}, 300);

export function readLocalDraft(type) {
  try {
    const saved = JSON.parse(localStorage.getItem(draftKey(type)) ?? 'null');
    return saved && isObj(saved.document) ? saved : null;
  } catch {
    return null;
  }
}
