#!/usr/bin/python3
# test-cli-processes.py: confab-cli as a script uses it: two or three
# confab-cli processes and the real confab-signal, each a process of its
# own, driven through stdin and read through stdout, stderr and the exit
# code.  Prints TAP.
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   test-cli-processes.py CONFAB_CLI CONFAB_SIGNAL [CASE...]
#
# Every wait is bounded by $CONFAB_CLI_TEST_TIMEOUT (30 s).  Each case
# starts its own confab-signal on a free port (--port 0; it prints the
# port), so the cases share nothing and can run beside other tests.

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TIMEOUT = float(os.environ.get('CONFAB_CLI_TEST_TIMEOUT', '30'))

# confab-cli's documented exit codes (confab-cli --help).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_NAME_TAKEN = 4
EXIT_PEER_OFFLINE = 5
EXIT_DECLINED = 6
EXIT_CONNECTION_LOST = 7
EXIT_TAMPERED = 8


class TestFailure(Exception):
    pass


class Skip(Exception):
    """The case cannot run here: reported as a TAP skip, never as a pass."""


class Process:
    """A child whose stdout and stderr are collected line by line, so a
    case can wait for a line without blocking on the pipe."""

    def __init__(self, name, argv, stdin=True):
        self.name = name
        self.argv = argv
        self.out = []
        self.err = []
        self.closed = {'out': False, 'err': False}
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(argv,
                                     stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     encoding='utf-8', errors='backslashreplace')
        for key, stream, lines in (('out', self.proc.stdout, self.out),
                                   ('err', self.proc.stderr, self.err)):
            threading.Thread(target=self._pump, args=(key, stream, lines), daemon=True).start()

    def _pump(self, key, stream, lines):
        for line in stream:
            with self.cond:
                lines.append(line.rstrip('\n'))
                self.cond.notify_all()
        with self.cond:
            self.closed[key] = True
            self.cond.notify_all()

    def mark(self):
        """Where a later wait starts looking: (stdout lines, stderr lines)."""
        with self.cond:
            return len(self.out), len(self.err)

    def wait_line(self, key, pattern, since=0, timeout=TIMEOUT):
        """The first line of stdout ('out') or stderr ('err') from index
        `since` on that matches the regular expression `pattern`."""
        lines = self.out if key == 'out' else self.err
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in lines[since:]:
                    if regex.search(line):
                        return line
                if self.closed[key]:
                    raise TestFailure(f'{self.name} closed its std{key} (exit {self.proc.poll()}) '
                                      f'without a line matching {pattern!r}')
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure(f'{self.name} printed no std{key} line matching {pattern!r} '
                                      f'within {timeout:g} s')
                self.cond.wait(left)

    def wait_out(self, pattern, since=0, timeout=TIMEOUT):
        return self.wait_line('out', pattern, since, timeout)

    def wait_err(self, pattern, since=0, timeout=TIMEOUT):
        return self.wait_line('err', pattern, since, timeout)

    def write(self, line):
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def wait_exit(self, timeout=TIMEOUT):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure(f'{self.name} did not exit within {timeout:g} s')
        # Let the pumps read what was left in the pipes.
        with self.cond:
            self.cond.wait_for(lambda: all(self.closed.values()), 5)
        return code

    def expect_exit(self, expected, timeout=TIMEOUT):
        code = self.wait_exit(timeout)
        if code != expected:
            raise TestFailure(f'{self.name} exited with {describe(code)}, not {expected}')

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()

    def dump(self):
        with self.cond:
            return ([f'{self.name} out: {line}' for line in self.out] +
                    [f'{self.name} err: {line}' for line in self.err[-60:]])


def describe(code):
    if code is not None and code < 0:
        return f'signal {signal.Signals(-code).name}'
    return f'status {code}'


