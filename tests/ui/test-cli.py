#!/usr/bin/python3
# test-cli.py: the app chats with confab-cli, the headless client, both ways
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later

import queue
import threading

from confabui import TestFailure, accept, new_chat, quit_with_ctrl_q, run, send, wait_open


def lines_of(process):
    """A queue that fills with the lines confab-cli prints (one per
    received message: "PEER: TEXT")."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip('\n'))
    threading.Thread(target=pump, daemon=True).start()
    return lines


def expect_line(lines, expected, timeout=30):
    try:
        while True:
            line = lines.get(timeout=timeout)
            if line == expected:
                return
    except queue.Empty:
        raise TestFailure(f'confab-cli did not print {expected!r}')


def chat_with_robot(harness):
    """alice, in the app, calls robot, a confab-cli that accepts: returns
    alice, robot's process and the lines robot prints, once open."""
    harness.start_server()
    cli = harness.start_cli('robot', '--accept-any')
    lines = lines_of(cli)
    alice = harness.start_app('alice')
    alice.wait_signed_in()

    new_chat(alice, 'robot')
    wait_open(alice, 'robot')
    return alice, cli, lines


def test_app_calls_cli(harness):
    alice, cli, lines = chat_with_robot(harness)
    send(alice, 'Hello, robot.')
    expect_line(lines, 'alice: Hello, robot.')

    cli.stdin.write('Hello, Alice. Beep.\n')
    cli.stdin.flush()
    alice.label('Hello, Alice. Beep.')
    alice.screenshot('chat-with-cli')


def test_cli_calls_app(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    alice.wait_signed_in()
    cli = harness.start_cli('robot', '--call', 'alice')
    lines = lines_of(cli)

    # The accept dialog is the gate here too.
    accept(alice, 'robot')
    wait_open(alice, 'robot')
    cli.stdin.write('Thanks for taking my call.\n')
    cli.stdin.flush()
    alice.label('Thanks for taking my call.')
    send(alice, 'You are welcome.')
    expect_line(lines, 'alice: You are welcome.')


def test_quit_sends_last_words(harness):
    """Ctrl+Q right after a message: the app closes its session first, so
    the message still arrives, and then exits 0."""
    alice, cli, lines = chat_with_robot(harness)
    send(alice, 'Goodbye, robot.')
    quit_with_ctrl_q(alice)
    expect_line(lines, 'alice: Goodbye, robot.')


run('cli', [
    test_app_calls_cli,
    test_cli_calls_app,
    test_quit_sends_last_words,
])
