// CSV exports (RFC 4180): streamed line by line from an async source, so an export has no row cap and
// holds only what its source holds. Cells that a spreadsheet would run as a formula are quoted with a
// leading apostrophe (CSV injection).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: Cell[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** `?format=csv` or an Accept header that prefers text/csv over JSON. */
export function wantsCsv(request: FastifyRequest<{ Querystring: { format?: string } }>): boolean {
  if (request.query.format) return request.query.format === 'csv';
  const accept = request.headers.accept ?? '';
  return accept.includes('text/csv') && !accept.includes('application/json');
}

export function sendCsv(reply: FastifyReply, filename: string, header: string[], rows: AsyncIterable<Cell[]> | Iterable<Cell[]>): FastifyReply {
  async function* lines() {
    yield csvLine(header);
    for await (const row of rows) yield csvLine(row);
  }
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(lines()));
}
