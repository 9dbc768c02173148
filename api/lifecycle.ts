// Whether this API process wants traffic. A load balancer polls GET /readyz: 503 from the moment shutdown
// begins, while in-flight and late requests are still served, so it stops sending before the server closes.
export interface Lifecycle {
  readonly shuttingDown: boolean;
  beginShutdown(): void;
}

export function createLifecycle(): Lifecycle {
  let shuttingDown = false;
  return {
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