class Case:
    """One test case's processes: a server, then the clients it starts."""

    def __init__(self, cli, signal_bin):
        self.cli_bin = cli
        self.signal_bin = signal_bin
        self.processes = []
        self.cleanups = []
        self.url = None

    def start_server(self):
        server = Process('confab-signal', [self.signal_bin, '--host', '127.0.0.1', '--port', '0'],
                         stdin=False)
        self.processes.append(server)
        line = server.wait_out(r'listening on ws://')
        port = re.search(r':(\d+)\s*$', line).group(1)
        self.url = f'ws://127.0.0.1:{port}'
        return server

    def start_cli(self, name, *args, server=True):
        argv = [self.cli_bin]
        if server:
            argv += ['--server', self.url]
        if name is not None:
            argv += ['--name', name]
        process = Process(name or 'confab-cli', argv + list(args))
        self.processes.append(process)
        return process

    def signed_in(self, name, *args):
        """A confab-cli that has registered `name`."""
        process = self.start_cli(name, *args)
        process.wait_err(rf'^confab-cli: signed in as {re.escape(name)}$')
        return process

    def dump(self):
        return [line for p in self.processes for line in p.dump()]

    def stop(self):
        for p in reversed(self.processes):
            p.stop()
        for cleanup in self.cleanups:
            cleanup()


def chatting(process, peer, since=0):
    process.wait_err(rf'^confab-cli: chatting with {re.escape(peer)}$', since)


def expect_lines(process, expected):
    """stdout, once the process has exited, is exactly these lines: one per
    message, nothing doubled, nothing else."""
    if process.out != expected:
        raise TestFailure(f'{process.name} printed {process.out!r}, not {expected!r}')


def free_port():
    """A port nothing listens on (nothing will: it is this test's)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class RewritingRelay:
    """A signalling relay between the clients and the real confab-signal,
    as a hostile server or anyone on a plain ws:// path could be: it
    passes every websocket frame on, and (when told to) rewrites the
    a=fingerprint lines of each offer and answer a client sends to a
    fingerprint no certificate of theirs has.  The peers' DTLS still runs
    directly between them."""

    def __init__(self, upstream, rewrite):
        self.upstream = ('127.0.0.1', int(upstream.rsplit(':', 1)[1]))
        self.rewrite = rewrite
        self.fingerprint = 'sha-256 ' + ':'.join(f'{b:02X}' for b in os.urandom(32))
        self.n_rewritten = 0
        self.lock = threading.Lock()
        self.sockets = []
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen()
        self.url = f'ws://127.0.0.1:{self.listener.getsockname()[1]}'
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._serve, args=(client, server), daemon=True).start()

    @staticmethod
    def _read_exactly(sock, n):
        data = b''
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    @staticmethod
    def _read_head(sock):
        data = b''
        while not data.endswith(b'\r\n\r\n'):
            chunk = sock.recv(1)
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _serve(self, client, server):
        try:
            # No permessage-deflate: the frames stay readable.
            head = self._read_head(client).split(b'\r\n')
            head = [h for h in head if not h.lower().startswith(b'sec-websocket-extensions:')]
            server.sendall(b'\r\n'.join(head))
            client.sendall(self._read_head(server))
        except (EOFError, OSError):
            return
        threading.Thread(target=self._copy, args=(server, client), daemon=True).start()
        self._frames(client, server)

    def _copy(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _frames(self, client, server):
        """Client to server, frame by frame: a client's frames are masked."""
        try:
            while True:
                first = self._read_exactly(client, 2)
                length = first[1] & 0x7f
                extended = b''
                if length == 126:
                    extended = self._read_exactly(client, 2)
                    length = int.from_bytes(extended, 'big')
                elif length == 127:
                    extended = self._read_exactly(client, 8)
                    length = int.from_bytes(extended, 'big')
                mask = self._read_exactly(client, 4) if first[1] & 0x80 else b''
                payload = self._read_exactly(client, length)
                if first[0] == 0x81 and mask:  # a whole text message
                    text = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)).decode()
                    data = self._rewrite(text).encode()
                    size = len(data)
                    if size < 126:
                        header = bytes([0x81, 0x80 | size])
                    elif size < 65536:
                        header = bytes([0x81, 0x80 | 126]) + size.to_bytes(2, 'big')
                    else:
                        header = bytes([0x81, 0x80 | 127]) + size.to_bytes(8, 'big')
                    server.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
                else:
                    server.sendall(first + extended + mask + payload)
        except (EOFError, OSError):
            pass
        for sock in (client, server):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _rewrite(self, text):
        if not self.rewrite:
            return text
        message = json.loads(text)
        if message.get('type') not in ('create_offer', 'create_answer'):
            return text
        lines = message['data']['sdp'].split('\r\n')
        message['data']['sdp'] = '\r\n'.join('a=fingerprint:' + self.fingerprint
                                               if line.startswith('a=fingerprint:') else line
                                               for line in lines)
        with self.lock:
            self.n_rewritten += 1
        return json.dumps(message)

    def close(self):
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                sock.close()


