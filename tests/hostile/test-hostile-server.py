#!/usr/bin/python3
# test-hostile-server.py: the real confab-signal, attacked over real
# sockets on 127.0.0.1 the way a hostile host would, one case a hole that
# was found in review (issue 8).  Prints TAP.
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   test-hostile-server.py CONFAB_SIGNAL SYSTEMD_UNIT [CASE...]
#
# Each case starts its own confab-signal on a free port (--port 0; it
# prints the port).  Cases assert what the server does, never how fast:
# every wait is bounded by $CONFAB_HOSTILE_TIMEOUT (30 s) or by a bound
# of its own well above the server's timeouts.  CONFAB_SIGNAL may be a
# sanitizer build.

import base64
import os
import re
import resource
import select
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TIMEOUT = float(os.environ.get('CONFAB_HOSTILE_TIMEOUT', '30'))

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_BAD_DATA = 1007
CLOSE_POLICY_VIOLATION = 1008

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


class Server:
    """confab-signal as a child process, on a free port."""

    def __init__(self, binary, *args, nofile=None):
        argv = [binary, '--host', '127.0.0.1', '--port', '0', '--quiet'] + list(args)

        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        env = dict(os.environ)
        # The RSS a case measures is what the server holds, not what
        # AddressSanitizer keeps of freed memory to catch a use after free.
        env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':quarantine_size_mb=4'
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, preexec_fn=limit, env=env,
                                     encoding='utf-8', errors='backslashreplace')
        self.err = []
        threading.Thread(target=self._pump, daemon=True).start()
        line = self.proc.stdout.readline()
        match = re.search(r':(\d+)$', line.strip())
        if match is None:
            self.proc.kill()
            self.proc.wait()
            raise TestFailure('confab-signal did not start: %r %s' % (line, ''.join(self.err)))
        self.port = int(match.group(1))

    def _pump(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def alive(self):
        return self.proc.poll() is None

    def n_fds(self):
        return len(os.listdir('/proc/%d/fd' % self.proc.pid))

    def peak_rss_kib(self):
        with open('/proc/%d/status' % self.proc.pid) as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
        raise TestFailure('no VmHWM')

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        check(self.proc.returncode == 0,
              'confab-signal exited with %s: %s' % (self.proc.returncode, ''.join(self.err)[-2000:]))


def tcp_connect(port, rcvbuf=None, tls=False):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(TIMEOUT)
    sock.connect(('127.0.0.1', port))
    if tls:
        # The server's certificate is the throwaway one tls_server() made.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock)
    return sock


def tls_server(binary, *args):
    """confab-signal serving wss:// with a throwaway certificate."""
    directory = tempfile.mkdtemp(prefix='confab-hostile-')
    try:
        cert, key = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
                        '-days', '36500', '-subj', '/CN=127.0.0.1'],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return Server(binary, '--tls-cert', cert, '--tls-key', key, *args)
    finally:
        shutil.rmtree(directory)


