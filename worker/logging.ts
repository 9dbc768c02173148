// The worker's log lines (SDK, workflow and activity loggers) with phone numbers and e-mail addresses
// masked. `json` (the default): one JSON object per line with the API's pino field names — numeric
// `level`, `time` (epoch ms), `pid`, `hostname`, `msg` — plus the Temporal context the SDK attaches as
// metadata (workflowId, runId, workflowType, activityType, taskQueue, …) and the `ticketId` read from a
// ticket workflow's id, so a ticket's lines from API and worker can be found with one filter.
// `pretty`: the SDK's text format, for reading a console by eye (LOG_FORMAT=pretty).
import os from 'node:os';
import { inspect } from 'node:util';
import { pino } from 'pino';
import type { LogEntry } from '@temporalio/worker';

type LogFunction = (entry: LogEntry) => void;
import { maskForLog, maskText } from '../domain/personal-data';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

type Write = (line: string) => void;
const stderr: Write = (line) => void process.stderr.write(line);

export function logFormatFromEnv(value = process.env.LOG_FORMAT): LogFormat {
  return value?.toLowerCase() === 'pretty' ? 'pretty' : 'json';
}

/** the worker's log function in the given format (masked either way) */
export function maskingLogFunction(write: Write = stderr, format: LogFormat = 'json'): LogFunction {
  return format === 'pretty' ? prettyLogFunction(write) : jsonLogFunction(write);
}

/** the ticket a workflow belongs to: ticket workflows are named `ticket-<ticket id>` (workflows/ticket.ts) */
export function ticketIdOfWorkflow(workflowId: unknown): string | undefined {
  return typeof workflowId === 'string' && workflowId.startsWith('ticket-') ? workflowId.slice('ticket-'.length) : undefined;
}

const BASE = { pid: process.pid, hostname: os.hostname() };

/** One JSON line per entry: the fields of pino's output, then the (masked) metadata. */
export function jsonLogFunction(write: Write = stderr): LogFunction {
  return (entry: LogEntry): void => {
    const meta = (maskForLog(entry.meta ?? {}) ?? {}) as Record<string, unknown>;
    // activities name the run `workflowRunId`, workflows `runId`: one name in our lines
    const { workflowRunId, taskToken: _token, ...rest } = meta;
    const runId = rest.runId ?? workflowRunId;
    const ticketId = rest.ticketId ?? ticketIdOfWorkflow(rest.workflowId);
    const core = {
      level: pino.levels.values[entry.level.toLowerCase()] ?? pino.levels.values.info,
      time: Number(entry.timestampNanos / 1_000_000n),
      ...BASE,
      msg: maskText(entry.message),
    };
    const line = { ...core, ...(ticketId !== undefined ? { ticketId } : {}), ...rest, ...(runId !== undefined ? { runId } : {}) };
    // metadata never overwrites the fields every line is read by (the keys keep their place in the line)
    Object.assign(line, core);
    write(`${JSON.stringify(line, jsonSafe)}\n`);
  };
}

/** bigints (durations in SDK metadata) as strings: JSON.stringify throws on them */
const jsonSafe = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

export function prettyLogFunction(write: Write = stderr): LogFunction {
  return (entry: LogEntry): void => {
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const meta = entry.meta === undefined ? '' : ` ${inspect(maskForLog(entry.meta), { depth: 6, breakLength: Infinity })}`;
    write(`${at} [${entry.level}] ${maskText(entry.message)}${meta}\n`);
  };
}
