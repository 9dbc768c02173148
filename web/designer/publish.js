// The publish dialog: asks for the admin token and publishes the draft as the SOP's next version.
import { $, toast } from './dom.js';
import { t } from './i18n.js';
import { publishVersion } from './api.js';
import { draftKey, state } from './state.js';
import { clone } from './util.js';
import { diffDocs } from './diff.js';
import { loadSops, openSop } from './sops.js';
import { renderValidation, sortErrors } from './validation.js';

// ---------------------------------------------------------------- publish
// The admin token lives in this tab's sessionStorage; only "remember" (opt-in) keeps it in localStorage.
const TOKEN_KEY = 'ticketflow.designer.adminToken';
const savedToken = () => sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY) ?? '';
function keepToken(token, remember) {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (remember) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}
function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}
export function setupPublish() {
  const dialog = $('publish-dialog');
  const message = $('publish-message');
  const showMessage = (text, kind) => {
    message.hidden = false;
    message.textContent = text;
    message.dataset.kind = kind;
    message.className = `publish-message ${kind === 'ok' ? 'ok' : 'bad'}`;
  };
  $('publish-button').addEventListener('click', () => {
    if ($('publish-button').disabled) return;
    const d = diffDocs(state.published, state.draft);
    $('publish-summary').textContent = t('publishSummary', { type: state.type, v: (state.versions[0]?.version ?? 0) + 1, n: d.count });
    $('token-input').value = savedToken();
    $('token-remember').checked = localStorage.getItem(TOKEN_KEY) !== null;
    message.hidden = true;
    message.dataset.kind = '';
    $('publish-confirm').disabled = false;
    dialog.showModal();
    $('token-input').focus();
  });
  $('publish-cancel').addEventListener('click', () => dialog.close());
  $('publish-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return showMessage(t('unauthorized'), 'unauthorized');
    const remember = $('token-remember').checked;
    $('publish-confirm').disabled = true;
    showMessage(t('publishing'), 'pending');
    const type = state.type;
    try {
      const document = clone(state.draft);
      const res = await publishVersion(type, document, token);
      keepToken(token, remember);
      localStorage.removeItem(draftKey(type));
      state.hasLocalEdits = false;
      dialog.close();
      toast(t('published', { type, v: res.version }), 'ok');
      await loadSops();
      await openSop(type, { restore: false });
    } catch (err) {
      $('publish-confirm').disabled = false;
      if (err.status === 401) {
        forgetToken();
        showMessage(t('unauthorized'), 'unauthorized');
      } else if (err.status === 403) {
        forgetToken();
        showMessage(t('forbidden'), 'forbidden');
      } else if (err.status === 400 && err.data?.error === 'invalid_sop') {
        state.errors = sortErrors(err.data.errors ?? []);
        state.validity = 'invalid';
        renderValidation();
        showMessage(t('serverInvalid', { n: state.errors.length }), 'invalid');
      } else {
        showMessage(t('publishFailed') + err.message, 'error');
      }
    }
  });
}
