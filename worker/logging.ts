// The worker's log lines (SDK, workflow and activity loggers) with phone numbers and e-mail
// addresses masked, in the SDK's default format.
import { inspect } from 'node:util';
import type { LogEntry } from '@temporalio/worker';
import { maskForLog, maskText } from '../domain/personal-data';

export function maskingLogFunction(write: (line: string) => void = (line) => void process.stderr.write(line)) {
  return (entry: LogEntry): void => {
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const meta = entry.meta === undefined ? '' : ` ${inspect(maskForLog(entry.meta), { depth: 6, breakLength: Infinity })}`;
    write(`${at} [${entry.level}] ${maskText(entry.message)}${meta}\n`);
  };
}
