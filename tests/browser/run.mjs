// Runs the browser tests: starts `ruqsat serve` with demo data on a scratch SQLite
// database and a free port, then every *.test.mjs of this folder with node's test runner
// against it (one file at a time: they share the server), then stops the server.
//
//   node tests/browser/run.mjs [path/to/ruqsat] [file.test.mjs …]
//
// The browser is Debian's chromium (/usr/bin/chromium, or RUQSAT_CHROMIUM), driven by
// playwright-core; nothing is downloaded. Screenshots go to docs/screenshots/.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bin = resolve(process.argv[2] || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'ruqsat'));
const only = process.argv.slice(3);
if (!existsSync(bin)) {
  console.error(`no ruqsat binary at ${bin}: build it first (cargo build)`);
  process.exit(2);
}
const chromium = process.env.RUQSAT_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`no chromium at ${chromium}: apt-get install chromium (.ci/run does)`);
  process.exit(2);
}

const port = await new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const closedPort = await new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const work = mkdtempSync(join(tmpdir(), 'ruqsat-browser-'));
const base = `http://127.0.0.1:${port}`;
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RUQSAT_') && k !== 'DATABASE_URL')),
  RUQSAT_LISTEN: `127.0.0.1:${port}`,
  RUQSAT_PUBLIC_URL: base,
  DATABASE_URL: process.env.BROWSER_DATABASE_URL || join(work, 'ruqsat.db'),
  RUQSAT_DATA_DIR: join(work, 'data'),
  // Mail goes to an SMTP port where nothing listens, once: every message becomes a dead
  // letter, which the administrator's test puts back in the queue.
  RUQSAT_SMTP_URL: `smtp://127.0.0.1:${closedPort}`,
  RUQSAT_MAIL_MAX_ATTEMPTS: '1',
  // Those dead letters are expected here: the outbox's warning about each is left out.
  RUST_LOG: process.env.RUST_LOG || 'warn,ruqsat::app::outbox=error',
};
const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
let serverExit = null;
server.on('exit', (code) => { serverExit = code; });
const stop = () => { if (serverExit === null) server.kill('SIGTERM'); };
process.on('exit', stop);

for (let i = 0; ; i++) {
  if (serverExit !== null) { console.error(`ruqsat serve exited with ${serverExit}`); process.exit(1); }
  try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* not up yet */ }
  if (i > 240) { console.error('ruqsat serve did not answer /health in 60 s'); process.exit(1); }
  await new Promise((r) => setTimeout(r, 250));
}

const files = (only.length ? only : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort())
  .map((f) => resolve(here, f));
console.log(`== browser tests against ${base}: ${files.map((f) => f.split('/').pop()).join(', ')}`);
const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  env: { ...process.env, RUQSAT_URL: base, RUQSAT_TEST_DATA_DIR: join(work, 'data'), RUQSAT_TEST_BIN: bin, RUQSAT_CHROMIUM: chromium },
  stdio: 'inherit',
});
const code = await new Promise((ok) => tests.on('exit', (c) => ok(c ?? 1)));
stop();
await new Promise((r) => setTimeout(r, 300));
if (code === 0) rmSync(work, { recursive: true, force: true });
else console.error(`server data kept in ${work}`);
process.exit(code);