# The cases.  Each gets a Case with its own server already running.

def test_bad_arguments(case):
    """Usage errors exit 2, with a sentence on stderr and nothing on stdout."""
    attempts = [
        ('no --server and --name', []),
        ('no --name', ['--server', case.url]),
        ('an unknown option', ['--server', case.url, '--name', 'alice', '--no-such-option']),
        ('--accept and --accept-any', ['--server', case.url, '--name', 'alice',
                                       '--accept', 'bob', '--accept-any']),
        ('an http:// URL', ['--server', 'http://127.0.0.1:1', '--name', 'alice']),
        ('not a URL', ['--server', 'not a url', '--name', 'alice']),
        ('a name of 65 bytes', ['--server', case.url, '--name', 'a' * 65]),
        ('an --ice-server that is no URL', ['--server', case.url, '--name', 'alice',
                                            '--ice-server', 'stun.example.org']),
        ('a TURN server without credentials', ['--server', case.url, '--name', 'alice',
                                               '--ice-server', 'turn:127.0.0.1:3478']),
        ('--relay-only without a TURN server', ['--server', case.url, '--name', 'alice',
                                                '--relay-only',
                                                '--ice-server', 'stun:127.0.0.1:3478']),
    ]
    for what, args in attempts:
        process = case.start_cli(None, *args, server=False)
        process.name = f'confab-cli ({what})'
        process.close_stdin()
        code = process.wait_exit()
        if code != EXIT_USAGE:
            raise TestFailure(f'{what}: exit {describe(code)}, not {EXIT_USAGE}')
        if not any(line.startswith('confab-cli: ') for line in process.err):
            raise TestFailure(f'{what}: no "confab-cli: ..." sentence on stderr')
        if process.out:
            raise TestFailure(f'{what}: stdout is not empty: {process.out!r}')


def test_unreachable_server(case):
    """Nothing listening at the URL: exit 3."""
    process = case.start_cli('alice', '--server', f'ws://127.0.0.1:{free_port()}', server=False)
    process.expect_exit(EXIT_UNREACHABLE)
    if not any(line.startswith('confab-cli: ') for line in process.err):
        raise TestFailure('no sentence on stderr saying why')


def test_name_taken(case):
    """A second alice is refused with exit 4; the first goes on."""
    first = case.signed_in('alice')
    second = case.start_cli('alice')
    second.expect_exit(EXIT_NAME_TAKEN)
    if not first.running():
        raise TestFailure('the first alice exited when the second was refused')
    first.close_stdin()
    first.expect_exit(EXIT_OK)


def test_peer_offline(case):
    """--call someone who is not connected: exit 5."""
    alice = case.start_cli('alice', '--call', 'nobody')
    alice.expect_exit(EXIT_PEER_OFFLINE)
    alice.wait_err(r'nobody')


