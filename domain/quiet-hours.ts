// Quiet hours: when a non-urgent SMS or e-mail may go out. Pure; "HH:MM" in the user's time zone,
// and a window may wrap midnight (22:00–08:00).

export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  return Number(parts.find((p) => p.type === 'hour')!.value) * 60 + Number(parts.find((p) => p.type === 'minute')!.value);
}

/** Null when `at` is outside the quiet hours; otherwise the moment they end. */
export function quietUntil(q: QuietHours, at: Date): Date | null {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return null;
  const now = localMinutes(at, q.timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const wait = (end - now + 1440) % 1440;
  const until = new Date(at.getTime() + wait * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}
