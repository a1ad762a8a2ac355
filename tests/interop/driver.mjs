#!/usr/bin/env node
// driver.mjs: headless Chromium as a peer that acts like the mobile app
// (mobile-peer.html), driven by lines on stdin, reporting lines on stdout, so
// a C or shell test can chat with it.
//
//   node driver.mjs [--server ws://127.0.0.1:PORT] [--name NAME]
//                   [--accept-any | --decline-any] [--timeout SECONDS]
//
// Commands (stdin, one a line; names have no spaces):
//   register NAME [URL]  register on --server (or URL)
//                        -> registered NAME | name-taken NAME | error ...
//   call PEER            start_transfer, then the offer
//                        -> calling PEER, later open PEER | offline PEER
//   accept-any | decline-any | ask
//                        what to do with an offer (default ask) -> ok
//   accept PEER | decline PEER   answer an offer -> accepted PEER | declined PEER
//   send PEER TEXT       TEXT (the rest of the line) on our channel -> sent PEER
//   hangup PEER          close that peer connection -> closed PEER hung up
//   status PEER          -> status PEER role=... signaling=... ice=... ...
//   quit                 close the browser and exit 0 (so does EOF on stdin)
//
// Events (stdout, one a line; ignore lines you do not know):
//   ready                          the page is loaded; commands are taken
//   offer PEER                     PEER calls us (answer with accept/decline)
//   accepted PEER | declined PEER  our decision on PEER's offer
//   channel PEER LABEL             PEER opened a data channel towards us
//   open PEER                      our channel and PEER's are both open
//   message PEER: TEXT             a text PEER sent (\n, \r and \ escaped)
//   closed PEER REASON             that peer connection is over
//   ignored TYPE NAME              a signalling message the app ignores
//   discarded PEER                 a candidate from PEER came before we
//                                  accepted: the app drops it, and so do we
//   disconnected URL               the signalling server went away
//   warning TEXT                   the peer did something the app would not take
//   error TEXT                     a command failed, or a wait ran out
//                                  ("error timeout ..."); the driver goes on
// Every wait is bounded by --timeout (30 s): after `call` or `accept` an
// unopened channel ends in "error timeout PEER: ...". Diagnostics (ICE
// candidates, connection states, console) go to stderr.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const opts = { server: null, name: null, policy: null, timeout: 30 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--server') opts.server = argv[++i];
  else if (a === '--name') opts.name = argv[++i];
  else if (a === '--accept-any') opts.policy = 'accept';
  else if (a === '--decline-any') opts.policy = 'decline';
  else if (a === '--timeout') opts.timeout = Number(argv[++i]);
  else {
    process.stderr.write(`driver: unknown argument ${a}\n`);
    process.exit(2);
  }
}
if (!(opts.timeout > 0)) {
  process.stderr.write('driver: --timeout wants a positive number of seconds\n');
  process.exit(2);
}
const timeoutMs = opts.timeout * 1000;

const out = (line) => process.stdout.write(line + '\n');
const diag = (line) => process.stderr.write(`[driver ${opts.name ?? process.pid}] ${line}\n`);

