#!/usr/bin/python3
# bench-startup.py: Confab's start-up time and idle memory, side by side
# with GNOME Text Editor's, measured the same way in the same run.
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   ./run bench bench-startup.py [--runs N] [--memory-runs N] [--idle SECONDS]
#                                [--builddir DIR]
#
# Start-up: from fork() to the first frame of the app's first top-level
# window on a fresh Xvfb display: an X client of our own watches the root
# window for the MapNotify of the window and, through the DAMAGE
# extension, for the first drawing after it.  Measured for
# `confab --new-instance` and `gnome-text-editor --standalone` alike,
# alternating which goes first.
#
# Idle memory: VmRSS (and PSS) after SECONDS idle of a Confab signed in with
# one open conversation, and of GNOME Text Editor with one document open.
# Confab is driven only through its command line and the keyboard, as the
# editor is (querying the accessibility tree would make GTK build and keep
# objects the editor never has to): confab-cli calls it, Enter takes the
# accept dialog's default answer, and one line goes each way.  Both run in
# the same D-Bus session, with the same environment.  Prints medians; a
# benchmark reports, it never fails on a figure.

import argparse
import ctypes
import ctypes.util
import os
import queue
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# Meson copies this file into the build directory (./run bench
# bench-startup.py runs that copy) with the two directories filled in.
top = '@top_srcdir@'
default_builddir = '@top_builddir@'
if top.startswith('@'):
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    default_builddir = os.path.join(top, '_build')

# The harness of the UI tests gives the D-Bus session, the AT-SPI bus
# (the same for both apps) and the way to drive Confab.
if not os.environ.get('CONFAB_UI_SESSION'):
    os.execv(os.path.join(top, 'tests', 'ui', 'run-ui-test'),
             [os.path.join(top, 'tests', 'ui', 'run-ui-test'), os.path.abspath(__file__)] + sys.argv[1:])

sys.path.insert(0, os.path.join(top, 'tests', 'ui'))
import confabui  # noqa: E402

# Xlib through ctypes: all we need is MapNotify on the root window.
xlib = ctypes.CDLL(ctypes.util.find_library('X11'))
xlib.XOpenDisplay.restype = ctypes.c_void_p
xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
xlib.XDefaultRootWindow.restype = ctypes.c_ulong
xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
xlib.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
xlib.XPending.argtypes = [ctypes.c_void_p]
xlib.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
xlib.XConnectionNumber.argtypes = [ctypes.c_void_p]
xlib.XFlush.argtypes = [ctypes.c_void_p]
xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]

xdamage = ctypes.CDLL(ctypes.util.find_library('Xdamage'))
xdamage.XDamageQueryExtension.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                          ctypes.POINTER(ctypes.c_int)]
xdamage.XDamageCreate.restype = ctypes.c_ulong
xdamage.XDamageCreate.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int]
xdamage.XDamageSubtract.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
MAP_NOTIFY = 19
X_DAMAGE_REPORT_NON_EMPTY = 3
X_DAMAGE_NOTIFY = 0


class XMapEvent(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int),
                ('serial', ctypes.c_ulong),
                ('send_event', ctypes.c_int),
                ('display', ctypes.c_void_p),
                ('event', ctypes.c_ulong),
                ('window', ctypes.c_ulong),
                ('override_redirect', ctypes.c_int)]


class XEvent(ctypes.Union):
    _fields_ = [('type', ctypes.c_int),
                ('xmap', XMapEvent),
                ('pad', ctypes.c_long * 24)]


