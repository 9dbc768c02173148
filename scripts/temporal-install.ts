// `npm run temporal:install`: build (or find) the Temporal CLI; CI calls it before the tests.
import { readDevServerConfig } from './dev-server';
import { ensureTemporalCli } from './temporal-cli';

const binary = await ensureTemporalCli(readDevServerConfig().version);
console.log(`[temporal] CLI ready: ${binary}`);
