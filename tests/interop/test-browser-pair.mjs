#!/usr/bin/env node
// Two headless Chromium peers that act like the mobile app chat through a
// signalling server, both ways, and one declines: this proves the page and
// driver.mjs before they are pointed at Confab. Prints TAP.
//
// Server: CONFAB_SIGNAL_URL (ws://127.0.0.1:PORT, e.g. the article's Node
// server) if set, else CONFAB_SIGNAL (the confab-signal binary), started here
// on a free loopback port. Waits are bounded by CONFAB_INTEROP_TIMEOUT (30 s).
import { Driver, cleanup, descendants, ensureBrowser, runSteps, sleep, startServer, stillRunning,
         timeout } from './harness.mjs';

const tag = process.pid;  // keeps names unique on a shared server
const alice = `alice-${tag}`;
const bob = `bob-${tag}`;
const nobody = `nobody-${tag}`;

// TAP, one step a test; after a failure the remaining steps are skipped,
// since each needs the one before (but the last one runs anyway).
const steps = [];
const step = (desc, fn, options = {}) => steps.push({ desc, fn, ...options });

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
  // Declining sends nothing: alice still waits for an answer.  As the
  // mobile app does, the page sends its offer as soon as it is made and
  // sets it as its local description beside that, so bob may decline
  // before alice's side says have-local-offer: ask again for a while.
  let status;
  for (let tries = 0; tries < 20; tries++) {
    status = await a.ask(`status ${bob}`, new RegExp(`^status ${bob} `));
    if (!/signaling=stable/.test(status)) break;
    await sleep(100);
  }
  if (!/signaling=have-local-offer/.test(status) || /own=open/.test(status))
    throw new Error(`alice's side after the decline: ${status}`);
  if (a.since(fromA).some((l) => l.startsWith(`open ${bob}`)))
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
  const bad = [...a.out, ...b.out].filter((l) => /^(warning|error) /.test(l));
  if (bad.length) throw new Error(bad.join(' | '));
});

// EOF on stdin must close each browser and leave no process behind.
step('both drivers exit 0 on EOF and leave no process behind', async (a, b) => {
  const drivers = [a, b];
  const trees = drivers.map((d) => descendants(d.proc.pid));
  for (const d of drivers) d.closeInput();
  const codes = await Promise.race([Promise.all(drivers.map((d) => d.exited)), sleep(timeout * 1000)]);
  const left = trees.flat().filter(stillRunning);
  for (const s of left) try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
  if (!Array.isArray(codes) || !codes.every((c) => c.code === 0) || left.length > 0 || !trees.every((t) => t.length > 0))
    throw new Error(`exit statuses ${JSON.stringify(codes)}, still running: ${left.map((s) => s.pid).join(' ') || 'none'}`);
}, { chained: false });

ensureBrowser();
const { url } = await startServer();
console.log(`# server ${url}`);
const a = new Driver('alice', ['--server', url, '--name', alice]);
const b = new Driver('bob', ['--server', url, '--name', bob, '--accept-any']);
const passed = await runSteps(steps, () => [...a.dump(), ...b.dump()], a, b);
cleanup();
process.exit(passed ? 0 : 1);
