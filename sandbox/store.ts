// Tiny JSON-file persistence: whole state per file, written atomically (temp file + rename).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class JsonFileStore<T> {
  readonly file: string;
  private seq = 0;

  constructor(dataDir: string, name: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, name);
  }

  load(fallback: () => T): T {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback();
      throw err;
    }
    return JSON.parse(text) as T;
  }

  save(state: T): void {
    const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 1));
    renameSync(tmp, this.file);
  }
}