def wait_closed_by_server(sock, bound):
    """True when the server ends the connection (EOF or reset) within
    `bound` seconds; whatever it sends first is read and dropped."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            if sock.recv(65536) == b'':
                return True
        except socket.timeout:
            return False
        except ConnectionError:
            return True
    return False


class WebSocket:
    """Just enough of a websocket client to say what a browser or the
    mobile app says, and what no well-behaved client would."""

    def __init__(self, port, origin=None, rcvbuf=None, tls=False):
        self.sock = tcp_connect(port, rcvbuf, tls)
        self.buffer = b''
        key = base64.b64encode(os.urandom(16)).decode()
        request = ('GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n'
                   'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                   'Sec-WebSocket-Version: 13\r\n' % (port, key))
        if origin is not None:
            request += 'Origin: %s\r\n' % origin
        self.sock.sendall((request + '\r\n').encode())
        while b'\r\n\r\n' not in self.buffer:
            data = self.sock.recv(4096)
            check(data != b'', 'the server closed during the upgrade')
            self.buffer += data
        head, self.buffer = self.buffer.split(b'\r\n\r\n', 1)
        self.status = int(head.split(b' ', 2)[1])

    def send_frame(self, opcode, payload=b'', fin=True, length_form=None):
        """length_form forces a 16-bit (126) or 64-bit (127) length field,
        minimal or not."""
        mask = os.urandom(4)
        first = (0x80 if fin else 0) | opcode
        n = len(payload)
        if length_form == 126 or (length_form is None and 126 <= n <= 0xFFFF):
            header = struct.pack('!BBH', first, 0x80 | 126, n)
        elif length_form == 127 or (length_form is None and n > 0xFFFF):
            header = struct.pack('!BBQ', first, 0x80 | 127, n)
        else:
            header = struct.pack('!BB', first, 0x80 | n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self.send_frame(OP_TEXT, text.encode())

    def _need(self, n, deadline):
        while len(self.buffer) < n:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if data == b'':
                raise EOFError('closed by the server')
            self.buffer += data

    def recv_frame(self, timeout=TIMEOUT):
        """(opcode, payload) of the next frame from the server."""
        deadline = time.monotonic() + timeout
        self._need(2, deadline)
        opcode = self.buffer[0] & 0x0F
        n = self.buffer[1] & 0x7F
        offset = 2
        if n == 126:
            self._need(4, deadline)
            n = struct.unpack('!H', self.buffer[2:4])[0]
            offset = 4
        elif n == 127:
            self._need(10, deadline)
            n = struct.unpack('!Q', self.buffer[2:10])[0]
            offset = 10
        self._need(offset + n, deadline)
        payload = self.buffer[offset:offset + n]
        self.buffer = self.buffer[offset + n:]
        return opcode, payload

    def recv_text(self, timeout=TIMEOUT):
        """The next text message, answering nothing else."""
        while True:
            opcode, payload = self.recv_frame(timeout)
            if opcode == OP_TEXT:
                return payload.decode()
            check(opcode != OP_CLOSE, 'closed: %r' % payload)

    def close_code(self, timeout=TIMEOUT, keep_pinging=False):
        """The code of the server's close frame; None if the connection
        ended without one.  With keep_pinging, a ping goes out each half
        second meanwhile (a client that looks alive)."""
        deadline = time.monotonic() + timeout
        next_ping = time.monotonic()
        while time.monotonic() < deadline:
            if keep_pinging and time.monotonic() >= next_ping:
                try:
                    self.send_frame(OP_PING, b'alive')
                except OSError:
                    return None
                next_ping = time.monotonic() + 0.5
            try:
                wait = min(deadline, next_ping) if keep_pinging else deadline
                opcode, payload = self.recv_frame(max(0.05, wait - time.monotonic()))
            except socket.timeout:
                continue
            except (EOFError, ConnectionError):
                return None
            if opcode == OP_CLOSE:
                return struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
        raise TestFailure('no close frame within %.0f s' % timeout)

    def register(self, name):
        self.send_text('{"type":"store_user","name":"%s"}' % name)
        reply = self.recv_text()
        check('user_stored' in reply, 'could not register %s: %s' % (name, reply))

    def close(self):
        self.sock.close()


def wait_until(predicate, bound, what):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TestFailure('not within %.0f s: %s' % (bound, what))


def serves(server):
    """A new client upgrades and registers."""
    try:
        ws = WebSocket(server.port)
        check(ws.status == 101, 'upgrade answered %d' % ws.status)
        ws.register('probe%d' % time.monotonic_ns())
        ws.close()
        return True
    except (OSError, EOFError):
        return False


def is_online(ws, name):
    ws.send_text('{"type":"start_transfer","name":"alice","target":"%s"}' % name)
    while True:
        reply = ws.recv_text()
        if 'transfer_response' in reply:
            return '"data":null' not in reply


# Item 1: accept must never stop.

def case_accept_after_fd_exhaustion(binary):
    # --max-clients far above the descriptor limit: this case is about
    # what happens when accept() itself fails, not about the limit.
    server = Server(binary, '--max-clients', '100000', '--keepalive', '0', nofile=256)
    idle = []
    try:
        for _ in range(400):
            idle.append(tcp_connect(server.port))
        time.sleep(1)
        for sock in idle:
            sock.close()
        idle = []
        wait_until(lambda: serves(server), TIMEOUT,
                   'a new client served after the idle ones left')
        check(server.alive(), 'confab-signal died')
    finally:
        for sock in idle:
            sock.close()
        server.stop()


# Item 2: nothing holds a descriptor for free.

def case_idle_and_half_requests_closed(binary):
    server = Server(binary, '--keepalive', '0')
    try:
        silent = tcp_connect(server.port)
        half = tcp_connect(server.port)
        half.sendall(b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n')
        check(wait_closed_by_server(silent, TIMEOUT), 'a silent connection stayed open')
        check(wait_closed_by_server(half, TIMEOUT), 'half a request stayed open')
        silent.close()
        half.close()
    finally:
        server.stop()


def case_pending_counts_against_max_clients(binary):
    server = Server(binary, '--max-clients', '4', '--keepalive', '0')
    idle = []
    try:
        before = server.n_fds()
        for _ in range(60):
            idle.append(tcp_connect(server.port))
        # Whatever the server accepted and did not close yet
        time.sleep(2)
        held = server.n_fds() - before
        check(held <= 4 + 16 + 4, 'idle connections hold %d descriptors with --max-clients 4' % held)
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def case_unregistered_closed_despite_pings(binary):
    server = Server(binary, '--register-timeout', '2', '--keepalive', '0')
    try:
        ws = WebSocket(server.port)
        check(ws.status == 101, 'upgrade answered %d' % ws.status)
        code = ws.close_code(timeout=20, keep_pinging=True)
        check(code == CLOSE_POLICY_VIOLATION, 'closed with %s, not 1008' % code)
        ws.close()
        # A client that registers in time stays.
        ws = WebSocket(server.port)
        ws.register('bob')
        time.sleep(4)
        ws.send_text('{"type":"start_transfer","name":"bob","target":"bob"}')
        check('transfer_response' in ws.recv_text(), 'a registered client was dropped')
        ws.close()
    finally:
        server.stop()


def case_incomplete_message_closed_despite_pings(binary):
    server = Server(binary, '--keepalive', '0')
    try:
        ws = WebSocket(server.port)
        ws.register('alice')
        ws.send_frame(OP_TEXT, b'{"type":"start_', fin=False)
        code = ws.close_code(timeout=TIMEOUT, keep_pinging=True)
        check(code == CLOSE_POLICY_VIOLATION, 'closed with %s, not 1008' % code)
        ws.close()
        # A frame that never ends, likewise
        ws = WebSocket(server.port)
        ws.register('bob')
        ws.sock.sendall(struct.pack('!BBH', 0x81, 0x80 | 126, 1000) + os.urandom(4) + b'x' * 10)
        check(wait_closed_by_server(ws.sock, TIMEOUT), 'half a frame kept the connection open')
        ws.close()
    finally:
        server.stop()


# Item 3: bounded memory per connection.

OFFER = '{"type":"create_offer","name":"alice","target":"bob","data":{"sdp":"%s","type":"OFFER"}}'


def flood_reader(binary, read_fraction, tls=False):
    """alice sends bob 60 KB offers until the server drops bob, while bob
    reads `read_fraction` of what was sent (0: nothing).  Returns how much
    the server's peak RSS grew, in KiB."""
    if tls:
        server = tls_server(binary, '--rate', '0', '--keepalive', '0')
    else:
        server = Server(binary, '--rate', '0', '--keepalive', '0')
    try:
        alice = WebSocket(server.port, tls=tls)
        alice.register('alice')
        bob = WebSocket(server.port, rcvbuf=16384, tls=tls)
        bob.register('bob')
        baseline = server.peak_rss_kib()
        offer = (OFFER % ('v' * 60000)).encode()
        sent = 0
        received = 0
        dropped = False
        # 400 MB at most: far past any bound the server may set
        for i in range(400000000 // len(offer)):
            try:
                alice.send_frame(OP_TEXT, offer)
            except OSError:
                raise TestFailure('alice was dropped')
            sent += len(offer)
            # alice reads what she is told (errors, if any)
            while getattr(alice.sock, 'pending', lambda: 0)() or select.select([alice.sock], [], [], 0)[0]:
                if alice.sock.recv(65536) == b'':
                    raise TestFailure('alice was dropped')
            while read_fraction > 0 and received < sent * read_fraction:
                bob.sock.settimeout(TIMEOUT)
                try:
                    data = bob.sock.recv(min(65536, int(sent * read_fraction) - received + 1))
                except ConnectionError:
                    data = b''
                if data == b'':
                    dropped = True
                    break
                received += len(data)
            if dropped or i % 20 == 19 and not is_online(alice, 'bob'):
                dropped = True
                break
        check(dropped, 'bob was never dropped')
        wait_until(lambda: not is_online(alice, 'bob'), TIMEOUT, 'bob gone from the server')
        growth = server.peak_rss_kib() - baseline
        alice.close()
        bob.close()
        return growth
    finally:
        server.stop()


def case_slow_reader_dropped_with_bounded_memory(binary):
    # bob always leaves 3 % unread: what he has not read grows only
    # slowly, but the server's buffer for him never empties.  (Before its
    # fix the server grew by about 100 MiB here, and a reader closer to
    # keeping up made it grow without bound; now by some 6 MiB.)
    growth = flood_reader(binary, 0.97)
    check(growth < 24 * 1024, 'the server grew by %d KiB for one slow reader' % growth)


def case_non_reader_dropped_with_bounded_memory(binary):
    growth = flood_reader(binary, 0)
    check(growth < 24 * 1024, 'the server grew by %d KiB for one client that never reads' % growth)


# The same bounds on wss://, where libsoup 3.2 sets none of its own

def case_wss_slow_reader_dropped_with_bounded_memory(binary):
    growth = flood_reader(binary, 0.97, tls=True)
    check(growth < 24 * 1024, 'the server grew by %d KiB for one slow wss:// reader' % growth)


def case_wss_non_reader_dropped_with_bounded_memory(binary):
    growth = flood_reader(binary, 0, tls=True)
    check(growth < 24 * 1024, 'the server grew by %d KiB for one wss:// client that never reads' % growth)


def case_wss_endless_fragmented_message_closed(binary):
    server = tls_server(binary, '--keepalive', '0')
    try:
        ws = WebSocket(server.port, tls=True)
        ws.register('alice')
        ws.send_frame(OP_TEXT, b'{"type":"store_user","name":"', fin=False)
        code = None
        # Each fragment is within the frame limit; together 64 MiB, far
        # past the 1 MiB a message may have.
        for _ in range(64 * 16):
            try:
                ws.send_frame(OP_CONT, b'a' * 65536, fin=False)
            except OSError:
                break
            if select.select([ws.sock], [], [], 0)[0] or ws.sock.pending():
                break
        code = ws.close_code(timeout=TIMEOUT)
        check(code == 1009, 'an endless fragmented message answered %s, not 1009' % code)
        ws.close()
    finally:
        server.stop()


# Item 4: --allow-origin

def case_allow_origin(binary):
    server = Server(binary, '--allow-origin', 'https://good.example',
                    '--allow-origin', 'https://also.example')
    try:
        for origin, status in (('https://evil.example', 403), ('https://good.example', 101),
                               ('https://also.example', 101), (None, 101)):
            ws = WebSocket(server.port, origin=origin)
            check(ws.status == status, 'Origin %s: %d, not %d' % (origin, ws.status, status))
            ws.close()
    finally:
        server.stop()
    server = Server(binary)
    try:
        ws = WebSocket(server.port, origin='https://evil.example')
        check(ws.status == 101, 'by default any origin passes, not %d' % ws.status)
        ws.close()
    finally:
        server.stop()


# Item 5: close frames and frame headers

def case_close_frames(binary):
    server = Server(binary, '--keepalive', '0')
    try:
        cases = [(struct.pack('!H', code), CLOSE_PROTOCOL_ERROR)
                 for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)]
        cases += [(struct.pack('!H', 1000) + b'bad \xff\xfe', CLOSE_BAD_DATA),
                  (struct.pack('!H', 1000) + b'\xed\xa0\x80', CLOSE_BAD_DATA),
                  (struct.pack('!H', 1000) + 'fine, ok \u00e9'.encode(), 1000),
                  (struct.pack('!H', 3000), 3000),
                  (struct.pack('!H', 4999), 4999),
                  (b'', 1005)]
        for payload, expected in cases:
            ws = WebSocket(server.port)
            ws.send_frame(OP_CLOSE, payload)
            code = ws.close_code()
            check(code == expected, 'close payload %r answered %s, not %d' % (payload, code, expected))
            ws.close()
    finally:
        server.stop()


