#!/usr/bin/env node
// Two headless Chromium peers that act like the mobile app chat through a
// signalling server, both ways, and one declines: this proves the page and
// driver.mjs before they are pointed at Confab. Prints TAP.
//
// Server: CONFAB_SIGNAL_URL (ws://127.0.0.1:PORT, e.g. the article's Node
// server) if set, else CONFAB_SIGNAL (the confab-signal binary), started here
// on a free loopback port. Waits are bounded by CONFAB_INTEROP_TIMEOUT (30 s).
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const timeout = Number(process.env.CONFAB_INTEROP_TIMEOUT ?? 30);
const tag = process.pid;  // keeps names unique on a shared server
const alice = `alice-${tag}`;
const bob = `bob-${tag}`;
const nobody = `nobody-${tag}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let server = null;
const drivers = [];

function bail(why) {
  console.log(`Bail out! ${why}`);
  cleanup();
  process.exit(1);
}

function cleanup() {
  for (const d of drivers) d.proc.kill('SIGTERM');
  server?.kill('SIGTERM');
}

// One driver.mjs process, its stdout kept as a list of lines.
class Driver {
  constructor(name, args) {
    this.name = name;
    this.lines = [];
    this.stderr = '';
    this.listeners = new Set();
    this.proc = spawn(process.execPath, [join(here, 'driver.mjs'), '--timeout', String(timeout), ...args],
                      { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    let partial = '';
    this.proc.stdout.setEncoding('utf8').on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const line of parts) {
        this.lines.push(line);
        for (const f of this.listeners) f();
      }
    });
    this.proc.stderr.setEncoding('utf8').on('data', (chunk) => { this.stderr += chunk; });
    drivers.push(this);
  }

  mark() { return this.lines.length; }

  send(command) { this.proc.stdin.write(command + '\n'); }

  // The first line from index `from` on that matches, within the timeout.
  expect(re, from = 0) {
    return new Promise((resolve, reject) => {
      const look = () => {
        const line = this.lines.slice(from).find((l) => re.test(l));
        if (line === undefined) return;
        finish();
        resolve(line);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no line matching ${re} within ${timeout} s`));
      }, timeout * 1000);
      const finish = () => { clearTimeout(timer); this.listeners.delete(look); };
      this.listeners.add(look);
      look();
    });
  }

  async ask(command, re) {
    const from = this.mark();
    this.send(command);
    return this.expect(re, from);
  }

  dump() {
    return [...this.lines.map((l) => `${this.name} out: ${l}`),
            ...this.stderr.split('\n').filter(Boolean).slice(-40).map((l) => `${this.name} err: ${l}`)];
  }
}

// Every process below a pid, with its start time so a reused pid is told apart.
function descendants(root) {
  const stats = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.push({ pid: Number(pid), ppid: Number(f[1]), start: f[19] });
    } catch { /* gone meanwhile */ }
  }
  const found = [];
  const walk = (p) => stats.filter((s) => s.ppid === p).forEach((s) => { found.push(s); walk(s.pid); });
  walk(root);
  return found;
}

function stillRunning(s) {
  try {
    const stat = readFileSync(`/proc/${s.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] !== 'Z' && f[19] === s.start;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().on('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port) => new Promise((resolve) => {
  const c = createConnection({ host: '127.0.0.1', port }, () => { c.destroy(); resolve(true); });
  c.on('error', () => resolve(false));
});

async function startServer() {
  if (process.env.CONFAB_SIGNAL_URL) return process.env.CONFAB_SIGNAL_URL;
  const bin = process.env.CONFAB_SIGNAL;
  if (!bin) bail('set CONFAB_SIGNAL_URL to a server, or CONFAB_SIGNAL to the confab-signal binary');
  // Another process may take the free port first: then try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    server = spawn(bin, ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 2, 2] });
    let exited = false;
    server.on('exit', () => { exited = true; });
    for (let i = 0; i < timeout * 10 && !exited; i++) {
      if (await canConnect(port)) return `ws://127.0.0.1:${port}`;
      await sleep(100);
    }
    if (!exited) bail(`${bin} did not listen on 127.0.0.1:${port} within ${timeout} s`);
  }
  bail(`${bin} exited at start three times`);
}

// TAP, one step a test; after a failure the remaining steps are skipped,
// since each needs the one before.
const steps = [];
const step = (desc, fn) => steps.push({ desc, fn });

