// harness.mjs: what the interop tests share: line-driven child processes
// (driver.mjs, confab-cli), the signalling servers, and TAP steps.
//
// Copyright 2026 The Confab authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Every wait is bounded by CONFAB_INTEROP_TIMEOUT (30 s).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const here = dirname(fileURLToPath(import.meta.url));
export const timeout = Number(process.env.CONFAB_INTEROP_TIMEOUT ?? 30);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const children = [];

// Ends every process the harness started; safe to call twice.
export function cleanup() {
  for (const c of children)
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}

export function bail(why) {
  console.log(`Bail out! ${why}`);
  cleanup();
  process.exit(1);
}

// A RegExp that matches `text` literally.
export const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
export const exactly = (text) => new RegExp(`^${literal(text)}$`);

// A child process whose stdout and stderr are kept as lists of lines.
export class Lines {
  constructor(name, command, args, options = {}) {
    this.name = name;
    this.out = [];
    this.err = [];
    this.listeners = new Set();
    this.proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    children.push(this.proc);
    this.status = null;
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      this.status = { code, signal };
      this.notify();
      resolve(this.status);
    }));
    // A child that exits early closes its stdin: later writes must not kill us.
    this.proc.stdin.on('error', () => {});
    for (const [stream, list] of [[this.proc.stdout, this.out], [this.proc.stderr, this.err]]) {
      let partial = '';
      stream.setEncoding('utf8').on('data', (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        list.push(...parts);
        this.notify();
      });
    }
  }

  notify() {
    for (const f of [...this.listeners]) f();
  }

  // Positions to look from, so a wait sees only what came after them.
  mark() { return { out: this.out.length, err: this.err.length }; }

  send(line) { this.proc.stdin.write(line + '\n'); }

  closeInput() { this.proc.stdin.end(); }

  // Resolves when check() gives something other than undefined; rejects
  // with `what` after the timeout.
  until(check, what, seconds = timeout) {
    return new Promise((resolve, reject) => {
      const look = () => {
        let value;
        try {
          value = check();
        } catch (e) {
          finish();
          reject(e);
          return;
        }
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: ${what} within ${seconds} s`));
      }, seconds * 1000);
      const finish = () => { clearTimeout(timer); this.listeners.delete(look); };
      this.listeners.add(look);
      look();
    });
  }

  // The first line of `stream` ('out' or 'err') from `from` (a mark, or a
  // line index; the first line by default) on that matches.
  expect(re, from = 0, stream = 'out', seconds = timeout) {
    const list = stream === 'out' ? this.out : this.err;
    const start = typeof from === 'number' ? from : from[stream];
    return this.until(() => {
      const line = list.slice(start).find((l) => re.test(l));
      if (line !== undefined) return line;
      if (this.status) throw new Error(`${this.name} exited (${describe(this.status)}) before printing a line matching ${re}`);
      return undefined;
    }, `no ${stream === 'out' ? 'stdout' : 'stderr'} line matching ${re}`, seconds);
  }

  expectErr(re, from = 0, seconds = timeout) {
    return this.expect(re, from, 'err', seconds);
  }

  // The exit status, {code, signal}, within the timeout.
  exit(seconds = timeout) {
    return this.until(() => this.status ?? undefined, 'did not exit', seconds);
  }

  // Lines matching `re` since `from`, on stdout.
  since(from, re = /./) {
    return this.out.slice(typeof from === 'number' ? from : from.out).filter((l) => re.test(l));
  }

  dump() {
    return [...this.out.map((l) => `${this.name} out: ${l}`),
            ...this.err.filter(Boolean).slice(-60).map((l) => `${this.name} err: ${l}`)];
  }
}

export const describe = (s) => (s.signal ? `signal ${s.signal}` : `status ${s.code}`);

// One driver.mjs: headless Chromium acting like the mobile app.
export class Driver extends Lines {
  constructor(name, args) {
    super(name, process.execPath, [join(here, 'driver.mjs'), '--timeout', String(timeout), ...args]);
  }

  // Sends a command and waits for the line that answers it.
  async ask(command, re) {
    const from = this.mark();
    this.send(command);
    return this.expect(re, from);
  }
}

// One confab-cli ($CONFAB_CLI).
export class Cli extends Lines {
  constructor(name, args) {
    const bin = process.env.CONFAB_CLI;
    if (!bin) bail('CONFAB_CLI is not set to the confab-cli binary');
    super(name, bin, args);
  }
}

// Starts a command that prints the port it listens on, and resolves with
// the process and the port read from the line matching `re` (group 1).
function listening(name, command, args, re, options = {}) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 2], ...options });
  children.push(proc);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => reject(new Error(`${name} printed no port within ${timeout} s`)), timeout * 1000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited at start (${describe({ code, signal })})`));
    });
    lines.on('line', (line) => {
      const m = re.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
      // Everything else it says is a diagnostic.
      process.stderr.write(`[${name}] ${line}\n`);
    });
  });
}