def case_non_minimal_lengths(binary):
    server = Server(binary, '--keepalive', '0')
    try:
        for form, payload in ((126, b'hello'), (127, b'hello'), (127, b'x' * 1000)):
            ws = WebSocket(server.port)
            ws.send_frame(OP_TEXT, payload, length_form=form)
            code = ws.close_code(timeout=10)
            check(code == CLOSE_PROTOCOL_ERROR,
                  '%d bytes in the %d form answered %s, not 1002' % (len(payload), form, code))
            ws.close()
        # The top bit of a 64-bit length set
        ws = WebSocket(server.port)
        ws.sock.sendall(struct.pack('!BBQ', 0x81, 0x80 | 127, (1 << 63) | 70000) + os.urandom(4))
        code = ws.close_code(timeout=10)
        check(code == CLOSE_PROTOCOL_ERROR, 'a length with its top bit set answered %s, not 1002' % code)
        ws.close()
        # The minimal forms still work.
        ws = WebSocket(server.port)
        ws.register('x' * 10)
        ws.send_frame(OP_TEXT, ('{"type":"start_transfer","name":"%s","target":"nobody"%s}'
                                % ('x' * 10, ' ' * 100)).encode())
        check('transfer_response' in ws.recv_text(), 'a 126-form frame was not read')
        ws.close()
    finally:
        server.stop()


