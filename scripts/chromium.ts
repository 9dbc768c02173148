// The page tests drive Debian's Chromium (a browser download of its own cannot work here).
// Installs it with apt when it is missing and we may (root); otherwise says what to do.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    console.warn(`[test] ${CHROMIUM} is missing: install Debian's chromium (and fonts-noto-cjk) for the page tests`);
    return;
  }
  console.log('[test] installing Debian chromium and CJK fonts for the page tests (apt-get, once)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env });
}
