# confabui.py: drive real Confab windows through the accessibility tree
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Each test runs inside its own D-Bus session with its own AT-SPI bus
# (run-ui-test does that).  Every app instance gets an Xvfb display of its
# own: without a window manager X gives the keyboard to the window that
# asked last, so one person a display keeps alice's typing out of bob's
# window.  Widgets are found the way a screen reader finds them, by role
# and accessible name, and used through the Action and EditableText
# interfaces or the keyboard (xdotool, through XTEST).

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pyatspi

SCREEN = (900, 640)

# GTK 4.8's AT-SPI bridge (gtkatspicontext.c) makes the D-Bus reference of
# an accessible from its context's object path, which is NULL while that
# context is not realized: with an accessibility client listening, a child
# added or removed at the wrong moment (rows appearing as a dialog closes)
# makes GLib log this critical, once in several runs, and nothing else goes
# wrong.  Criticals are therefore not fatal in the apps under test
# (G_DEBUG is not set to fatal-criticals); the harness fails a test on
# every other one the apps log instead.
KNOWN_CRITICALS = (
    "g_variant_is_object_path: assertion 'string != NULL' failed",
)
DEFAULT_TIMEOUT = float(os.environ.get('CONFAB_UI_TIMEOUT', '30'))


def log(*args):
    print('#', *args, flush=True)


