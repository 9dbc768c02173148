// Calls the Ticketflow API from a page: JSON in and out, a bearer token, and the answer's status
// kept (pages show a different screen for 401, 403, 404 and 409).
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