def time_to_first_frame(display, argv, env, timeout=30.0):
    """Starts @argv and returns (process, milliseconds until its first
    top-level window was mapped, milliseconds until the first frame was
    drawn in it)."""
    dpy = xlib.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f'cannot open display {display}')
    try:
        root = xlib.XDefaultRootWindow(dpy)
        event_base = ctypes.c_int()
        error_base = ctypes.c_int()
        if not xdamage.XDamageQueryExtension(dpy, ctypes.byref(event_base), ctypes.byref(error_base)):
            raise RuntimeError('the X server has no DAMAGE extension')
        xlib.XSelectInput(dpy, root, SUBSTRUCTURE_NOTIFY_MASK)
        # Damage to the root window includes its children's: every frame
        # the app draws shows up here.
        damage = xdamage.XDamageCreate(dpy, root, X_DAMAGE_REPORT_NON_EMPTY)
        xlib.XFlush(dpy)
        fd = xlib.XConnectionNumber(dpy)
        start = time.monotonic()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        event = XEvent()
        mapped = None
        while True:
            while xlib.XPending(dpy):
                xlib.XNextEvent(dpy, ctypes.byref(event))
                now = (time.monotonic() - start) * 1000.0
                # Menus and tooltips are override-redirect: not the window.
                if event.type == MAP_NOTIFY and not event.xmap.override_redirect and mapped is None:
                    mapped = now
                elif event.type == event_base.value + X_DAMAGE_NOTIFY:
                    # Reported once until subtracted: ask for the next one.
                    xdamage.XDamageSubtract(dpy, damage, 0, 0)
                    if mapped is not None:
                        return process, mapped, now
            left = timeout - (time.monotonic() - start)
            if left <= 0 or process.poll() is not None:
                process.kill()
                raise RuntimeError(f'{argv[0]} drew no window')
            select.select([fd], [], [], left)
    finally:
        xlib.XCloseDisplay(dpy)


def memory(pid):
    """(VmRSS, PSS) in MiB."""
    rss = pss = 0
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss / 1024.0, pss / 1024.0


# Caches (GStreamer's plugin registry, fontconfig, Mesa's shaders) stay
# warm across runs, as on a desktop; settings and state start fresh, so
# that neither app restores a previous session.
CACHE = tempfile.mkdtemp(prefix='confab-bench-cache-')


def fresh_env(display, home):
    env = dict(os.environ, DISPLAY=display, GSETTINGS_BACKEND='memory', HOME=home,
               XDG_CONFIG_HOME=os.path.join(home, 'config'),
               XDG_DATA_HOME=os.path.join(home, 'data'),
               XDG_STATE_HOME=os.path.join(home, 'state'),
               XDG_CACHE_HOME=CACHE)
    env.pop('WAYLAND_DISPLAY', None)
    return env


def stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def bench_startup(harness, confab, runs):
    figures = {'confab': ([], []), 'gnome-text-editor': ([], [])}
    commands = {'confab': [confab, '--new-instance'],
                'gnome-text-editor': ['gnome-text-editor', '--standalone']}
    # One untimed start of each fills the caches.
    for i in range(-1, runs):
        order = ['confab', 'gnome-text-editor'] if i % 2 == 0 else ['gnome-text-editor', 'confab']
        for name in order:
            display = harness.start_display()
            with tempfile.TemporaryDirectory() as home:
                process, mapped, drawn = time_to_first_frame(display, commands[name],
                                                             fresh_env(display, home))
                # Leave it time to finish what it does after the first frame.
                time.sleep(1.0)
                stop(process)
                if i >= 0:
                    figures[name][0].append(mapped)
                    figures[name][1].append(drawn)
    return figures


def x_windows(display, pid):
    """The X windows of process @pid that are mapped on @display."""
    result = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(pid)],
                            env=dict(os.environ, DISPLAY=display), capture_output=True, text=True)
    return result.stdout.split()


def x_key(display, key):
    subprocess.run(['xdotool', 'key', '--clearmodifiers', key],
                   env=dict(os.environ, DISPLAY=display), check=True)


def x_type(display, text):
    subprocess.run(['xdotool', 'type', '--delay', '20', text],
                   env=dict(os.environ, DISPLAY=display), check=True)


class Lines:
    """The lines a process writes to one of its pipes, read on a thread."""

    def __init__(self, stream):
        self.queue = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.queue.put(line.rstrip('\n'))

    def expect(self, what, predicate, timeout=confabui.DEFAULT_TIMEOUT * 2):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.queue.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise confabui.TestFailure(f'timed out waiting for {what}')
            if predicate(line):
                return line


