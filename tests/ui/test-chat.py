#!/usr/bin/python3
# test-chat.py: two people chat, one declines, one is offline
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later

import re

import pyatspi

from confabui import (NotificationServer, TestFailure, accept, button_name, new_chat, run, send,
                      wait_for, wait_open)


def meta(app, state):
    """The time and delivery state under one of our own messages."""
    return app.label(re.compile(r'^\d\d:\d\d · ' + state + '$'))


def test_alice_and_bob_chat(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    bob = harness.start_app('bob')
    alice.wait_signed_in()
    bob.wait_signed_in()
    alice.screenshot('signed-in')

    new_chat(alice, 'bob')
    alice.label(re.compile(r'^Waiting for bob to accept'))
    alice.screenshot('calling-bob')

    # The accept dialog is the gate, and it names the caller.
    accept(bob, 'alice')

    wait_open(alice, 'bob')
    wait_open(bob, 'alice')
    alice.label('Connected')

    send(alice, 'Hello Bob, this is Alice.')
    bob.label('Hello Bob, this is Alice.')
    send(bob, 'Hi Alice! Bob here.')
    alice.label('Hi Alice! Bob here.')

    # Each side sees both lines.
    bob.label('Hi Alice! Bob here.')
    alice.label('Hello Bob, this is Alice.')

    # Delivery states advance: Confab to Confab, the receipt arrives.
    meta(alice, 'Delivered')
    meta(bob, 'Delivered')
    alice.screenshot('chatting')
    bob.screenshot('chatting')


def test_bob_declines(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    bob = harness.start_app('bob')
    alice.wait_signed_in()
    bob.wait_signed_in()

    new_chat(alice, 'bob')
    bob.label('alice wants to chat with you')
    bob.button('Decline')
    bob.wait_gone(pyatspi.ROLE_LABEL, 'alice wants to chat with you')

    # The caller is told, in the conversation, with a way to try again.
    alice.label('bob declined the chat.')
    alice.find(pyatspi.ROLE_PUSH_BUTTON, button_name('Retry'))
    alice.label(re.compile(r'^You cannot write: bob is not connected'))
    alice.screenshot('declined')


def test_notifications(harness):
    notifications = NotificationServer()
    try:
        harness.start_server()
        alice = harness.start_app('alice')
        bob = harness.start_app('bob')
        alice.wait_signed_in()
        bob.wait_signed_in()

        # In the background, the request notifies with the dialog's two
        # answers, and Accept there does what Accept in the dialog does.
        bob.unfocus()
        new_chat(alice, 'bob')
        request, shown = notifications.wait_shown('alice wants to chat with you')
        # (The unlabelled action is the default one: clicking the body.)
        buttons = {label for label in shown['actions'] if label}
        if buttons != {'Accept', 'Decline'}:
            raise TestFailure(f'the request offers {sorted(buttons)}, not Accept and Decline')
        notifications.press(request, 'Accept')
        bob.wait_gone(pyatspi.ROLE_LABEL, 'alice wants to chat with you')
        wait_open(bob, 'alice')
        wait_open(alice, 'bob')

        # Accepting brought bob's window forward.  Back in the background,
        # a message notifies too, with its text.
        bob.unfocus()
        send(alice, 'Are you there, Bob?')
        _, shown = notifications.wait_shown('alice')
        if shown['body'] != 'Are you there, Bob?':
            raise TestFailure(f'the message notification says {shown["body"]!r}')
        bob.label('Are you there, Bob?')
    finally:
        notifications.stop()


def test_offline_peer(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    alice.wait_signed_in()

    new_chat(alice, 'nobody')
    # The conversation's banner says it, with a retry...
    banner = 'nobody is not online. Ask them to sign in to the same server, then retry.'
    alice.label(banner)
    # ...and so does a toast, so that it is not missed when the list shows
    # something else: a second sentence, not the banner's.
    wait_for('a toast saying nobody is offline',
             lambda: any(re.search(r'nobody.*(not online|offline|not connected)', text, re.I)
                         and text != banner for text in alice.labels()))
    alice.screenshot('peer-offline')


def test_new_chat_refuses_self(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    alice.wait_signed_in()

    alice.key('ctrl+n')
    alice.set_text('Name of the person', 'alice')
    alice.label('That is you. Enter the name of someone else.')
    start = alice.find(pyatspi.ROLE_PUSH_BUTTON, button_name('Start Chat'))
    if sensitive(start):
        raise TestFailure('Start Chat is enabled for one\'s own name')
    alice.key('Escape')
    alice.wait_gone(pyatspi.ROLE_LABEL, 'That is you. Enter the name of someone else.')


def sensitive(acc):
    return acc.getState().contains(pyatspi.STATE_SENSITIVE)


run('chat', [
    test_alice_and_bob_chat,
    test_bob_declines,
    test_notifications,
    test_offline_peer,
    test_new_chat_refuses_self,
])
