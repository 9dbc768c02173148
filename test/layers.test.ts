// The layers of docs/ARCHITECTURE.md, checked on the import statements: the API does not import activities
// (it starts workflows and reads the read model), and workflows import nothing from the schema but types
// (a workflow bundle must stay free of I/O).
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';

const root = path.join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [relative] : [];
  });
}

/** Each import of a file: whether it imports only types, and the folder under the root it resolves to. */
function importsOf(file: string): { typeOnly: boolean; target: string; line: string }[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => ({
    typeOnly: Boolean(m[2]),
    target: path.relative(root, path.resolve(path.join(root, path.dirname(file)), m[3]!)).split(path.sep)[0]!,
    line: m[0].replace(/\s+/g, ' '),
  }));
}

test('the API imports no activity', (t) => {
  const offending = sourceFiles('api').flatMap((file) => importsOf(file).filter((i) => i.target === 'activities').map((i) => `${file}: ${i.line}`));
  t.deepEqual(offending, []);
});

test('workflows import nothing from the schema but types', (t) => {
  const offending = sourceFiles('workflows').flatMap((file) => importsOf(file).filter((i) => i.target === 'schema' && !i.typeOnly).map((i) => `${file}: ${i.line}`));
  t.deepEqual(offending, []);
});

test('the check sees the imports it looks for', (t) => {
  // without this the two tests above would pass on a regular expression that matches nothing
  t.true(importsOf('api/routes/classify.ts').some((i) => i.target === 'schema' && !i.typeOnly));
  t.true(importsOf('workflows/ticket.ts').some((i) => i.target === 'schema' && i.typeOnly));
});
