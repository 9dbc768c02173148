// Wakes the live message streams of a user when the delivery drain stores an in-app message: one LISTEN per API
// process on the `user_messages` channel (the drain's NOTIFY carries the user id), fanned out to that user's open
// streams. A stream still re-reads on a slow timer, since a notification sent while the listening connection
// was reconnecting is lost; without LISTEN (or while it fails) streams poll fast.
import type { FastifyBaseLogger } from 'fastify';
import { USER_MESSAGES_CHANNEL, type Listen } from '../schema';

export interface StreamWaiter {
  /** resolves on a notification for this user (one that arrived since the last wait counts) or after timeoutMs */
  wait(timeoutMs: number): Promise<void>;
  close(): void;
}

export interface MessageSignals {
  /** true once LISTEN is established: streams may poll slowly */
  readonly listening: boolean;
  subscribe(userId: string): StreamWaiter;
  /**
   * Starts LISTEN if needed and tells whether it is established within `waitMs` (a database that does not answer
   * must not hold a stream's first bytes; the stream polls until LISTEN is up). Streams say so in their first comment.
   */
  ready(waitMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createMessageSignals(listen: Listen | undefined, log: FastifyBaseLogger): MessageSignals {
  const waiters = new Map<string, Set<{ notified: boolean; wake: (() => void) | null }>>();
  let listening = false;
  let started: Promise<(() => Promise<void>) | null> | null = null;

  function start() {
    if (started || !listen) return;
    started = listen(USER_MESSAGES_CHANNEL, (userId) => {
      for (const w of waiters.get(userId) ?? []) {
        w.notified = true;
        w.wake?.();
      }
    }).then(
      (unlisten) => ((listening = true), unlisten),
      (err) => {
        log.warn({ err }, 'LISTEN user_messages failed: message streams poll instead');
        started = null; // the next stream tries again
        return null;
      },
    );
  }

  return {
    get listening() {
      return listening;
    },
    async ready(waitMs = 5_000) {
      start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      return listening;
    },
    subscribe(userId) {
      start();
      const w = { notified: false, wake: null as (() => void) | null };
      const set = waiters.get(userId) ?? new Set();
      set.add(w);
      waiters.set(userId, set);
      return {
        async wait(timeoutMs) {
          if (!w.notified) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, timeoutMs);
              w.wake = () => (clearTimeout(timer), resolve());
            });
          }
          w.notified = false;
          w.wake = null;
        },
        close() {
          w.wake?.();
          set.delete(w);
          if (!set.size) waiters.delete(userId);
        },
      };
    },
    async close() {
      const unlisten = await started;
      listening = false;
      await unlisten?.();
    },
  };
}
