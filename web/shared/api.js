// The API client of the staff pages: a session token from POST /v1/auth/login, kept in this tab's
// sessionStorage, sent as a bearer token; answers come back as { status, body }.
const TOKEN_KEY = 'ticketflow.session';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { message: text };
  }
  if (res.status === 401) session.forget();
  return { status: res.status, body: parsed };
}

export async function login(username, password) {
  const answer = await api('POST', '/v1/auth/login', { username, password });
  if (answer.status === 200 && answer.body?.token) sessionStorage.setItem(TOKEN_KEY, answer.body.token);
  return answer;
}
