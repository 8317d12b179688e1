// `npm run build:console`: the analyst console (console/src, Preact + TypeScript) bundled by
// esbuild into static files the API serves at `/` (console/dist: index.html, app.js, app.css).
// No CDN: everything the page loads comes from the API. `npm start` and the browser tests build
// it when it is missing or older than its sources.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE_SRC = path.join(root, 'console');
/** Where the API serves it from (api/app.ts CONSOLE_DIR). */
const CONSOLE_OUT = path.join(root, 'console', 'dist');

/** The newest modification time under a folder (the sources), in ms. */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Whether console/dist is missing or older than console/src or index.html (the API's types it uses leave nothing in the bundle). */
function consoleStale(): boolean {
  const built = path.join(CONSOLE_OUT, 'app.js');
  if (!fs.existsSync(built) || !fs.existsSync(path.join(CONSOLE_OUT, 'index.html'))) return true;
  const sources = Math.max(newest(path.join(CONSOLE_SRC, 'src')), fs.statSync(path.join(CONSOLE_SRC, 'index.html')).mtimeMs);
  return fs.statSync(built).mtimeMs < sources;
}

export async function buildConsole(): Promise<string> {
  const out = CONSOLE_OUT;
  fs.mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { app: path.join(CONSOLE_SRC, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    outdir: out,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  fs.copyFileSync(path.join(CONSOLE_SRC, 'index.html'), path.join(out, 'index.html'));
  return out;
}

/** Builds the console when it is missing or stale; quick when it is not. */
export async function ensureConsole(log: (m: string) => void = () => {}): Promise<void> {
  if (!consoleStale()) return;
  log('building the console (console/dist)…');
  await buildConsole();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildConsole();
  console.log(`console built into ${path.relative(root, out)}`);
}
