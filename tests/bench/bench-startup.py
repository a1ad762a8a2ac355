#!/usr/bin/python3
# bench-startup.py: Confab's start-up time and idle memory, side by side
# with GNOME Text Editor's, measured the same way in the same run.
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   tests/bench/bench-startup.py [--runs N] [--idle SECONDS] [--builddir DIR]
#
# Start-up: from fork() to the MapNotify of the app's first top-level
# window on a fresh Xvfb display (an X client of our own watches the root
# window), for `confab --new-instance` and `gnome-text-editor --standalone`
# alike, alternating which goes first.  Idle memory: VmRSS (and PSS) of a
# Confab signed in with one open conversation (a second Confab called it
# and it accepted, one line each way) after SECONDS idle, and of GNOME
# Text Editor with one document open after the same.  Prints medians; a
# benchmark reports, it never fails on a figure.

import argparse
import ctypes
import ctypes.util
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.dirname(os.path.dirname(here))

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

SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
MAP_NOTIFY = 19


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


def time_to_map(display, argv, env, timeout=30.0):
    """Starts @argv and returns (process, milliseconds until its first
    top-level window was mapped)."""
    dpy = xlib.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f'cannot open display {display}')
    try:
        root = xlib.XDefaultRootWindow(dpy)
        xlib.XSelectInput(dpy, root, SUBSTRUCTURE_NOTIFY_MASK)
        xlib.XFlush(dpy)
        fd = xlib.XConnectionNumber(dpy)
        start = time.monotonic()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        event = XEvent()
        while True:
            while xlib.XPending(dpy):
                xlib.XNextEvent(dpy, ctypes.byref(event))
                # Menus and tooltips are override-redirect: not the window.
                if event.type == MAP_NOTIFY and not event.xmap.override_redirect:
                    return process, (time.monotonic() - start) * 1000.0
            left = timeout - (time.monotonic() - start)
            if left <= 0 or process.poll() is not None:
                process.kill()
                raise RuntimeError(f'{argv[0]} mapped no window')
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
    figures = {'confab': [], 'gnome-text-editor': []}
    commands = {'confab': [confab, '--new-instance'],
                'gnome-text-editor': ['gnome-text-editor', '--standalone']}
    # One untimed start of each fills the caches.
    for i in range(-1, runs):
        order = ['confab', 'gnome-text-editor'] if i % 2 == 0 else ['gnome-text-editor', 'confab']
        for name in order:
            display = harness.start_display()
            with tempfile.TemporaryDirectory() as home:
                process, ms = time_to_map(display, commands[name], fresh_env(display, home))
                # Leave it time to finish what it does after mapping.
                time.sleep(1.0)
                stop(process)
                if i >= 0:
                    figures[name].append(ms)
    return figures


def bench_idle_confab(harness, idle):
    harness.start_server()
    alice = harness.start_app('alice')
    bob = harness.start_app('bob')
    alice.wait_signed_in()
    bob.wait_signed_in()
    confabui.new_chat(bob, 'alice')
    confabui.accept(alice, 'bob', screenshot=False)
    confabui.wait_open(alice, 'bob')
    confabui.wait_open(bob, 'alice')
    confabui.send(bob, 'Hello, Alice.', keyboard=False)
    alice.label('Hello, Alice.')
    confabui.send(alice, 'Hello, Bob.', keyboard=False)
    bob.label('Hello, Bob.')
    time.sleep(idle)
    figures = memory(alice.process.pid)
    for app in list(harness.apps):
        app.quit()
    harness.apps.clear()
    return figures


def bench_idle_text_editor(harness, idle):
    display = harness.start_display()
    with tempfile.TemporaryDirectory() as home:
        document = os.path.join(home, 'notes.txt')
        with open(document, 'w') as f:
            f.write('Confab: chat directly with another person, peer to peer.\n' * 40)
        process, _ = time_to_map(display, ['gnome-text-editor', '--standalone', document],
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
    parser.add_argument('--builddir', default=os.path.join(top, '_build'))
    args = parser.parse_args()

    confab = os.path.join(args.builddir, 'src', 'app', 'confab')
    os.environ.setdefault('CONFAB', confab)
    os.environ.setdefault('CONFAB_SIGNAL', os.path.join(args.builddir, 'src', 'server', 'confab-signal'))
    os.environ.setdefault('GSETTINGS_SCHEMA_DIR', os.path.join(args.builddir, 'data'))

    with confabui.Harness('bench') as harness:
        startup = bench_startup(harness, os.environ['CONFAB'], args.runs)

    confab_mem = []
    editor_mem = []
    for _ in range(args.memory_runs):
        with confabui.Harness('bench') as harness:
            confab_mem.append(bench_idle_confab(harness, args.idle))
        with confabui.Harness('bench') as harness:
            editor_mem.append(bench_idle_text_editor(harness, args.idle))

    editor_version = subprocess.run(['dpkg-query', '-W', '-f=${Version}', 'gnome-text-editor'],
                                    capture_output=True, text=True).stdout or '?'
    print(f'# start-up to the first mapped window, Xvfb, {os.cpu_count()} CPUs')
    print(f'confab                      {summary(startup["confab"], "ms")}')
    print(f'gnome-text-editor {editor_version:9} {summary(startup["gnome-text-editor"], "ms")}')
    if not confab_mem:
        return
    print(f'# idle memory after {args.idle:.0f} s: Confab signed in, one open conversation; '
          f'Text Editor, one document')
    print(f'confab             RSS  {summary([m[0] for m in confab_mem], "MiB")}')
    print(f'confab             PSS  {summary([m[1] for m in confab_mem], "MiB")}')
    print(f'gnome-text-editor  RSS  {summary([m[0] for m in editor_mem], "MiB")}')
    print(f'gnome-text-editor  PSS  {summary([m[1] for m in editor_mem], "MiB")}')


main()
