// The SOP API calls the designer makes (docs/API.md), through the pages' shared apiFetch. A non-2xx answer
// throws an Error carrying the status and the answer's body: publishing tells 401, 403 and invalid_sop apart.
import { apiFetch } from '/shared/api.js';

async function call(method, url, body, token) {
  const { status, body: data } = await apiFetch(url, { method, body, token });
  if (status < 200 || status > 299) {
    const err = new Error(data?.message || `HTTP ${status}`);
    err.status = status;
    err.data = data;
    throw err;
  }
  return data;
}
const sopUrl = (type) => `/v1/sops/${encodeURIComponent(type)}`;

export const fetchCatalog = () => call('GET', '/v1/sops/catalog');
export const listSops = () => call('GET', '/v1/sops');
export const listVersions = (type) => call('GET', `${sopUrl(type)}/versions`);
/** one version of an SOP; `version` is a number or 'latest' */
export const getVersion = (type, version) => call('GET', `${sopUrl(type)}/versions/${version}`);
export const validateSop = (document) => call('POST', '/v1/sops/validate', { document });
/** publishing needs an admin's (or editor's) token */
export const publishVersion = (type, document, token) => call('POST', `${sopUrl(type)}/versions`, { document }, token);