def test_declined(case):
    """bob without --accept declines; alice, the caller, exits 6 while
    bob stays signed in."""
    bob = case.signed_in('bob')
    alice = case.start_cli('alice', '--call', 'bob')
    alice.expect_exit(EXIT_DECLINED)
    bob.wait_err(r'^confab-cli: declining the chat alice offers')
    if not bob.running():
        raise TestFailure('bob exited after declining')
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)
    expect_lines(bob, [])


def test_accept_other_declines(case):
    """--accept carol declines alice."""
    bob = case.signed_in('bob', '--accept', 'carol')
    alice = case.start_cli('alice', '--call', 'bob')
    alice.expect_exit(EXIT_DECLINED)
    bob.wait_err(r'^confab-cli: declining the chat alice offers')
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)


def test_chat_both_ways(case):
    """Lines typed before the chat opens are queued and arrive, in order,
    one stdout line each; replies come back; EOF hangs up and exits 0, and
    the other side hears of it."""
    bob = case.signed_in('bob', '--accept', 'alice')
    alice = case.start_cli('alice', '--call', 'bob')
    # Written at once, before alice has even signed in: all must wait for
    # the channel and then go, in this order.
    alice.write('first, typed before the chat opened')
    alice.write('')  # empty lines are not sent (the mobile app drops them)
    alice.write('zweitens: grüße 😀')
    alice.write(r'a back\slash and a literal \n')
    chatting(alice, 'bob')
    chatting(bob, 'alice')
    bob.wait_out(r'^alice: a back')

    bob.write('hello alice, bob here')      # a bare line: the conversation bob accepted
    bob.write('@alice an addressed reply')
    alice.wait_out(r'^bob: an addressed reply$')

    mark = bob.mark()
    alice.close_stdin()
    alice.wait_err(r'^confab-cli: end of input; hanging up$')
    alice.expect_exit(EXIT_OK)
    bob.wait_err(r'^confab-cli: alice hung up$', mark[1])
    if not bob.running():
        raise TestFailure('bob, the callee, exited when alice hung up')
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)

    expect_lines(bob, ['alice: first, typed before the chat opened',
                       'alice: zweitens: grüße 😀',
                       r'alice: a back\\slash and a literal \\n'])
    expect_lines(alice, ['bob: hello alice, bob here',
                         'bob: an addressed reply'])


def test_piped_input(case):
    """A script pipes its lines in and closes its end at once: the lines
    still go out when the chat opens, and only then does confab-cli hang
    up and exit 0."""
    bob = case.signed_in('bob', '--accept', 'alice')
    alice = case.start_cli('alice', '--call', 'bob')
    alice.write('one, from a pipe')
    alice.write('two, from a pipe')
    alice.close_stdin()
    alice.wait_err(r'^confab-cli: end of input; hanging up once every message has gone$')
    alice.expect_exit(EXIT_OK)
    bob.wait_err(r'^confab-cli: alice hung up$')
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)
    expect_lines(bob, ['alice: one, from a pipe', 'alice: two, from a pipe'])


def test_callee_hangs_up(case):
    """The callee's EOF ends the caller's chat too: the caller hears the
    hang-up and, its one conversation over, still exits only on its own
    EOF (0)."""
    bob = case.signed_in('bob', '--accept-any')
    alice = case.start_cli('alice', '--call', 'bob')
    chatting(alice, 'bob')
    alice.write('hi bob')
    bob.wait_out(r'^alice: hi bob$')
    mark = alice.mark()
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)
    alice.wait_err(r'^confab-cli: bob hung up$', mark[1])
    alice.close_stdin()
    alice.expect_exit(EXIT_OK)
    expect_lines(bob, ['alice: hi bob'])
    expect_lines(alice, [])


