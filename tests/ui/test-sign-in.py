#!/usr/bin/python3
# test-sign-in.py: signing in, and every way it can go wrong
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later

import re

import pyatspi

from confabui import TestFailure, button_name, free_port, run, wait_for

WELCOME = 'Welcome to Confab'


def fill_in(app, url, name):
    app.set_text('Server Address', url)
    app.set_text('Your Name', name)


def test_sign_in_with_the_keyboard(harness):
    harness.start_server()
    alice = harness.start_app('alice', sign_in=False)
    alice.label(WELCOME)
    fill_in(alice, harness.url, 'alice')
    alice.screenshot('sign-in')
    # Enter in the name field signs in: no mouse needed.
    alice.key('Return')
    alice.wait_signed_in()
    alice.label('Signed in as alice')
    alice.screenshot('signed-in')


def test_names_checked_before_sending(harness):
    harness.start_server()
    alice = harness.start_app('alice', sign_in=False)

    fill_in(alice, harness.url, '   ')
    alice.button('Sign In')
    alice.label('Enter the name others will find you by.')

    fill_in(alice, harness.url, 'a' * 65)
    alice.button('Sign In')
    alice.label(re.compile(r'^That name is too long\. Use at most 64 characters\.$'))
    alice.screenshot('name-too-long')

    fill_in(alice, 'http://127.0.0.1:3000', 'alice')
    alice.button('Sign In')
    alice.label(re.compile(r'^The server address must start with ws:// or wss://'))

    # None of it reached the server: still on the sign-in page.
    alice.assert_signed_out()


def test_taken_name(harness):
    harness.start_server()
    first = harness.start_app('alice')
    first.wait_signed_in()

    second = harness.start_app('alice')
    error = second.label(re.compile(r'alice', re.I))
    if not re.search(r'taken|in use|already', error.name, re.I):
        raise TestFailure(f'the error does not say the name is taken: {error.name!r}')
    second.assert_signed_out()
    second.screenshot('name-taken')


def test_unreachable_server(harness):
    harness.start_server()
    nobody = f'ws://127.0.0.1:{free_port()}'
    alice = harness.start_app('alice', sign_in=False)
    fill_in(alice, nobody, 'alice')
    alice.button('Sign In')
    error = alice.label(re.compile(r'reach|connect|refused', re.I))
    alice.assert_signed_out()
    # The sign-in button is back (not stuck on Cancel) for another try.
    wait_for('the Sign In button to come back',
             lambda: alice.has(pyatspi.ROLE_PUSH_BUTTON, button_name('Sign In')))
    alice.screenshot('server-unreachable')
    print('# unreachable:', error.name)


run('sign-in', [
    test_sign_in_with_the_keyboard,
    test_names_checked_before_sending,
    test_taken_name,
    test_unreachable_server,
])
