// The YAML tab: the whole draft as text (flow style for short maps), parsed back into the draft as the user types.
import * as YAML from '/vendor/yaml.js';
import { $, debounce } from './dom.js';
import { t } from './i18n.js';
import { state } from './state.js';
import { isObj } from './util.js';
import { changed } from './editor.js';
import { updatePublishButton } from './validation.js';

function toYaml(doc) {
  const d = new YAML.Document(doc);
  const FLOW_KEYS = new Set(['name', 'onBreach', 'silence', 'when', 'appliesTo', 'decisions', 'channels']);
  YAML.visit(d, {
    Pair(_, pair, path) {
      const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key;
      // path ends with …, Pair(input), YAMLMap(the inputs): the pair's own map is path[-1], its owner path[-2]
      const owner = path.length >= 2 ? path[path.length - 2] : null;
      const ownerKey = owner && YAML.isPair(owner) && YAML.isScalar(owner.key) ? owner.key.value : null;
      if (YAML.isCollection(pair.value) && (FLOW_KEYS.has(key) || ownerKey === 'input' || ownerKey === 'data')) pair.value.flow = true;
    },
  });
  return d.toString({ lineWidth: 0, flowCollectionPadding: true });
}

let yamlTyping = false;
/** the YAML text follows the draft, except while the user types in it or it has a syntax error to fix */
export function syncYaml(force = false) {
  if (!state.draft) return;
  if (state.tab !== 'yaml' && !force) return;
  if (yamlTyping || state.yamlError) return;
  $('yaml-editor').value = toYaml(state.draft);
}
/** an edit elsewhere (form, loading) wins over unparseable YAML text */
export function clearYamlError() {
  if (!state.yamlError) return;
  state.yamlError = null;
  $('yaml-error').hidden = true;
  $('tab-yaml').classList.remove('tab-bad');
}

export function setupYaml() {
  const ta = $('yaml-editor');
  const apply = debounce(() => {
    yamlTyping = false;
    const box = $('yaml-error');
    let parsed;
    try {
      const doc = YAML.parseDocument(ta.value, { prettyErrors: true });
      if (doc.errors.length) {
        const e = doc.errors[0];
        const line = e.linePos?.[0]?.line;
        throw new Error((line ? t('yamlLine', { line }) : '') + e.message.split('\n')[0]);
      }
      parsed = doc.toJS();
      if (!isObj(parsed)) throw new Error(t('yamlNotObject'));
    } catch (err) {
      state.yamlError = err.message;
      box.hidden = false;
      box.textContent = err.message;
      $('tab-yaml').classList.add('tab-bad');
      updatePublishButton();
      return;
    }
    state.yamlError = null;
    box.hidden = true;
    $('tab-yaml').classList.remove('tab-bad');
    state.draft = parsed;
    if (state.selected && !parsed.steps?.[state.selected]) state.selected = parsed.start ?? Object.keys(parsed.steps ?? {})[0] ?? null;
    changed({ form: true, yaml: false });
  }, 400);
  ta.addEventListener('input', () => {
    yamlTyping = true;
    apply();
  });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {
      e.preventDefault();
      ta.setRangeText('  ', ta.selectionStart, ta.selectionEnd, 'end');
      ta.dispatchEvent(new Event('input'));
    }
  });
}