def test_ice_servers(case):
    """Browser-style --ice-server URLs are taken; servers that do not
    answer cost the chat nothing on one network."""
    port = free_port()
    bob = case.signed_in('bob', '--accept-any', '--ice-server', f'stun:127.0.0.1:{port}')
    alice = case.start_cli('alice', '--call', 'bob',
                           '--ice-server', f'stun:127.0.0.1:{port}',
                           '--ice-server', f'turn:user:pass@127.0.0.1:{port}?transport=tcp')
    alice.write('through no STUN server at all')
    bob.wait_out(r'^alice: through no STUN server at all$')
    for person in (alice, bob):
        person.close_stdin()
        person.expect_exit(EXIT_OK)


def lan_address():
    """The address two peers on this machine meet on: libnice leaves
    loopback out when there is anything else (127.0.0.1 if not)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(('192.0.2.1', 9))  # no packet is sent: only a route is chosen
            return s.getsockname()[0]
        except OSError:
            return '127.0.0.1'


def start_coturn(case):
    """Debian's coturn with the user test:secret, on a free UDP port;
    returns (url of its TURN server, path of its log)."""
    turnserver = shutil.which('turnserver')
    if turnserver is None:
        raise Skip('coturn (turnserver) is not installed')
    ip = lan_address()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ip, 0))
        port = s.getsockname()[1]
    directory = tempfile.mkdtemp(prefix='confab-coturn-')
    case.cleanups.append(lambda: shutil.rmtree(directory, ignore_errors=True))
    log = os.path.join(directory, 'turn.log')
    coturn = Process('coturn', [turnserver, '-n', '-v', f'--listening-ip={ip}', f'--relay-ip={ip}',
                                f'--listening-port={port}', '--user=test:secret',
                                '--realm=confab.test', '--lt-cred-mech', '--no-tls', '--no-dtls',
                                '--no-tcp', '--allow-loopback-peers', '--no-cli',
                                '--simple-log', '--no-stdout-log', f'--log-file={log}',
                                f'--pidfile={directory}/turn.pid', f'--userdb={directory}/turn.db'],
                     stdin=False)
    case.processes.append(coturn)
    deadline = time.monotonic() + TIMEOUT
    while 'listener opened on' not in read_text(log):
        if not coturn.running() or time.monotonic() > deadline:
            raise TestFailure(f'coturn did not start; its log:\n{read_text(log)}')
        time.sleep(0.05)
    return f'turn:test:secret@{ip}:{port}?transport=udp', log


def read_text(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def test_relay_only_through_coturn(case):
    """--relay-only on both sides: the only candidates are coturn's relays,
    so the chat can only work through it, and coturn says it relayed."""
    turn, log = start_coturn(case)
    bob = case.signed_in('bob', '--accept-any', '--relay-only', '--ice-server', turn)
    alice = case.start_cli('alice', '--call', 'bob', '--relay-only', '--ice-server', turn)
    alice.write('through the relay')
    bob.wait_out(r'^alice: through the relay$')
    bob.write('and back')
    alice.wait_out(r'^bob: and back$')
    for person in (alice, bob):
        person.close_stdin()
        person.expect_exit(EXIT_OK)
    text = read_text(log)
    allocations = len(re.findall(r'ALLOCATE processed, success', text))
    if allocations < 2:
        raise TestFailure(f'coturn made {allocations} allocations, not one for each side:\n{text}')
    if not re.search(r'CREATE_PERMISSION processed, success', text):
        raise TestFailure(f'coturn gave no peer permission, so relayed nothing:\n{text}')


def test_relay_only_needs_turn_at_call_time(case):
    """A TURN server that cannot be reached leaves --relay-only nothing to
    relay through: the call fails (exit 7) with a sentence, not silently
    over the host address."""
    bob = case.signed_in('bob', '--accept-any')
    alice = case.start_cli('alice', '--call', 'bob', '--relay-only',
                           '--ice-server', f'turn:test:secret@127.0.0.1:{free_port()}?transport=udp')
    alice.expect_exit(EXIT_CONNECTION_LOST, timeout=TIMEOUT * 2)
    alice.wait_err(r'^confab-cli: the chat with bob failed: ')
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)


def test_accept_any_and_addressing(case):
    """bob accepts alice and carol; "@PEER text" picks the conversation,
    a bare line goes to whoever spoke last; a bad address is refused on
    stderr and nothing else happens."""
    bob = case.signed_in('bob', '--accept-any')
    alice = case.start_cli('alice', '--call', 'bob')
    chatting(alice, 'bob')
    carol = case.start_cli('carol', '--call', 'bob')
    chatting(carol, 'bob')
    chatting(bob, 'carol')

    bob.write('@alice only for alice')
    bob.write('@carol only for carol')
    alice.wait_out(r'^bob: only for alice$')
    carol.wait_out(r'^bob: only for carol$')

    carol.write('carol here')
    bob.wait_out(r'^carol: carol here$')
    bob.write('a bare line after carol spoke')
    carol.wait_out(r'^bob: a bare line after carol spoke$')

    alice.write('alice here')
    bob.wait_out(r'^alice: alice here$')
    bob.write('a bare line after alice spoke')
    alice.wait_out(r'^bob: a bare line after alice spoke$')

    mark = bob.mark()
    bob.write('@alice')
    bob.wait_err(r'has no text after the name', mark[1])
    bob.write('@nobody is anyone there?')
    bob.wait_err(r'could not send to nobody', mark[1])
    # The conversations still work after the refusals.
    bob.write('@carol still here')
    carol.wait_out(r'^bob: still here$')

    for person in (alice, carol, bob):
        person.close_stdin()
        person.expect_exit(EXIT_OK)

    expect_lines(alice, ['bob: only for alice', 'bob: a bare line after alice spoke'])
    expect_lines(carol, ['bob: only for carol', 'bob: a bare line after carol spoke',
                         'bob: still here'])
    expect_lines(bob, ['carol: carol here', 'alice: alice here'])


def test_peer_killed(case):
    """bob is killed with SIGKILL mid-chat (no hang-up, no close of any
    kind): alice, the caller, notices by the heartbeat and exits 7."""
    bob = case.signed_in('bob', '--accept', 'alice')
    alice = case.start_cli('alice', '--call', 'bob')
    chatting(alice, 'bob')
    alice.write('are you there?')
    bob.wait_out(r'^alice: are you there\?$')
    bob.write('yes')
    alice.wait_out(r'^bob: yes$')

    mark = alice.mark()
    killed = time.monotonic()
    bob.proc.send_signal(signal.SIGKILL)
    bob.wait_exit()
    alice.expect_exit(EXIT_CONNECTION_LOST)
    noticed = time.monotonic() - killed
    alice.wait_err(r'^confab-cli: the chat with bob failed: ', mark[1], timeout=1)
    expect_lines(alice, ['bob: yes'])
    # A figure, not an assertion: the heartbeat should take about 6 s.
    return f'alice gave up {noticed:.1f} s after bob was killed'


def test_interrupted(case):
    """SIGTERM hangs up and exits 0, like EOF; the peer hears the hang-up."""
    bob = case.signed_in('bob', '--accept-any')
    alice = case.start_cli('alice', '--call', 'bob')
    chatting(alice, 'bob')
    chatting(bob, 'alice')
    mark = bob.mark()
    alice.proc.send_signal(signal.SIGTERM)
    alice.expect_exit(EXIT_OK)
    bob.wait_err(r'^confab-cli: alice hung up$', mark[1])
    bob.close_stdin()
    bob.expect_exit(EXIT_OK)


TAMPERED = r'was tampered with: someone between you may be trying to read your messages\. Nothing was sent\.'


def relayed_chat(case, caller, callee, rewrite):
    """`caller` calls `callee` through a RewritingRelay."""
    relay = RewritingRelay(case.url, rewrite)
    try:
        first = case.start_cli(callee, '--server', relay.url, '--accept', caller, server=False)
        first.wait_err(rf'^confab-cli: signed in as {callee}$')
        second = case.start_cli(caller, '--server', relay.url, '--call', callee, server=False)
        # Typed before anything is known of the other side.
        second.write(f'early from {caller}')
        return relay, second, first
    except Exception:
        relay.close()
        raise


def test_tampering_relay(case):
    """A relay that rewrites a=fingerprint in the offers and answers gets no
    chat opened and no line through, whoever calls: the caller exits 8
    with the sentence, the callee says it on stderr, nothing reaches
    stdout, and the line typed before the verdict never arrives."""
    for caller, callee in (('alice', 'bob'), ('bob', 'alice')):
        relay, calling, called = relayed_chat(case, caller, callee, rewrite=True)
        try:
            calling.wait_err(rf'^confab-cli: the chat with {callee} failed: .*{TAMPERED}$')
            calling.expect_exit(EXIT_TAMPERED)
            called.wait_err(rf'^confab-cli: the chat with {caller} failed: .*{TAMPERED}$')
            # Anything late would have come by now.
            time.sleep(1)
            called.close_stdin()
            called.expect_exit(EXIT_OK)
            if relay.n_rewritten != 2:
                raise TestFailure(f'the relay rewrote {relay.n_rewritten} descriptions, not 2')
            for process in (calling, called):
                if any(line.startswith('confab-cli: chatting with') for line in process.err):
                    raise TestFailure(f'{process.name} opened a chat through the relay')
                expect_lines(process, [])
        finally:
            relay.close()


def test_honest_relay(case):
    """The same relay, passing the fingerprints on, lets the chat open and
    the early line through: the refusals above are the check's doing."""
    relay, alice, bob = relayed_chat(case, 'alice', 'bob', rewrite=False)
    try:
        chatting(alice, 'bob')
        chatting(bob, 'alice')
        bob.wait_out(r'^alice: early from alice$')
        bob.write('hello through the relay')
        alice.wait_out(r'^bob: hello through the relay$')
        alice.close_stdin()
        alice.expect_exit(EXIT_OK)
        bob.close_stdin()
        bob.expect_exit(EXIT_OK)
    finally:
        relay.close()


