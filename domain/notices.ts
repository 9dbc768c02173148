// Notice templates (config/notices.yaml) and their rendering: per lifecycle moment and language,
// with "what happens next and by when" filled from the params the drain gathers. Pure apart from
// reading the YAML once.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../config';

export const NOTICES = ['received', 'assigned', 'proposed', 'resolved', 'escalated', 'survey', 'notice'] as const;
export type Notice = (typeof NOTICES)[number];
export type NoticeLanguage = 'zh' | 'en';
export interface NoticeText {
  title: string;
  body: string;
}
export type NoticeTemplates = Record<Notice, Record<NoticeLanguage, NoticeText>>;

export const TEMPLATES_FILE = path.join(projectRoot, 'config', 'notices.yaml');

/** Checks that every notice has a title and body in both languages. */
export function parseTemplates(yamlText: string): NoticeTemplates {
  const raw = parse(yamlText) as Record<string, unknown>;
  for (const notice of NOTICES) {
    for (const lang of ['zh', 'en'] as const) {
      const t = (raw?.[notice] as Record<string, Partial<NoticeText>> | undefined)?.[lang];
      if (typeof t?.title !== 'string' || typeof t.body !== 'string') throw new Error(`notice templates: ${notice}.${lang} needs a title and a body`);
    }
  }
  return raw as NoticeTemplates;
}

let cached: NoticeTemplates | undefined;
export function loadTemplates(): NoticeTemplates {
  return (cached ??= parseTemplates(fs.readFileSync(TEMPLATES_FILE, 'utf8')));
}

export const noticeLanguage = (language: string | null | undefined): NoticeLanguage => (language === 'en' ? 'en' : 'zh');

/** Fills {name} placeholders; a missing value renders empty (templates stay editable without code). */
export function fill(text: string, params: Record<string, string | number | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => (params[name] === undefined ? '' : String(params[name])));
}

export function renderNotice(notice: Notice, language: NoticeLanguage, params: Record<string, string | number | undefined>, templates = loadTemplates()): NoticeText {
  const t = templates[notice][language];
  return { title: fill(t.title, params), body: fill(t.body, params) };
}

/** "2小时" / "2 hours", "30分钟" / "30 minutes", "2天" / "2 days" (rounded to a readable unit). */
export function formatDuration(ms: number, language: NoticeLanguage): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const [n, unit] = minutes < 90 ? [minutes, 'minute'] : minutes < 48 * 60 ? [Math.round(minutes / 60), 'hour'] : [Math.round(minutes / 1440), 'day'];
  if (language === 'zh') return `${n}${{ minute: '分钟', hour: '小时', day: '天' }[unit]}`;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A moment in the user's time zone: "12月2日 14:30" / "Dec 2, 14:30". */
export function formatMoment(at: Date, language: NoticeLanguage, timeZone = 'Asia/Shanghai'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  if (language === 'zh') {
    const month = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric' }).format(at);
    return `${month}月${get('day')}日 ${get('hour')}:${get('minute')}`;
  }
  return `${get('month')} ${get('day')}, ${get('hour')}:${get('minute')}`;
}

/** "¥10.00" from fen. */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