// A promise that gives up with a clear message instead of hanging.
function bounded(promise, what) {
  let timer;
  const expiry = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout ${what} after ${opts.timeout} s`)), timeoutMs);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

// Serves the page and its script only, on loopback.
const files = { '/mobile-peer.html': 'text/html', '/mobile-peer.js': 'text/javascript' };
const http = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const type = files[path];
  if (!type) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(await readFile(join(here, path.slice(1))));
});

let browser = null;
let page = null;
let stopping = false;
const openWatch = new Map();  // peer -> timer waiting for "open PEER"

function watchOpen(peer) {
  clearTimeout(openWatch.get(peer));
  openWatch.set(peer, setTimeout(async () => {
    openWatch.delete(peer);
    let status = '';
    try {
      status = await bounded(page.evaluate((p) => confab.status(p), peer), 'status');
    } catch { /* the page is gone: say what we know */ }
    out(`error timeout ${peer}: no open channel after ${opts.timeout} s (${status})`);
  }, timeoutMs));
}

function unwatch(peer) {
  clearTimeout(openWatch.get(peer));
  openWatch.delete(peer);
}

function onPageEvent(line, diagnostic) {
  if (diagnostic) {
    diag(line);
    return;
  }
  out(line);
  const [kind, peer] = line.split(' ');
  if (kind === 'accepted') watchOpen(peer);
  else if (['open', 'closed', 'offline', 'declined'].includes(kind)) unwatch(peer);
}

// Chromium processes we started, so a stuck close can still end them.
function ourChildren() {
  const kids = [];
  for (const pid of readdirSyncSafe('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) kids.push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  return kids;
}

function readdirSyncSafe(dir) {
  try {
    return readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const timer of openWatch.values()) clearTimeout(timer);
  const kids = ourChildren();
  try {
    // Say goodbye to the server with a close frame, as a phone would.
    if (page) await Promise.race([page.evaluate(() => confab.disconnect()),
                                  new Promise((r) => setTimeout(r, 2000))]);
  } catch { /* the page is gone already */ }
  try {
    if (browser) await bounded(browser.close(), 'closing the browser');
  } catch (e) {
    diag(e.message);
  }
  // Whatever did not close (or had not finished starting) is ended here.
  for (const pid of kids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  http.close();
  process.exit(code);
}

const commands = {
  async register(args) {
    const [name, url = opts.server] = args.split(' ');
    if (!name || !url) return 'error usage: register NAME [URL] (or give --server)';
    opts.name ??= name;
    return page.evaluate(([u, n]) => confab.register(u, n), [url, name]).then(() => null);
  },
  async call(peer) {
    const line = await page.evaluate((p) => confab.call(p), peer);
    if (line.startsWith('calling')) watchOpen(peer);
    return line;
  },
  'accept-any': () => page.evaluate(() => confab.setAcceptPolicy('accept')),
  'decline-any': () => page.evaluate(() => confab.setAcceptPolicy('decline')),
  ask: () => page.evaluate(() => confab.setAcceptPolicy('ask')),
  accept: (peer) => page.evaluate((p) => confab.accept(p), peer).then((l) => (l === 'ok' ? null : l)),
  decline: (peer) => page.evaluate((p) => confab.decline(p), peer).then((l) => (l === 'ok' ? null : l)),
  async send(args) {
    const space = args.indexOf(' ');
    if (space <= 0) return 'error usage: send PEER TEXT';
    return page.evaluate(([p, t]) => confab.send(p, t), [args.slice(0, space), args.slice(space + 1)]);
  },
  hangup(peer) {
    unwatch(peer);
    return page.evaluate((p) => confab.hangup(p), peer).then((l) => (l === 'ok' ? null : l));
  },
  status: (peer) => page.evaluate((p) => confab.status(p), peer),
  quit: () => shutdown(0),
};

async function run(line) {
  line = line.replace(/\r$/, '');
  if (line.trim() === '') return;
  const space = line.indexOf(' ');
  const verb = space < 0 ? line : line.slice(0, space);
  const args = space < 0 ? '' : line.slice(space + 1);
  const command = Object.hasOwn(commands, verb) ? commands[verb] : null;
  if (!command) {
    out(`error unknown command: ${verb}`);
    return;
  }
  try {
    const reply = await bounded(command(args), verb);
    if (reply) out(reply);
  } catch (e) {
    out(`error ${verb}: ${e.message.split('\n')[0]}`);
  }
}

async function start() {
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: timeoutMs,
    // We close the browser ourselves on a signal, then exit.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run',
           // Real addresses in candidates: webrtcbin 1.22 cannot resolve .local
           // names without an mDNS-capable system resolver.
           '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  browser.on('disconnected', () => {
    if (!stopping) {
      out('error the browser exited');
      shutdown(1);
    }
  });
  page = await browser.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on('console', (m) => diag(`console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => out(`error page: ${e.message}`));
  page.on('crash', () => {
    out('error the page crashed');
    shutdown(1);
  });
  await page.exposeFunction('confabEmit', onPageEvent);
  await page.goto(`http://127.0.0.1:${http.address().port}/mobile-peer.html`);
  out('ready');
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => shutdown(0));

// Commands run one after another, in the order they arrived.
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => { queue = queue.then(() => run(line)); });
input.on('close', () => { queue = queue.then(() => shutdown(0)); });
input.pause();

try {
  await bounded(start(), 'starting Chromium');
} catch (e) {
  out(`error cannot start the browser page: ${e.message.split('\n')[0]}`);
  await shutdown(1);
}
if (opts.policy) await run(opts.policy === 'accept' ? 'accept-any' : 'decline-any');
if (opts.name && opts.server) await run(`register ${opts.name}`);
input.resume();