class TestFailure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(what, predicate, timeout=DEFAULT_TIMEOUT):
    """Polls @predicate until it returns something true, and returns it."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as e:  # the tree changes under our feet
            last_error = e
        time.sleep(0.1)
    raise TestFailure(f'timed out waiting for {what}' + (f' ({last_error})' if last_error else ''))


def showing(acc):
    # GTK 4.8 sets "showing" on toplevels only; "visible" is the widget's
    # own visibility (the pages of a stack all count as visible: tests
    # tell pages apart by what only one of them says).
    try:
        return acc.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def sensitive(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


def name_matches(acc, name):
    if name is None:
        return True
    if isinstance(name, re.Pattern):
        return name.search(acc.name or '') is not None
    return acc.name == name


def button_name(name):
    """A button's accessible name: GTK 4.8 puts the mnemonic label before
    the text of a button with a mnemonic ("_Accept Accept")."""
    if not isinstance(name, str):
        return name
    mnemonic = ''.join('_?' + re.escape(c) for c in name)
    return re.compile(f'^(?:{mnemonic} )?{re.escape(name)}$')


def find_all(root, role=None, name=None, only_showing=True, limit=None):
    """Depth-first search of the tree under @root; hidden subtrees (the
    other pages of a stack) are skipped when @only_showing."""
    found = []

    def visit(acc, depth):
        if depth > 60 or (limit and len(found) >= limit):
            return
        try:
            if only_showing and depth > 1 and not showing(acc):
                return
            if (role is None or acc.getRole() == role) and name_matches(acc, name):
                found.append(acc)
            children = list(acc)
        except Exception:
            return
        for child in children:
            visit(child, depth + 1)

    visit(root, 0)
    return found


def find(root, role=None, name=None, only_showing=True):
    found = find_all(root, role, name, only_showing, limit=1)
    return found[0] if found else None


def labels(root):
    return [acc.name for acc in find_all(root, pyatspi.ROLE_LABEL)]


class App:
    """One running `confab --new-instance`, on a display of its own."""

    def __init__(self, harness, person, display, process):
        self.harness = harness
        self.person = person
        self.display = display
        self.process = process
        self.accessible = wait_for(f'{person}\'s app on the accessibility bus', self._lookup)

    def _lookup(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            try:
                if app is not None and app.get_process_id() == self.process.pid:
                    return app
            except Exception:
                continue
        return None

    # Windows: the main frame and, without a window manager, dialogs as
    # frames or dialogs of their own.
    def windows(self):
        return [w for w in self.accessible if w is not None and showing(w)]

    def title(self):
        """The main window's title: "Confab" until signed in, then
        "NAME — Confab"."""
        for w in self.windows():
            if w.getRole() == pyatspi.ROLE_FRAME and (w.name or '').endswith('Confab'):
                return w.name
        return None

    def wait_signed_in(self):
        wait_for(f'{self.person} to be signed in',
                 lambda: self.title() == f'{self.person} — Confab')

    def assert_signed_out(self):
        if self.title() != 'Confab':
            raise TestFailure(f'{self.person} is signed in: the window is {self.title()!r}')

    def window(self, name=None):
        def lookup():
            for w in self.windows():
                if name is None or name_matches(w, name):
                    return w
            return None
        return wait_for(f'a window named {name!r} in {self.person}\'s app', lookup)

    def find(self, role=None, name=None, within=None, timeout=DEFAULT_TIMEOUT):
        def lookup():
            roots = [within] if within is not None else self.windows()
            for root in roots:
                acc = find(root, role, name)
                if acc is not None:
                    return acc
            return None
        return wait_for(f'{role or "anything"} named {name!r} in {self.person}\'s app', lookup, timeout)

    def has(self, role=None, name=None, within=None):
        roots = [within] if within is not None else self.windows()
        return any(find(root, role, name) is not None for root in roots)

    def wait_gone(self, role=None, name=None, timeout=DEFAULT_TIMEOUT):
        wait_for(f'{name!r} to go away in {self.person}\'s app',
                 lambda: not self.has(role, name), timeout)

    def label(self, name, timeout=DEFAULT_TIMEOUT):
        return self.find(pyatspi.ROLE_LABEL, name, timeout=timeout)

    def labels(self):
        result = []
        for w in self.windows():
            result += labels(w)
        return result

    def click(self, role, name, within=None):
        acc = self.find(role, name, within)
        wait_for(f'{name!r} to become sensitive', lambda: sensitive(acc))
        action = acc.queryAction()
        for i in range(action.nActions):
            if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
                action.doAction(i)
                return acc
        action.doAction(0)
        return acc

    def button(self, name, within=None):
        return self.click(pyatspi.ROLE_PUSH_BUTTON, button_name(name), within)

    def set_text(self, name, text, within=None):
        acc = self.find(pyatspi.ROLE_TEXT, name, within)
        wait_for(f'{name!r} to become sensitive', lambda: sensitive(acc))
        acc.queryEditableText().setTextContents(text)
        return acc

    def focus(self, acc):
        """Puts the keyboard focus on @acc.  GTK 4.8 does not implement
        AT-SPI's grabFocus, so this clicks it: use it only where the
        app itself does not put the focus where typing starts."""
        toplevel = acc
        while toplevel.parent is not None and toplevel.parent.getRole() != pyatspi.ROLE_APPLICATION:
            toplevel = toplevel.parent
        # GTK on X11 knows only window-relative positions.
        x, y, width, height = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        env = dict(os.environ, DISPLAY=self.display)
        windows = subprocess.run(['xdotool', 'search', '--onlyvisible', '--name', f'^{re.escape(toplevel.name)}$'],
                                 env=env, capture_output=True, text=True).stdout.split()
        if not windows:
            raise TestFailure(f'no X window named {toplevel.name!r}')
        subprocess.run(['xdotool', 'mousemove', '--window', windows[-1], str(x + width // 2),
                        str(y + height // 2), 'click', '1'], env=env, check=True)
        # Rows that hold an entry (AdwEntryRow) do not report the focus of
        # the entry inside: give the click a moment instead.
        time.sleep(0.3)

    def unfocus(self):
        """Takes the keyboard focus away from every window of this display,
        as clicking into another app would, and waits until the main
        window knows it is in the background."""
        import ctypes
        import ctypes.util
        xlib = ctypes.CDLL(ctypes.util.find_library('X11'))
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        dpy = xlib.XOpenDisplay(self.display.encode())
        # Focus None, RevertToNone, CurrentTime: nobody has the keyboard
        # (without a window manager the pointer would otherwise give it).
        xlib.XSetInputFocus(dpy, 0, 0, 0)
        xlib.XCloseDisplay(dpy)

        def inactive():
            frame = next(w for w in self.windows()
                         if w.getRole() == pyatspi.ROLE_FRAME and (w.name or '').endswith('Confab'))
            return not frame.getState().contains(pyatspi.STATE_ACTIVE)
        wait_for(f'{self.person}\'s window to be in the background', inactive)

    def key(self, *keys):
        """Presses keys as a person would, e.g. key('ctrl+n')."""
        subprocess.run(['xdotool', 'key', '--clearmodifiers', *keys],
                       env=dict(os.environ, DISPLAY=self.display), check=True)

    def type(self, text):
        subprocess.run(['xdotool', 'type', '--delay', '20', text],
                       env=dict(os.environ, DISPLAY=self.display), check=True)

    def screenshot(self, step):
        self.harness.screenshot(self, step)

    def quit(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Harness:
    """Starts the displays, confab-signal and the app instances, and
    stops them all at the end, whatever happened."""

    def __init__(self, test_name):
        self.test_name = test_name
        self.confab = os.environ.get('CONFAB', 'confab')
        self.confab_signal = os.environ.get('CONFAB_SIGNAL', 'confab-signal')
        self.confab_cli = os.environ.get('CONFAB_CLI')
        self.screenshot_dir = os.environ.get('CONFAB_SCREENSHOT_DIR',
                                             os.path.join(tempfile.gettempdir(), 'confab-screenshots'))
        os.makedirs(self.screenshot_dir, exist_ok=True)
        self.workdir = tempfile.mkdtemp(prefix=f'confab-ui-{test_name}-')
        self.processes = []
        self.apps = []
        self.port = None
        self.step = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for app in self.apps:
            app.quit()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    def spawn(self, args, env=None, name=None, **kwargs):
        logfile = open(os.path.join(self.workdir, (name or os.path.basename(args[0])) + '.log'), 'w')
        process = subprocess.Popen(args, env=env, stdout=kwargs.pop('stdout', logfile),
                                   stderr=kwargs.pop('stderr', logfile), **kwargs)
        process.logfile = logfile.name
        self.processes.append(process)
        return process

    def start_display(self):
        read_fd, write_fd = os.pipe()
        self.spawn(['Xvfb', '-displayfd', str(write_fd), '-nolisten', 'tcp',
                    '-screen', '0', f'{SCREEN[0]}x{SCREEN[1]}x24'],
                   name=f'xvfb-{len(self.processes)}', pass_fds=(write_fd,))
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise TestFailure('Xvfb did not start')
        return ':' + number

    def start_server(self):
        self.port = free_port()
        process = self.spawn([self.confab_signal, '--host', '127.0.0.1', '--port', str(self.port)],
                             name='confab-signal')

        def listening():
            if process.poll() is not None:
                raise TestFailure(f'confab-signal exited: {open(process.logfile).read()}')
            with socket.socket() as s:
                return s.connect_ex(('127.0.0.1', self.port)) == 0
        wait_for('confab-signal to listen', listening)
        return self.url

    @property
    def url(self):
        return f'ws://127.0.0.1:{self.port}'

    def start_app(self, person, *args, sign_in=True):
        display = self.start_display()
        env = dict(os.environ,
                   DISPLAY=display,
                   GSETTINGS_BACKEND='memory',
                   GTK_A11Y='atspi',
                   NO_AT_BRIDGE='0')
        env.pop('WAYLAND_DISPLAY', None)
        argv = [self.confab, '--new-instance']
        if sign_in:
            argv += ['--server', self.url, '--name', person]
        argv += list(args)
        process = self.spawn(argv, env=env, name=f'confab-{person}')
        app = App(self, person, display, process)
        self.apps.append(app)
        app.window()
        return app

    def start_cli(self, person, *args):
        if not self.confab_cli:
            raise TestFailure('CONFAB_CLI is not set')
        process = self.spawn([self.confab_cli, '--server', self.url, '--name', person, *args],
                             name=f'cli-{person}', stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, bufsize=1)
        return process

    def screenshot(self, app, step):
        self.step += 1
        path = os.path.join(self.screenshot_dir, f'{self.test_name}-{self.step:02d}-{app.person}-{step}.png')
        # Let the last change finish drawing (transitions last 200 ms).
        time.sleep(0.4)
        subprocess.run(['import', '-display', app.display, '-window', 'root', path], check=True)
        log('screenshot', path)

    def check_app_logs(self):
        """Fails on any critical an app logged, but the one GTK 4.8's
        AT-SPI bridge itself logs now and then."""
        for process in self.processes:
            name = os.path.basename(getattr(process, 'logfile', ''))
            if not name.startswith('confab-') or name == 'confab-signal.log':
                continue
            with open(process.logfile, errors='replace') as f:
                for line in f:
                    if 'CRITICAL **' in line and not any(known in line for known in KNOWN_CRITICALS):
                        raise TestFailure(f'{name}: {line.strip()}')

    def dump_logs(self):
        for process in self.processes:
            try:
                text = open(process.logfile).read().strip()
            except (OSError, AttributeError):
                continue
            if text:
                print(f'# --- {os.path.basename(process.logfile)} ---')
                for line in text.splitlines()[-40:]:
                    print('#', line)


def run(test_name, steps):
    """Runs the test functions in @steps, each with a fresh harness, and
    reports TAP."""
    print(f'1..{len(steps)}', flush=True)
    failed = 0
    for i, step in enumerate(steps, 1):
        with Harness(f'{test_name}-{step.__name__}') as harness:
            try:
                step(harness)
                harness.check_app_logs()
                print(f'ok {i} {step.__name__}', flush=True)
            except Exception as e:
                failed += 1
                print(f'not ok {i} {step.__name__}: {type(e).__name__}: {e}', flush=True)
                import traceback
                for line in traceback.format_exc().splitlines():
                    print('#', line)
                for app in harness.apps:
                    try:
                        app.screenshot('failure')
                        print('# labels in', app.person, 'window:', app.labels())
                    except Exception:
                        pass
                harness.dump_logs()
    sys.exit(1 if failed else 0)


# The flows every chat test goes through, as a person does them.

def new_chat(app, peer):
    """Ctrl+N, the peer's name, Enter."""
    app.key('ctrl+n')
    app.set_text('Name of the person', peer)
    app.key('Return')


