// HTTP client for the user system (sandbox: `${sandbox.url}/user`): who a customer is and their tier.
import { createHttp, getOrNull, type HttpClientOptions } from './http';
import type { UserProfile } from './types';

export interface UserSystem {
  /** null when the user system does not know the id (404) */
  getUser(id: string): Promise<UserProfile | null>;
}

export function createUserSystemClient(baseUrl: string, opts: HttpClientOptions = {}): UserSystem {
  const http = createHttp('users', baseUrl, opts);
  return {
    getUser: (id) => getOrNull<UserProfile>(http, `/users/${encodeURIComponent(id)}`),
  };
}
