#!/usr/bin/env node
// confab-cli chats with headless Chromium (libwebrtc, as in the mobile app)
// running mobile-peer.html, through one signalling server: Chromium calls
// Confab, Confab calls Chromium, text goes both ways, Chromium hangs up,
// Chromium declines (sending nothing, as the app does), Confab declines.
// Prints TAP.
//
// Copyright 2026 The Confab authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
//   node test-cli-chromium.mjs [confab|node]
//
// confab: $CONFAB_SIGNAL on a free port ($CONFAB_SIGNAL_URL overrides);
// node: the article's Node server, tests/bench/node-reference/server.js.
// confab-cli is $CONFAB_CLI. Waits are bounded by CONFAB_INTEROP_TIMEOUT
// (30 s).
import { Cli, Driver, cleanup, describe, descendants, ensureBrowser, exactly, literal, runSteps,
         sleep, startServer, step, stillRunning } from './harness.mjs';

const kind = process.argv[2] ?? 'confab';
const tag = process.pid;  // keeps names unique on a shared server
const phone = `phone-${tag}`;
const desk = `desk-${tag}`;      // Chromium calls it
const caller = `caller-${tag}`;  // calls Chromium
const refused = `refused-${tag}`; // calls Chromium, who declines
const refuser = `refuser-${tag}`; // declines Chromium's call
const nobody = `nobody-${tag}`;

const steps = [];
const clis = [];
let url = null;
let driver = null;

function cli(name, ...args) {
  const c = new Cli(name, ['--server', url, '--name', name, ...args]);
  clis.push(c);
  return c;
}

const signedIn = (c) => c.expectErr(exactly(`confab-cli: signed in as ${c.name}`));

async function exitsWith(c, code) {
  const status = await c.exit();
  if (status.code !== code) throw new Error(`${c.name} exited with ${describe(status)}, not status ${code}`);
}

// stdout of a confab-cli that has exited: exactly one line per message.
function printedExactly(c, expected) {
  if (JSON.stringify(c.out) !== JSON.stringify(expected))
    throw new Error(`${c.name} printed ${JSON.stringify(c.out)}, not ${JSON.stringify(expected)}`);
}

// --- Chromium calls Confab ----------------------------------------------

let deskCli = null;

step(steps, 'Chromium (the phone) registers', async () => {
  await driver.expect(exactly(`registered ${phone}`));
});

step(steps, 'confab-cli signs in, accepting any call', async () => {
  deskCli = cli(desk, '--accept-any');
  await signedIn(deskCli);
});

step(steps, 'Chromium calls confab-cli: both channels open', async () => {
  const mark = deskCli.mark();
  await driver.ask(`call ${desk}`, exactly(`open ${desk}`));
  await deskCli.expectErr(exactly(`confab-cli: chatting with ${phone}`), mark);
});

step(steps, 'Chromium\'s texts reach confab-cli, one stdout line each', async () => {
  const mark = deskCli.mark();
  await driver.ask(`send ${desk} hello desk, the phone here`, exactly(`sent ${desk}`));
  await driver.ask(`send ${desk} grüße aus Chromium 🎉`, exactly(`sent ${desk}`));
  await deskCli.expect(exactly(`${phone}: grüße aus Chromium 🎉`), mark);
});

step(steps, 'confab-cli\'s texts reach Chromium', async () => {
  const mark = driver.mark();
  deskCli.send('hello phone, the desk here');
  deskCli.send('and grüße back 🎉');
  await driver.expect(exactly(`message ${desk}: hello phone, the desk here`), mark);
  await driver.expect(exactly(`message ${desk}: and grüße back 🎉`), mark);
});

step(steps, 'Chromium hangs up: confab-cli says so on stderr and stays signed in', async () => {
  const mark = deskCli.mark();
  const started = Date.now();
  // The app sends no signalling message when it hangs up: only the peer
  // connection closes (its data channels, SCTP, DTLS).
  await driver.ask(`hangup ${desk}`, new RegExp(`^closed ${literal(desk)} `));
  const line = await deskCli.expectErr(new RegExp(`^confab-cli: (${literal(phone)} hung up|the chat with ${literal(phone)} failed: .*)$`), mark);
  const took = ((Date.now() - started) / 1000).toFixed(1);
  await sleep(500);
  if (deskCli.status) throw new Error(`${desk} exited (${describe(deskCli.status)}) after the hang-up`);
  // Chromium aborts the SCTP association: a hang-up, not a lost peer.
  if (line !== `confab-cli: ${phone} hung up`)
    throw new Error(`Chromium's hang-up was reported as: ${line}`);
  return `confab-cli reported the hang-up ${took} s after Chromium closed the connection`;
});

step(steps, 'the callee confab-cli exits 0 on EOF, having printed each message once', async () => {
  deskCli.closeInput();
  await exitsWith(deskCli, 0);
  printedExactly(deskCli, [`${phone}: hello desk, the phone here`, `${phone}: grüße aus Chromium 🎉`]);
});

// --- Confab calls Chromium ----------------------------------------------

let callerCli = null;

step(steps, 'confab-cli calls Chromium, who is asked and accepts: both channels open', async () => {
  const mark = driver.mark();
  callerCli = cli(caller, '--call', phone);
  // Typed at once: queued until the channel opens.
  callerCli.send('typed before you answered');
  await driver.expect(exactly(`offer ${caller}`), mark);
  await driver.ask(`accept ${caller}`, exactly(`open ${caller}`));
  await callerCli.expectErr(exactly(`confab-cli: chatting with ${phone}`));
  // The app drops candidates that come before its user accepts: Confab
  // must hold its own until the answer.
  const discarded = driver.since(mark, exactly(`discarded ${caller}`));
  if (discarded.length) throw new Error(`Chromium discarded ${discarded.length} early candidate(s) from ${caller}`);
});

