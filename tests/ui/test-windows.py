#!/usr/bin/python3
# test-windows.py: preferences (hosting a server, STUN/TURN servers,
# relay-only), the shortcuts window and the about window, all from the
# keyboard
#
# Copyright 2026 The Confab authors
# SPDX-License-Identifier: GPL-3.0-or-later

import re
import socket

import pyatspi

from confabui import free_port, quit_with_ctrl_q, run, wait_for


def open_preferences(app):
    app.key('ctrl+comma')
    return app.find(pyatspi.ROLE_CHECK_BOX, 'Host a Signalling Server on This Computer')


def test_host_a_server(harness):
    harness.start_server()
    alice = harness.start_app('alice', sign_in=False)
    switch = open_preferences(alice)

    port = free_port()
    spin = alice.find(pyatspi.ROLE_SPIN_BUTTON, 'Port')
    spin.queryValue().currentValue = float(port)
    wait_for('the port to be taken', lambda: int(spin.queryValue().currentValue) == port)
    alice.click(pyatspi.ROLE_CHECK_BOX, 'Host a Signalling Server on This Computer')
    wait_for('the switch to turn on', lambda: switch.getState().contains(pyatspi.STATE_CHECKED))

    # The address a phone would use, with this computer's LAN address.
    alice.label(re.compile(r'^ws://\d+\.\d+\.\d+\.\d+:%d$' % port))
    alice.screenshot('preferences-hosting')

    # And it is a real server: bob signs in to it.
    with socket.create_connection(('127.0.0.1', port), timeout=5):
        pass
    harness.port = port
    bob = harness.start_app('bob')
    bob.wait_signed_in()

    # The sign-in page tells a newcomer what the others type in.
    hosting = re.compile(r'^This computer hosts a signalling server: others sign in to it at '
                         r'ws://\d+\.\d+\.\d+\.\d+:%d\.$' % port)
    alice.key('Escape')
    alice.wait_gone(pyatspi.ROLE_CHECK_BOX, 'Host a Signalling Server on This Computer')
    alice.label(hosting)
    alice.screenshot('sign-in-hosting')

    # Turned off, it stops listening.
    open_preferences(alice)
    alice.click(pyatspi.ROLE_CHECK_BOX, 'Host a Signalling Server on This Computer')
    alice.label('Not hosting')
    alice.wait_gone(pyatspi.ROLE_LABEL, hosting)

    def closed():
        with socket.socket() as s:
            return s.connect_ex(('127.0.0.1', port)) != 0
    wait_for('the hosted server to stop listening', closed)


def test_ice_servers(harness):
    harness.start_server()
    alice = harness.start_app('alice', sign_in=False)
    open_preferences(alice)

    # Typed, as AdwEntryRow offers to apply only what was typed.
    alice.focus(alice.find(pyatspi.ROLE_TEXT, 'Add a Server'))
    alice.type('http://stun.example.org')
    alice.key('Return')
    alice.label(re.compile(r'^Not added\. .*http://stun\.example\.org'))

    alice.key('ctrl+a')
    alice.type('stun:stun.example.org:3478')
    alice.key('Return')
    alice.find(pyatspi.ROLE_PUSH_BUTTON, 'Remove stun:stun.example.org:3478')
    alice.screenshot('preferences-ice-servers')

    alice.button('Remove stun:stun.example.org:3478')
    alice.wait_gone(pyatspi.ROLE_PUSH_BUTTON, 'Remove stun:stun.example.org:3478')

    # Hiding the address needs a TURN server: until there is one the
    # switch cannot be turned on, and its row says why.
    hide = 'Hide My Network Address From the People I Chat With'
    relay = alice.find(pyatspi.ROLE_CHECK_BOX, hide)
    alice.label('Needs a TURN server: add one above first.')
    if relay.getState().contains(pyatspi.STATE_SENSITIVE):
        raise AssertionError('the relay-only switch is sensitive without a TURN server')

    alice.focus(alice.find(pyatspi.ROLE_TEXT, 'Add a Server'))
    alice.key('ctrl+a')
    alice.type('turn:user:secret@turn.example.org:3478')
    alice.key('Return')
    alice.find(pyatspi.ROLE_PUSH_BUTTON, 'Remove turn:user:secret@turn.example.org:3478')
    wait_for('the relay-only switch to become sensitive',
             lambda: relay.getState().contains(pyatspi.STATE_SENSITIVE))
    alice.label(re.compile(r'^Your messages go through your TURN server'))
    alice.click(pyatspi.ROLE_CHECK_BOX, hide)
    wait_for('the relay-only switch to turn on',
             lambda: relay.getState().contains(pyatspi.STATE_CHECKED))


def test_shortcuts_and_about(harness):
    harness.start_server()
    alice = harness.start_app('alice')
    alice.wait_signed_in()

    alice.key('ctrl+question')
    alice.label('Send Message')
    alice.label('Close Chat')
    alice.screenshot('shortcuts')
    alice.key('Escape')
    alice.wait_gone(pyatspi.ROLE_LABEL, 'Send Message')

    # The main menu opens with F10 and is walked with the keyboard.
    alice.key('F10')
    about = alice.find(pyatspi.ROLE_MENU_ITEM, re.compile('About Confab'))
    about.queryAction().doAction(0)
    alice.label('The Confab authors')
    alice.screenshot('about')

    # Ctrl+Q quits.
    alice.key('Escape')
    quit_with_ctrl_q(alice)


run('windows', [
    test_host_a_server,
    test_ice_servers,
    test_shortcuts_and_about,
])
