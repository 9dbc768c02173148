// The visual SOP designer (web/designer), the knowledge-base page (web/kb), the agent console (web/console)
// and the operations dashboard (web/dashboard, charts by echarts), shared code in web/shared:
// plain HTML + ES modules + CSS, no build step.
// Also serves the two browser libraries it uses from node_modules: mermaid (one IIFE file that sets
// window.mermaid) and yaml's browser ESM build (many files with relative imports, served as a folder
// behind a one-line entry module).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { projectRoot } from '../../config';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return path.join(projectRoot, 'node_modules', name);
  }
}

const designerDir = path.join(projectRoot, 'web', 'designer');
const confirmDir = path.join(projectRoot, 'web', 'confirm');
const kbDir = path.join(projectRoot, 'web', 'kb');
const consoleDir = path.join(projectRoot, 'web', 'console');
const sharedDir = path.join(projectRoot, 'web', 'shared');
const dashboardDir = path.join(projectRoot, 'web', 'dashboard');
/** the charting library of the dashboard: one UMD file that sets window.echarts */
const echartsFile = path.join(packageDir('echarts'), 'dist', 'echarts.min.js');
const mermaidFile = path.join(packageDir('mermaid'), 'dist', 'mermaid.min.js');
const yamlDir = path.join(packageDir('yaml'), 'browser', 'dist');
/** the browser build's index imports './compose/composer.js' etc., so the folder lives under /vendor/yaml/ */
const yamlEntry = "export * from './yaml/index.js';\n";

export const webRoutes: FastifyPluginAsync = async (app) => {
  const noSchema = { hide: true };

  // /designer without the slash: the page itself (its links are absolute, so both forms work)
  app.get('/designer', { schema: noSchema }, async (_request, reply) => {
    const html = await fs.promises.readFile(path.join(designerDir, 'index.html'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  await app.register(fastifyStatic, {
    root: designerDir,
    prefix: '/designer/',
    decorateReply: false,
    index: ['index.html'],
    cacheControl: false,
    // always revalidate: staff must see an updated designer at once
    setHeaders: (reply) => void reply.header('cache-control', 'no-cache'),
  });

  // the page notices link to (confirmation and rating), the knowledge-base search page, the console for agents, the dashboard, and the browser code pages share
  for (const [route, dir] of [['/confirm', confirmDir], ['/kb', kbDir], ['/console', consoleDir], ['/dashboard', dashboardDir]] as const) {
    app.get(route, { schema: noSchema }, async (_request, reply) => {
      const html = await fs.promises.readFile(path.join(dir, 'index.html'));
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('referrer-policy', 'no-referrer').send(html);
    });
  }
  for (const [root, prefix] of [[confirmDir, '/confirm/'], [kbDir, '/kb/'], [consoleDir, '/console/'], [dashboardDir, '/dashboard/'], [sharedDir, '/shared/']] as const) {
    await app.register(fastifyStatic, {
      root,
      prefix,
      decorateReply: false,
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (reply) => void reply.header('cache-control', 'no-cache').header('referrer-policy', 'no-referrer'),
    });
  }

  app.get('/vendor/mermaid.min.js', { schema: noSchema }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(fs.createReadStream(mermaidFile)),
  );

  app.get('/vendor/echarts.min.js', { schema: noSchema }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(fs.createReadStream(echartsFile)),
  );

  app.get('/vendor/yaml.js', { schema: noSchema }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(yamlEntry),
  );

  await app.register(fastifyStatic, {
    root: yamlDir,
    prefix: '/vendor/yaml/',
    decorateReply: false,
    index: false,
    maxAge: 86_400_000,
  });
};
