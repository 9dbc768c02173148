// Regenerates the route table in docs/SECURITY.md from ROUTE_ACCESS (test/access-table.test.ts checks it is current).
import fs from 'node:fs';
import { accessTableMarkdown } from '../api/access-rules';

const file = new URL('../docs/SECURITY.md', import.meta.url);
const before = fs.readFileSync(file, 'utf8');
const after = before.replace(/(<!-- access-table:start -->\n)[\s\S]*?(\n<!-- access-table:end -->)/, (_m, start: string, end: string) => start + accessTableMarkdown() + end);
if (after !== before) fs.writeFileSync(file, after);
console.log(after === before ? 'docs/SECURITY.md: route table is current' : 'docs/SECURITY.md: route table regenerated');
