// Shared fetch helper for our external-system clients: timeout, JSON handling and error mapping.

export type ExternalSystemName = 'orders' | 'finance' | 'sms' | 'users';

export class ExternalSystemError extends Error {
  override readonly name = 'ExternalSystemError';
  readonly system: ExternalSystemName;
  /** HTTP status, or null for network errors and timeouts */
  readonly status: number | null;
  /** the server's error code (`{error}` in the body), 'timeout' / 'network_error' for transport failures */
  readonly code: string | null;
  /** true for network errors, timeouts, 429 and 5xx; false for other 4xx */
  readonly retryable: boolean;
  /** parsed error body, if any */
  readonly body: unknown;

  constructor(init: {
    system: ExternalSystemName;
    status: number | null;
    code: string | null;
    retryable: boolean;
    message: string;
    body?: unknown;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.system = init.system;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.body = init.body;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

export interface HttpClientOptions {
  /** per-request timeout, default 10 000 ms */
  timeoutMs?: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
  /** statuses returned to the caller instead of thrown (e.g. 404 for "not found → null") */
  okStatuses?: number[];
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function joinUrl(baseUrl: string, path: string, query?: RequestOptions['query']): string {
  const base = baseUrl.replace(/\/+$/, '');
  const p = path.startsWith('/') ? path : `/${path}`;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `${base}${p}${qs ? `?${qs}` : ''}`;
}

export function createHttp(system: ExternalSystemName, baseUrl: string, opts: HttpClientOptions = {}) {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async function request<T>(path: string, ro: RequestOptions = {}): Promise<HttpResponse<T>> {
    const method = ro.method ?? 'GET';
    const url = joinUrl(baseUrl, path, ro.query);
    const headers: Record<string, string> = { accept: 'application/json', ...ro.headers };
    let payload: string | undefined;
    if (ro.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(ro.body);
    }

    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new ExternalSystemError({
        system,
        status: null,
        code: timedOut ? 'timeout' : 'network_error',
        retryable: true,
        message: timedOut
          ? `${system}: ${method} ${url} timed out after ${timeoutMs} ms`
          : `${system}: ${method} ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
        cause: err,
      });
    }

    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }

    if ((res.status >= 200 && res.status < 300) || ro.okStatuses?.includes(res.status)) {
      return { status: res.status, headers: res.headers, body: body as T };
    }

    const errBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
    const code = typeof errBody?.error === 'string' ? errBody.error : null;
    const detail = typeof errBody?.reason === 'string' ? errBody.reason : typeof body === 'string' ? body.slice(0, 200) : '';
    throw new ExternalSystemError({
      system,
      status: res.status,
      code,
      retryable: isRetryableStatus(res.status),
      message: `${system}: ${method} ${url} → ${res.status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`,
      body,
    });
  };
}

/** A GET whose 404 means "no such thing": the body, or null. */
export async function getOrNull<T>(http: ReturnType<typeof createHttp>, path: string): Promise<T | null> {
  const res = await http<T>(path, { okStatuses: [404] });
  return res.status === 404 ? null : res.body;
}
