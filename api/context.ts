import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import type { Database, Listen } from '../schema';

/** What every route plugin gets: the Temporal client, the read model and the configuration. */
export interface ApiContext {
  temporal: { client: Client; connection: Connection };
  db: Database;
  ping: () => Promise<void>;
  /** LISTEN/NOTIFY of the read model: live streams wait for a notification instead of polling; absent: they poll */
  listen?: Listen;
  config: Config;
}
