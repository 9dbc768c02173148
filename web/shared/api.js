// Calls the Ticketflow API from a page: JSON in and out, a bearer token, and the answer's status kept
// (pages show a different screen for 401, 403, 404 and 409). End-user pages pass the token of their link;
// staff pages use the session from POST /v1/auth/login, kept in this tab's sessionStorage.
export async function apiFetch(path, { token, method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { status: 0, body: { error: 'network', message: 'network error' } };
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: 'bad_response', message: text.slice(0, 200) };
  }
  return { status: response.status, body: parsed };
}

/** The parameters a link carries after "#": tokens stay out of server logs and Referer headers. */
export function fragmentParams(hash = location.hash) {
  return Object.fromEntries(new URLSearchParams(hash.replace(/^#/, '')));
}

const TOKEN_KEY = 'ticketflow.session';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A staff page's call: the tab's session token; a 401 forgets it (expired or logged out). */
export async function api(method, url, body) {
  const answer = await apiFetch(url, { token: session.token(), method, body });
  if (answer.status === 401) session.forget();
  return answer;
}

export async function login(username, password) {
  const answer = await api('POST', '/v1/auth/login', { username, password });
  if (answer.status === 200 && answer.body?.token) sessionStorage.setItem(TOKEN_KEY, answer.body.token);
  return answer;
}

/** Wires a staff page's login form (ids login, username, password, login-message): a session, then onLoggedIn. */
export function bindLoginForm(i18n, onLoggedIn) {
  const $ = (id) => document.getElementById(id);
  $('login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { status } = await login($('username').value.trim(), $('password').value);
    if (status === 200) await onLoggedIn();
    else $('login-message').textContent = i18n.t('loginFailed');
  });
}