def accept(app, caller, screenshot=True):
    """Waits for the accept dialog naming @caller and accepts it."""
    app.label(f'{caller} wants to chat with you')
    if screenshot:
        app.screenshot(f'{caller}-wants-to-chat')
    app.button('Accept')
    app.wait_gone(pyatspi.ROLE_LABEL, f'{caller} wants to chat with you')


def wait_open(app, peer):
    """Waits until the conversation with @peer is open: its entry works."""
    entry = app.find(pyatspi.ROLE_TEXT, 'Message')
    wait_for(f'the chat with {peer} to open in {app.person}\'s window',
             lambda: sensitive(entry), timeout=DEFAULT_TIMEOUT * 2)
    return entry


def quit_with_ctrl_q(app):
    """Quits @app with Ctrl+Q, as a person would, and checks that it
    exits, with status 0."""
    app.key('ctrl+q')
    try:
        status = app.process.wait(15)
    except subprocess.TimeoutExpired:
        raise TestFailure('Ctrl+Q did not quit')
    if status != 0:
        raise TestFailure(f'Ctrl+Q quit with exit status {status}')


def send(app, text, keyboard=True):
    """Types @text into the message entry and sends it with Enter (or
    the Send button)."""
    entry = app.find(pyatspi.ROLE_TEXT, 'Message')
    entry.queryEditableText().setTextContents(text)
    if keyboard:
        wait_for('the message entry to have the keyboard focus',
                 lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
        app.key('Return')
    else:
        app.button('Send')
    wait_for('the entry to empty once sent',
             lambda: entry.queryText().characterCount == 0)


class NotificationServer:
    """A stand-in for the desktop's notification daemon: it owns
    org.freedesktop.Notifications on the test's session bus (GLib sends a
    GNotification there when no portal or GTK notification service is
    running), keeps what it is asked to show, and can press a notification's
    buttons as a person would."""

    INTERFACE = '''
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
  </interface>
</node>'''

    def __init__(self):
        import threading
        from gi.repository import Gio, GLib
        self.Gio, self.GLib = Gio, GLib
        self.lock = threading.Lock()
        self.shown = {}     # id -> dict(summary, body, actions)
        self.closed = set()
        self.next_id = 1
        self.ready = threading.Event()
        self.context = GLib.MainContext.new()
        self.loop = GLib.MainLoop.new(self.context, False)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.ready.wait(DEFAULT_TIMEOUT):
            raise TestFailure('the notification server did not start')

    def _run(self):
        Gio, GLib = self.Gio, self.GLib
        self.context.push_thread_default()
        address = Gio.dbus_address_get_for_bus_sync(Gio.BusType.SESSION, None)
        self.connection = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        info = Gio.DBusNodeInfo.new_for_xml(self.INTERFACE).interfaces[0]
        self.connection.register_object('/org/freedesktop/Notifications', info, self._call, None, None)
        self.connection.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                  'RequestName', GLib.Variant('(su)', ('org.freedesktop.Notifications', 4)),
                                  None, Gio.DBusCallFlags.NONE, -1, None)
        self.ready.set()
        self.loop.run()

    def _call(self, connection, sender, path, interface, method, parameters, invocation):
        GLib = self.GLib
        if method == 'GetCapabilities':
            invocation.return_value(GLib.Variant('(as)', (['actions', 'body'],)))
        elif method == 'GetServerInformation':
            invocation.return_value(GLib.Variant('(ssss)', ('confab-ui-test', 'Confab', '1', '1.2')))
        elif method == 'Notify':
            _, replaces, _, summary, body, actions, _, _ = parameters.unpack()
            with self.lock:
                nid = replaces or self.next_id
                self.next_id = max(self.next_id, nid + 1)
                # actions alternate: key, label
                self.shown[nid] = dict(summary=summary, body=body,
                                       actions=dict(zip(actions[1::2], actions[0::2])))
                self.closed.discard(nid)
            invocation.return_value(GLib.Variant('(u)', (nid,)))
        elif method == 'CloseNotification':
            with self.lock:
                self.closed.add(parameters.unpack()[0])
            invocation.return_value(None)

    def wait_shown(self, summary, timeout=DEFAULT_TIMEOUT):
        """Waits for a notification titled @summary that is still up, and
        returns (id, its fields)."""
        def lookup():
            with self.lock:
                for nid, n in self.shown.items():
                    if n['summary'] == summary and nid not in self.closed:
                        return nid, dict(n)
            return None
        return wait_for(f'a notification {summary!r}', lookup, timeout)

    def wait_closed(self, nid, timeout=DEFAULT_TIMEOUT):
        wait_for(f'notification {nid} to be withdrawn', lambda: nid in self.closed, timeout)

    def press(self, nid, label):
        """Presses the button labelled @label on notification @nid."""
        with self.lock:
            key = self.shown[nid]['actions'][label]
        self.connection.emit_signal(None, '/org/freedesktop/Notifications',
                                    'org.freedesktop.Notifications', 'ActionInvoked',
                                    self.GLib.Variant('(us)', (nid, key)))

    def stop(self):
        self.loop.quit()
