/* confab-ice-server.h: browser-style STUN and TURN URLs, in webrtcbin's form
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_ICE_SERVER_ERROR (confab_ice_server_error_quark ())

typedef enum
{
  CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME,      /* not stun:, turn: or turns: */
  CONFAB_ICE_SERVER_ERROR_INVALID_HOST,        /* missing, or characters a host cannot have */
  CONFAB_ICE_SERVER_ERROR_INVALID_PORT,        /* not a number from 1 to 65535 */
  CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS, /* TURN without user:pass, STUN with them, bad escapes */
  CONFAB_ICE_SERVER_ERROR_INVALID_TRANSPORT,   /* a query other than transport=udp|tcp */
} ConfabIceServerError;

typedef enum
{
  CONFAB_ICE_SERVER_STUN,
  CONFAB_ICE_SERVER_TURN,
  CONFAB_ICE_SERVER_TURNS,
} ConfabIceServerKind;

GQuark  confab_ice_server_error_quark  (void);

/* Converts a URL as browsers and the mobile app write it
 *
 *   stun:HOST[:PORT]
 *   turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]
 *   turns:USER:PASS@HOST[:PORT][?transport=tcp]
 *
 * (the "//" after the scheme is accepted too; HOST may be an IPv6 address
 * in brackets) into what webrtcbin wants: stun://HOST:PORT for its
 * "stun-server" property, turn(s)://USER:PASS@HOST:PORT[?transport=...] for
 * its "add-turn-server" signal.  The port defaults to 3478 (5349 for turns).
 * USER and PASS may be percent-encoded; the result always is, so a colon or
 * an @ in a password survives.  Returns NULL and sets @error (in
 * CONFAB_ICE_SERVER_ERROR) for anything else. */
char   *confab_ice_server_to_webrtcbin (const char          *url,
                                        ConfabIceServerKind *kind,
                                        GError             **error);

G_END_DECLS