CASES = [
    test_bad_arguments,
    test_unreachable_server,
    test_name_taken,
    test_peer_offline,
    test_declined,
    test_accept_other_declines,
    test_chat_both_ways,
    test_piped_input,
    test_callee_hangs_up,
    test_ice_servers,
    test_relay_only_through_coturn,
    test_relay_only_needs_turn_at_call_time,
    test_accept_any_and_addressing,
    test_peer_killed,
    test_interrupted,
    test_tampering_relay,
    test_honest_relay,
]


def main():
    if len(sys.argv) < 3:
        print('usage: test-cli-processes.py CONFAB_CLI CONFAB_SIGNAL [CASE...]', file=sys.stderr)
        return 2
    cli, signal_bin = sys.argv[1:3]
    wanted = sys.argv[3:]
    cases = [c for c in CASES if not wanted or c.__name__ in wanted or c.__name__[5:] in wanted]

    print(f'1..{len(cases)}', flush=True)
    failed = 0
    for n, function in enumerate(cases, 1):
        desc = function.__name__[5:].replace('_', ' ')
        case = Case(cli, signal_bin)
        started = time.monotonic()
        try:
            case.start_server()
            note = function(case)
            print(f'ok {n} - {desc}')
            if note:
                print(f'# {note}')
        except Skip as e:
            print(f'ok {n} - {desc} # SKIP {e}')
        except Exception as e:
            failed += 1
            print(f'not ok {n} - {desc}')
            message = str(e) if isinstance(e, TestFailure) else traceback.format_exc()
            for line in message.splitlines():
                print(f'# {line}')
            for line in case.dump():
                print(f'#   {line}')
        finally:
            case.stop()
        print(f'# {time.monotonic() - started:.1f} s', flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
