// The live streams' wake-up on embedded PGlite (`npm start` without DATABASE_URL): a NOTIFY sent in a committed
// transaction reaches the LISTEN of the same process and wakes only the streams of the notified user. On
// PostgreSQL, test/delivery.test.ts shows the same through the API's stream.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { sql } from 'drizzle-orm';
import { createMessageSignals } from '../api/message-signals';
import { openDatabase, USER_MESSAGES_CHANNEL } from '../schema';

const silentLog = { warn: () => {} } as never;

test('PGlite: a committed NOTIFY wakes the notified user\'s stream at once, and only that user\'s', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signals-pglite-'));
  const handle = await openDatabase({ dataDir });
  const signals = createMessageSignals(handle.listen, silentLog);
  try {
    t.true(await signals.ready(), 'PGlite supports LISTEN');
    const mine = signals.subscribe('U-1');
    const other = signals.subscribe('U-2');
    const started = Date.now();
    const woken = Promise.all([mine.wait(60_000).then(() => Date.now() - started), other.wait(1_500).then(() => Date.now() - started)]);
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_notify(${USER_MESSAGES_CHANNEL}, 'U-1')`);
    });
    const [mineMs, otherMs] = await woken;
    t.true(mineMs < 20_000, `U-1 woken after ${mineMs} ms (its timer was 60 s)`);
    t.true(otherMs >= 1_400, `U-2 slept its whole timer (${otherMs} ms): the notification was not for it`);
    // a notification that arrives between two waits is not lost: the next wait returns at once
    await handle.db.execute(sql`select pg_notify(${USER_MESSAGES_CHANNEL}, 'U-1')`);
    await new Promise((r) => setTimeout(r, 50));
    const again = Date.now();
    await mine.wait(60_000);
    t.true(Date.now() - again < 20_000);
    mine.close();
    other.close();
  } finally {
    await signals.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