step(steps, 'the line typed before the answer reaches Chromium', async () => {
  await driver.expect(exactly(`message ${caller}: typed before you answered`));
});

step(steps, 'texts go both ways on Confab\'s call', async () => {
  const mark = driver.mark();
  await driver.ask(`send ${caller} the phone answers`, exactly(`sent ${caller}`));
  await callerCli.expect(exactly(`${phone}: the phone answers`));
  callerCli.send('the desk answers back');
  await driver.expect(exactly(`message ${caller}: the desk answers back`), mark);
});

step(steps, 'confab-cli\'s EOF hangs up: it exits 0 and Chromium sees the connection close', async () => {
  const mark = driver.mark();
  const started = Date.now();
  callerCli.closeInput();
  await exitsWith(callerCli, 0);
  await driver.expect(new RegExp(`^closed ${literal(caller)} `), mark);
  printedExactly(callerCli, [`${phone}: the phone answers`]);
  return `Chromium saw the close ${((Date.now() - started) / 1000).toFixed(1)} s after the EOF`;
});

// --- Chromium declines -------------------------------------------------------

step(steps, 'Chromium declines confab-cli\'s call, sending nothing: confab-cli keeps waiting', async () => {
  const mark = driver.mark();
  const refusedCli = cli(refused, '--call', phone);
  await driver.expect(exactly(`offer ${refused}`), mark);
  await driver.ask(`decline ${refused}`, exactly(`declined ${refused}`));
  // The app tells the caller nothing: Confab can only wait for an answer
  // (its own no-answer timeout, 60 s, ends the call in the end). For the
  // time an accepted call took to open above, many times over, nothing
  // may happen: no open channel on either side, no failure, no exit.
  await sleep(3000);
  if (refusedCli.status) throw new Error(`${refused} exited (${describe(refusedCli.status)}) after the silent decline`);
  const opened = refusedCli.err.filter((l) => /chatting with|failed/.test(l));
  if (opened.length) throw new Error(`${refused} after the decline: ${opened.join(' | ')}`);
  if (driver.since(mark, new RegExp(`^open ${literal(refused)}$`)).length)
    throw new Error(`Chromium opened a channel to ${refused} after declining`);
  // Hanging up while still calling is an ordinary end of input.
  refusedCli.closeInput();
  await exitsWith(refusedCli, 0);
  printedExactly(refusedCli, []);
});

step(steps, 'confab-cli declines Chromium\'s call: no channel opens, and both go on', async () => {
  const c = cli(refuser);
  await signedIn(c);
  const mark = driver.mark();
  await driver.ask(`call ${c.name}`, exactly(`calling ${c.name}`));
  await c.expectErr(new RegExp(`^confab-cli: declining the chat ${literal(phone)} offers`));
  // confab-signal tells the caller (offer_declined), which the app
  // ignores; the Node server drops Confab's decline.  Either way the phone
  // is left waiting, as with a phone that declines.
  if (kind === 'confab') await driver.expect(exactly(`ignored offer_declined ${c.name}`), mark);
  const status = await driver.ask(`status ${c.name}`, new RegExp(`^status ${literal(c.name)} `));
  if (!/signaling=have-local-offer/.test(status) || driver.since(mark, new RegExp(`^open ${literal(c.name)}$`)).length)
    throw new Error(`Chromium after the decline: ${status}`);
  if (c.status) throw new Error(`${c.name} exited (${describe(c.status)}) after declining`);
  await driver.ask(`hangup ${c.name}`, new RegExp(`^closed ${literal(c.name)} `));
  c.closeInput();
  await exitsWith(c, 0);
  printedExactly(c, []);
}, { chained: false });

// --- Errors the server reports ---------------------------------------------

step(steps, 'confab-cli calling someone offline exits 5', async () => {
  await exitsWith(cli(`offline-${tag}`, '--call', nobody), 5);
}, { chained: false });

step(steps, 'confab-cli taking the phone\'s name exits 4', async () => {
  const taker = cli(phone);
  taker.closeInput();
  await exitsWith(taker, 4);
}, { chained: false });

step(steps, 'Chromium reported no warning or error', async () => {
  const bad = driver.out.filter((l) => /^(warning|error) /.test(l));
  if (bad.length) throw new Error(bad.join(' | '));
}, { chained: false });

step(steps, 'the driver exits 0 on EOF and leaves no process behind', async () => {
  const tree = descendants(driver.proc.pid);
  driver.closeInput();
  const status = await driver.exit();
  const left = tree.filter(stillRunning);
  for (const s of left) try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
  if (status.code !== 0 || left.length || !tree.length)
    throw new Error(`driver: ${describe(status)}, still running: ${left.map((s) => s.pid).join(' ') || 'none'}`);
}, { chained: false });

ensureBrowser();
if (!process.env.CONFAB_CLI) {
  console.log('Bail out! CONFAB_CLI is not set to the confab-cli binary');
  process.exit(1);
}
({ url } = await startServer(kind));
console.log(`# ${kind} server at ${url}`);
driver = new Driver('chromium', ['--server', url, '--name', phone]);
const passed = await runSteps(steps, () => [...driver.dump(), ...clis.flatMap((c) => c.dump())]);
cleanup();
process.exit(passed ? 0 : 1);