step('alice registers', async (a, b) => { await a.expect(new RegExp(`^registered ${alice}$`)); });
step('bob registers, accepting any call', async (a, b) => { await b.expect(new RegExp(`^registered ${bob}$`)); });
step('alice calls bob: both channels open', async (a, b) => {
  const fromB = b.mark();
  await a.ask(`call ${bob}`, new RegExp(`^open ${bob}$`));
  await b.expect(new RegExp(`^open ${alice}$`), fromB);
});
step('alice\'s text reaches bob', async (a, b) => {
  const from = b.mark();
  await a.ask(`send ${bob} hello bob, from alice`, new RegExp(`^sent ${bob}$`));
  await b.expect(new RegExp(`^message ${alice}: hello bob, from alice$`), from);
});
step('bob\'s UTF-8 text reaches alice', async (a, b) => {
  const from = a.mark();
  await b.ask(`send ${alice} grüße, Alice 🎉`, new RegExp(`^sent ${alice}$`));
  await a.expect(new RegExp(`^message ${bob}: grüße, Alice 🎉$`), from);
});
step('alice hangs up and bob sees the connection close', async (a, b) => {
  const from = b.mark();
  a.send(`hangup ${bob}`);
  await b.expect(new RegExp(`^closed ${alice} `), from);
});
step('bob calls alice, who is asked and accepts: both channels open', async (a, b) => {
  const fromA = a.mark();
  const fromB = b.mark();
  b.send(`call ${alice}`);
  await a.expect(new RegExp(`^offer ${bob}$`), fromA);
  await a.ask(`accept ${bob}`, new RegExp(`^open ${bob}$`));
  await b.expect(new RegExp(`^open ${alice}$`), fromB);
});
step('texts cross both ways on the second call', async (a, b) => {
  const fromA = a.mark();
  const fromB = b.mark();
  a.send(`send ${bob} second call, alice here`);
  b.send(`send ${alice} second call, bob here`);
  await b.expect(new RegExp(`^message ${alice}: second call, alice here$`), fromB);
  await a.expect(new RegExp(`^message ${bob}: second call, bob here$`), fromA);
});
step('bob declines alice\'s call, and alice is told nothing', async (a, b) => {
  await b.ask('decline-any', /^ok$/);
  const fromA = a.mark();
  const fromB = b.mark();
  a.send(`call ${bob}`);
  await b.expect(new RegExp(`^declined ${alice}$`), fromB);
  // Declining sends nothing: alice still waits for an answer.
  const status = await a.ask(`status ${bob}`, new RegExp(`^status ${bob} `));
  if (!/signaling=have-local-offer/.test(status) || /own=open/.test(status))
    throw new Error(`alice's side after the decline: ${status}`);
  if (a.lines.slice(fromA).some((l) => l.startsWith(`open ${bob}`)))
    throw new Error('alice opened a channel to bob after bob declined');
  a.send(`hangup ${bob}`);
});
step('calling someone offline says so', async (a, b) => {
  await a.ask(`call ${nobody}`, new RegExp(`^offline ${nobody}$`));
});
step('a name in use is refused', async (a, b) => {
  await b.ask(`register ${alice}`, new RegExp(`^name-taken ${alice}$`));
});
step('neither page reported a warning or an error', async (a, b) => {
  const bad = [...a.lines, ...b.lines].filter((l) => /^(warning|error) /.test(l));
  if (bad.length) throw new Error(bad.join(' | '));
});

const ensure = spawnSync('sh', [join(here, 'ensure-deps.sh')], { stdio: ['ignore', 2, 2] });
if (ensure.status !== 0) bail('npm ci failed in tests/interop (see stderr)');
if (spawnSync('/usr/bin/chromium', ['--version'], { stdio: 'ignore' }).status !== 0)
  bail('/usr/bin/chromium is missing: apt install chromium');

console.log(`1..${steps.length + 1}`);
const url = await startServer();
console.log(`# server ${url}`);
const a = new Driver('alice', ['--server', url, '--name', alice]);
const b = new Driver('bob', ['--server', url, '--name', bob, '--accept-any']);
let n = 0;
let failed = false;
for (const { desc, fn } of steps) {
  n++;
  if (failed) {
    console.log(`ok ${n} - ${desc} # SKIP an earlier step failed`);
    continue;
  }
  try {
    await fn(a, b);
    console.log(`ok ${n} - ${desc}`);
  } catch (e) {
    failed = true;
    console.log(`not ok ${n} - ${desc}`);
    console.log(`# ${e.message}`);
    for (const line of [...a.dump(), ...b.dump()]) console.log(`#   ${line}`);
  }
}

// EOF on stdin must close each browser and leave no process behind.
const trees = drivers.map((d) => descendants(d.proc.pid));
for (const d of drivers) d.proc.stdin.end();
const codes = await Promise.race([Promise.all(drivers.map((d) => d.exited)), sleep(timeout * 1000)]);
const left = trees.flat().filter(stillRunning);
n++;
if (Array.isArray(codes) && codes.every((c) => c === 0) && left.length === 0 && trees.every((t) => t.length > 0)) {
  console.log(`ok ${n} - both drivers exit 0 on EOF and leave no process behind`);
} else {
  failed = true;
  console.log(`not ok ${n} - both drivers exit 0 on EOF and leave no process behind`);
  console.log(`# exit codes ${JSON.stringify(codes)}, still running: ${left.map((s) => s.pid).join(' ') || 'none'}`);
  for (const s of left) try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
}
cleanup();
process.exit(failed ? 1 : 0);