// 'confab': $CONFAB_SIGNAL on a free loopback port; 'node': the article's
// Node server (tests/bench/node-reference), after `npm ci` there if needed.
// $CONFAB_SIGNAL_URL, when set, replaces the first kind.  Resolves with
// { url, proc } (proc is null for an outside server).
export async function startServer(kind = 'confab') {
  if (kind === 'confab') {
    if (process.env.CONFAB_SIGNAL_URL) return { url: process.env.CONFAB_SIGNAL_URL, proc: null };
    const bin = process.env.CONFAB_SIGNAL;
    if (!bin) bail('set CONFAB_SIGNAL_URL to a server, or CONFAB_SIGNAL to the confab-signal binary');
    const { proc, port } = await listening('confab-signal', bin, ['--host', '127.0.0.1', '--port', '0'],
                                           /listening on ws:\/\/[^:]+:(\d+)/);
    return { url: `ws://127.0.0.1:${port}`, proc };
  }
  if (kind === 'node') {
    const reference = join(here, '..', 'bench', 'node-reference');
    const ensure = spawnSync('sh', [join(here, 'ensure-deps.sh'), reference], { stdio: ['ignore', 2, 2] });
    if (ensure.status !== 0) bail('npm ci failed in tests/bench/node-reference (see stderr)');
    // Port 0: the server picks a free one and names it.
    const { proc, port } = await listening('node-server', process.execPath, [join(reference, 'server.js'), '0'],
                                           /^listening on server (\d+)$/,
                                           { env: { ...process.env, HOST: '127.0.0.1' } });
    return { url: `ws://127.0.0.1:${port}`, proc };
  }
  throw new Error(`unknown server kind ${kind}`);
}

// Checks what every browser test needs; bails out with the reason if not.
export function ensureBrowser() {
  const ensure = spawnSync('sh', [join(here, 'ensure-deps.sh')], { stdio: ['ignore', 2, 2] });
  if (ensure.status !== 0) bail('npm ci failed in tests/interop (see stderr)');
  if (spawnSync('/usr/bin/chromium', ['--version'], { stdio: 'ignore' }).status !== 0)
    bail('/usr/bin/chromium is missing: apt install chromium');
}

// Every process below a pid, with its start time so a reused pid is told apart.
export function descendants(root) {
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

export function stillRunning(s) {
  try {
    const stat = readFileSync(`/proc/${s.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] !== 'Z' && f[19] === s.start;
  } catch {
    return false;
  }
}

// TAP: runs the steps in order, one test point each.  `chained` steps need
// the one before: after a failure they are skipped; the others run anyway.
// `dump()` gives the lines to print after a failure; each step is called
// with `args`.  A step may return a string, printed as a TAP comment.
// Resolves with true when everything passed.
export async function runSteps(steps, dump, ...args) {
  console.log(`1..${steps.length}`);
  let n = 0;
  let failed = false;
  let chainBroken = false;
  for (const { desc, fn, chained = true } of steps) {
    n++;
    if (chained && chainBroken) {
      console.log(`ok ${n} - ${desc} # SKIP an earlier step failed`);
      continue;
    }
    const started = Date.now();
    try {
      const note = await fn(...args);
      console.log(`ok ${n} - ${desc}`);
      if (typeof note === 'string') console.log(`# ${note}`);
      chainBroken = false;
    } catch (e) {
      failed = true;
      chainBroken = true;
      console.log(`not ok ${n} - ${desc}`);
      for (const line of String(e.message).split('\n')) console.log(`# ${line}`);
      for (const line of dump()) console.log(`#   ${line}`);
    }
    console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return !failed;
}

export function step(list, desc, fn, options = {}) {
  list.push({ desc, fn, ...options });
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(1); });
process.on('exit', cleanup);