def bench_idle_confab(harness, idle, confab_cli):
    url = harness.start_server()
    display = harness.start_display()
    with tempfile.TemporaryDirectory() as home:
        alice = harness.spawn([os.environ['CONFAB'], '--new-instance', '--server', url, '--name', 'alice'],
                              env=fresh_env(display, home), name='confab-alice')
        # The window title names the person once signed in.
        confabui.wait_for('alice to be signed in',
                          lambda: subprocess.run(['xdotool', 'search', '--name', '^alice — Confab$'],
                                                 env=dict(os.environ, DISPLAY=display),
                                                 capture_output=True).returncode == 0)
        bob = harness.spawn([confab_cli, '--server', url, '--name', 'bob', '--call', 'alice'],
                            name='cli-bob', stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
        said = Lines(bob.stdout)
        told = Lines(bob.stderr)
        # The accept dialog is a second window; without a window manager
        # the keyboard goes to it, and Enter gives its default, Accept.
        confabui.wait_for('the accept dialog', lambda: len(x_windows(display, alice.pid)) >= 2)
        x_key(display, 'Return')
        told.expect('the chat to open', lambda line: 'chatting with alice' in line)
        bob.stdin.write('Hello, Alice.\n')
        bob.stdin.flush()
        # The entry takes the focus as the chat opens.
        x_type(display, 'Hello, Bob.')
        x_key(display, 'Return')
        said.expect('alice\'s line', lambda line: line == 'alice: Hello, Bob.')
        time.sleep(idle)
        figures = memory(alice.pid)
        stop(alice)
        bob.stdin.close()
        stop(bob)
    return figures


def bench_idle_text_editor(harness, idle):
    display = harness.start_display()
    with tempfile.TemporaryDirectory() as home:
        document = os.path.join(home, 'notes.txt')
        with open(document, 'w') as f:
            f.write('Confab: chat directly with another person, peer to peer.\n' * 40)
        process, _, _ = time_to_first_frame(display, ['gnome-text-editor', '--standalone', document],
                                            fresh_env(display, home))
        time.sleep(idle)
        figures = memory(process.pid)
        stop(process)
    return figures


def summary(values, unit):
    return (f'median {statistics.median(values):7.1f} {unit}   '
            f'min {min(values):7.1f}   max {max(values):7.1f}   (n={len(values)})')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--runs', type=int, default=7, help='start-ups of each app (7)')
    parser.add_argument('--memory-runs', type=int, default=3, help='idle-memory runs of each app (3)')
    parser.add_argument('--idle', type=float, default=5.0, help='seconds idle before reading memory (5)')
    parser.add_argument('--builddir', default=default_builddir)
    args = parser.parse_args()

    os.environ.setdefault('CONFAB', os.path.join(args.builddir, 'src', 'app', 'confab'))
    os.environ.setdefault('CONFAB_SIGNAL', os.path.join(args.builddir, 'src', 'server', 'confab-signal'))
    os.environ.setdefault('CONFAB_CLI', os.path.join(args.builddir, 'src', 'cli', 'confab-cli'))
    os.environ.setdefault('GSETTINGS_SCHEMA_DIR', os.path.join(args.builddir, 'src', 'app'))

    with confabui.Harness('bench') as harness:
        startup = bench_startup(harness, os.environ['CONFAB'], args.runs)

    confab_mem = []
    editor_mem = []
    for _ in range(args.memory_runs):
        with confabui.Harness('bench') as harness:
            try:
                confab_mem.append(bench_idle_confab(harness, args.idle, os.environ['CONFAB_CLI']))
            except Exception:
                harness.dump_logs()
                raise
        with confabui.Harness('bench') as harness:
            editor_mem.append(bench_idle_text_editor(harness, args.idle))

    editor_version = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'gnome-text-editor'],
                                    capture_output=True, text=True).stdout or '?'
    print(f'# start-up, Xvfb, {os.cpu_count()} CPUs: to the first frame, and to the window mapped')
    print(f'confab                      {summary(startup["confab"][1], "ms")}')
    print(f'gnome-text-editor {editor_version:9} {summary(startup["gnome-text-editor"][1], "ms")}')
    print(f'confab             (mapped) {summary(startup["confab"][0], "ms")}')
    print(f'gnome-text-editor  (mapped) {summary(startup["gnome-text-editor"][0], "ms")}')
    if not confab_mem:
        return
    print(f'# idle memory after {args.idle:.0f} s: Confab signed in, one open conversation; '
          f'Text Editor, one document')
    print(f'confab             RSS  {summary([m[0] for m in confab_mem], "MiB")}')
    print(f'confab             PSS  {summary([m[1] for m in confab_mem], "MiB")}')
    print(f'gnome-text-editor  RSS  {summary([m[0] for m in editor_mem], "MiB")}')
    print(f'gnome-text-editor  PSS  {summary([m[1] for m in editor_mem], "MiB")}')


main()
