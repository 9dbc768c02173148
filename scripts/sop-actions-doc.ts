// Regenerates the actions table in docs/SOP_FORMAT.md from the catalogue in sops/actions.ts.
import fs from 'node:fs';
import { withActionsTable } from '../sops/actions-doc';

const file = new URL('../docs/SOP_FORMAT.md', import.meta.url);
const before = fs.readFileSync(file, 'utf8');
const after = withActionsTable(before);
if (after !== before) fs.writeFileSync(file, after);
console.log(after === before ? 'docs/SOP_FORMAT.md: actions table is current' : 'docs/SOP_FORMAT.md: actions table regenerated');
