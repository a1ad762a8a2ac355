/* test-ice-server.c: browser-style STUN and TURN URLs into webrtcbin's form
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-ice-server.h"

static void
assert_converts (const char          *url,
                 const char          *expected,
                 ConfabIceServerKind  expected_kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  ConfabIceServerKind kind = -1;

  uri = confab_ice_server_to_webrtcbin (url, &kind, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, expected);
  g_assert_cmpint (kind, ==, expected_kind);
}

static void
assert_refuses (const char *url,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  uri = confab_ice_server_to_webrtcbin (url, NULL, &error);
  g_assert_error (error, CONFAB_ICE_SERVER_ERROR, code);
  g_assert_null (uri);
  /* The message names the URL, for a person to fix it. */
  g_assert_nonnull (strstr (error->message, url));
}

static void
test_ice_server_stun (void)
{
  assert_converts ("stun:stun.l.google.com:19302", "stun://stun.l.google.com:19302",
                   CONFAB_ICE_SERVER_STUN);
  assert_converts ("stun:192.0.2.1", "stun://192.0.2.1:3478", CONFAB_ICE_SERVER_STUN);
  assert_converts ("STUN:example.org:3479", "stun://example.org:3479", CONFAB_ICE_SERVER_STUN);
  assert_converts ("stun:[2001:db8::1]:3478", "stun://[2001:db8::1]:3478",
                   CONFAB_ICE_SERVER_STUN);
  /* Already in webrtcbin's form: left as it is. */
  assert_converts ("stun://example.org:3478", "stun://example.org:3478", CONFAB_ICE_SERVER_STUN);
}

static void
test_ice_server_turn (void)
{
  assert_converts ("turn:alice:secret@turn.example.org:3478?transport=udp",
                   "turn://alice:secret@turn.example.org:3478?transport=udp",
                   CONFAB_ICE_SERVER_TURN);
  assert_converts ("turn:alice:secret@turn.example.org?transport=tcp",
                   "turn://alice:secret@turn.example.org:3478?transport=tcp",
                   CONFAB_ICE_SERVER_TURN);
  assert_converts ("turn:alice:secret@198.51.100.7",
                   "turn://alice:secret@198.51.100.7:3478",
                   CONFAB_ICE_SERVER_TURN);
  assert_converts ("turns:alice:secret@turn.example.org",
                   "turns://alice:secret@turn.example.org:5349",
                   CONFAB_ICE_SERVER_TURNS);
  assert_converts ("turns:alice:secret@turn.example.org:443?transport=tcp",
                   "turns://alice:secret@turn.example.org:443?transport=tcp",
                   CONFAB_ICE_SERVER_TURNS);
}

/* coturn's REST credentials put a colon in the user name and base64 in the
 * password; webrtcbin splits at the first colon and unescapes both. */
static void
test_ice_server_escapes_credentials (void)
{
  assert_converts ("turn:1700000000%3Aalice:a/b+c=@turn.example.org",
                   "turn://1700000000%3Aalice:a%2Fb%2Bc%3D@turn.example.org:3478",
                   CONFAB_ICE_SERVER_TURN);
  assert_converts ("turn:bob:p@ss:word@turn.example.org",
                   "turn://bob:p%40ss%3Aword@turn.example.org:3478",
                   CONFAB_ICE_SERVER_TURN);
}

static void
test_ice_server_refuses (void)
{
  assert_refuses ("http://example.org", CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME);
  assert_refuses ("example.org:3478", CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME);
  assert_refuses ("", CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME);
  assert_refuses ("stuns:example.org", CONFAB_ICE_SERVER_ERROR_INVALID_SCHEME);
  assert_refuses ("stun:", CONFAB_ICE_SERVER_ERROR_INVALID_HOST);
  assert_refuses ("stun::3478", CONFAB_ICE_SERVER_ERROR_INVALID_HOST);
  assert_refuses ("stun:exa mple.org", CONFAB_ICE_SERVER_ERROR_INVALID_HOST);
  assert_refuses ("stun:[::1", CONFAB_ICE_SERVER_ERROR_INVALID_HOST);
  assert_refuses ("stun:[example.org]:3478", CONFAB_ICE_SERVER_ERROR_INVALID_HOST);
  assert_refuses ("stun:example.org:", CONFAB_ICE_SERVER_ERROR_INVALID_PORT);
  assert_refuses ("stun:example.org:0", CONFAB_ICE_SERVER_ERROR_INVALID_PORT);
  assert_refuses ("stun:example.org:65536", CONFAB_ICE_SERVER_ERROR_INVALID_PORT);
  assert_refuses ("stun:example.org:34x", CONFAB_ICE_SERVER_ERROR_INVALID_PORT);
  assert_refuses ("stun:example.org:3478:1", CONFAB_ICE_SERVER_ERROR_INVALID_PORT);
  assert_refuses ("stun:user:pass@example.org", CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
  assert_refuses ("turn:turn.example.org", CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
  assert_refuses ("turn:alice@turn.example.org", CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
  assert_refuses ("turn::secret@turn.example.org", CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
  assert_refuses ("turn:alice:%zz@turn.example.org", CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
  assert_refuses ("turn:alice:secret@turn.example.org?transport=sctp",
                  CONFAB_ICE_SERVER_ERROR_INVALID_TRANSPORT);
  assert_refuses ("turns:alice:secret@turn.example.org?transport=udp",
                  CONFAB_ICE_SERVER_ERROR_INVALID_TRANSPORT);
  assert_refuses ("stun:example.org?transport=udp", CONFAB_ICE_SERVER_ERROR_INVALID_TRANSPORT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ice-server/stun", test_ice_server_stun);
  g_test_add_func ("/ice-server/turn", test_ice_server_turn);
  g_test_add_func ("/ice-server/escapes-credentials", test_ice_server_escapes_credentials);
  g_test_add_func ("/ice-server/refuses", test_ice_server_refuses);

  return g_test_run ();
}