# Item 6: the systemd unit bounds the service.

def case_systemd_unit_bounds(binary, unit):
    settings = {}
    with open(unit) as f:
        for line in f:
            if '=' in line and not line.lstrip().startswith('#'):
                key, value = line.strip().split('=', 1)
                settings[key] = value
    for key in ('MemoryMax', 'TasksMax', 'LimitNOFILE'):
        check(settings.get(key, '') not in ('', 'infinity'), '%s= does not bound the service' % key)


CASES = [
    ('accept-after-fd-exhaustion', case_accept_after_fd_exhaustion),
    ('idle-and-half-requests-closed', case_idle_and_half_requests_closed),
    ('pending-counts-against-max-clients', case_pending_counts_against_max_clients),
    ('unregistered-closed-despite-pings', case_unregistered_closed_despite_pings),
    ('incomplete-message-closed-despite-pings', case_incomplete_message_closed_despite_pings),
    ('slow-reader-dropped-with-bounded-memory', case_slow_reader_dropped_with_bounded_memory),
    ('non-reader-dropped-with-bounded-memory', case_non_reader_dropped_with_bounded_memory),
    ('wss-slow-reader-dropped-with-bounded-memory', case_wss_slow_reader_dropped_with_bounded_memory),
    ('wss-non-reader-dropped-with-bounded-memory', case_wss_non_reader_dropped_with_bounded_memory),
    ('wss-endless-fragmented-message-closed', case_wss_endless_fragmented_message_closed),
    ('allow-origin', case_allow_origin),
    ('close-frames', case_close_frames),
    ('non-minimal-lengths', case_non_minimal_lengths),
    ('systemd-unit-bounds', case_systemd_unit_bounds),
]


def main():
    binary, unit = sys.argv[1], sys.argv[2]
    wanted = sys.argv[3:]
    cases = [(name, f) for name, f in CASES if not wanted or name in wanted]
    print('1..%d' % len(cases), flush=True)
    failed = 0
    for number, (name, function) in enumerate(cases, 1):
        try:
            if function is case_systemd_unit_bounds:
                function(binary, unit)
            else:
                function(binary)
            print('ok %d %s' % (number, name), flush=True)
        except Exception:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
            print('not ok %d %s' % (number, name), flush=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
