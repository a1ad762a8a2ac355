/* test-message.c: the wire protocol, byte for byte
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-message.h"
#include "confab-protocol-error.h"

static ConfabMessage *
parse_ok (const char *frame)
{
  g_autoptr(GError) error = NULL;
  ConfabMessage *message = confab_message_parse (frame, strlen (frame), 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);

  return message;
}

static void
assert_json (ConfabMessage *message,
             const char    *expected)
{
  g_autoptr(ConfabMessage) owned = message;
  g_autofree char *json = NULL;
  gsize length = 0;

  json = confab_message_to_json (owned, &length);
  g_assert_cmpstr (json, ==, expected);
  g_assert_cmpuint (length, ==, strlen (expected));
}

/* The shapes of DESIGN.md's table, exactly as the Node server and the
 * mobile app write them. */
static void
test_message_builds_wire_shapes (void)
{
  assert_json (confab_message_new_store_user ("alice"),
               "{\"type\":\"store_user\",\"name\":\"alice\"}");
  assert_json (confab_message_new_user_stored ("alice"),
               "{\"type\":\"user_stored\",\"data\":\"alice\"}");
  assert_json (confab_message_new_user_already_exists ("alice"),
               "{\"type\":\"user_already_exists\",\"data\":\"alice\"}");
  assert_json (confab_message_new_start_transfer ("alice", "bob"),
               "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  assert_json (confab_message_new_transfer_response ("bob"),
               "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  assert_json (confab_message_new_transfer_response (NULL),
               "{\"type\":\"transfer_response\",\"data\":null}");
  assert_json (confab_message_new_create_offer ("alice", "bob", "v=0\r\n"),
               "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
               "\"data\":{\"sdp\":\"v=0\\r\\n\",\"type\":\"OFFER\"}}");
  assert_json (confab_message_new_offer_received ("alice", "v=0\r\n"),
               "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\\r\\n\"}");
  assert_json (confab_message_new_create_answer ("bob", "alice", "v=0"),
               "{\"type\":\"create_answer\",\"name\":\"bob\",\"target\":\"alice\","
               "\"data\":{\"sdp\":\"v=0\",\"type\":\"ANSWER\"}}");
  assert_json (confab_message_new_answer_received ("bob", "v=0"),
               "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"v=0\"}");
  assert_json (confab_message_new_ice_candidate ("alice", "bob", 0, "0", "candidate:1 1 UDP 1 h 1 typ host"),
               "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\",\"data\":"
               "{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"candidate:1 1 UDP 1 h 1 typ host\"}}");
  assert_json (confab_message_new_ice_candidate ("alice", NULL, 0, "0", "candidate:x"),
               "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"data\":"
               "{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"candidate:x\"}}");
  assert_json (confab_message_new_decline ("bob", "alice"),
               "{\"type\":\"decline\",\"name\":\"bob\",\"target\":\"alice\"}");
  assert_json (confab_message_new_offer_declined ("bob"),
               "{\"type\":\"offer_declined\",\"name\":\"bob\"}");
  assert_json (confab_message_new_hang_up ("bob", "alice"),
               "{\"type\":\"hang_up\",\"name\":\"bob\",\"target\":\"alice\"}");
  assert_json (confab_message_new_peer_hung_up ("bob"),
               "{\"type\":\"peer_hung_up\",\"name\":\"bob\"}");
  assert_json (confab_message_new_error ("not-json", "The frame is not valid JSON", NULL),
               "{\"type\":\"error\",\"code\":\"not-json\",\"message\":\"The frame is not valid JSON\"}");
  assert_json (confab_message_new_error ("unknown-target", "Nobody called bob is connected", "create_offer"),
               "{\"type\":\"error\",\"code\":\"unknown-target\","
               "\"message\":\"Nobody called bob is connected\",\"ref\":\"create_offer\"}");
  assert_json (confab_message_new_error_about ("unknown-target", "Nobody called bob is connected",
                                               "create_offer", "bob"),
               "{\"type\":\"error\",\"code\":\"unknown-target\","
               "\"message\":\"Nobody called bob is connected\",\"ref\":\"create_offer\","
               "\"target\":\"bob\"}");
  /* Absent fields are left out, never sent as null. */
  assert_json (confab_message_new_start_transfer (NULL, "bob"),
               "{\"type\":\"start_transfer\",\"target\":\"bob\"}");
  assert_json (confab_message_new_ice_candidate (NULL, "bob", -1, NULL, ""),
               "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"\"}}");
}

/* What the mobile app (Gson) actually sends. */
static void
test_message_parses_mobile_app_frames (void)
{
  g_autoptr(ConfabMessage) store = NULL;
  g_autoptr(ConfabMessage) offer = NULL;
  g_autoptr(ConfabMessage) candidate = NULL;
  g_autoptr(ConfabMessage) integer = NULL;
  g_autoptr(ConfabMessage) response = NULL;
  g_autoptr(ConfabMessage) absent = NULL;

  store = parse_ok ("{\"type\":\"store_user\",\"name\":\"alice\"}");
  g_assert_cmpint (confab_message_get_kind (store), ==, CONFAB_MESSAGE_STORE_USER);
  g_assert_cmpstr (confab_message_get_name (store), ==, "alice");
  g_assert_null (confab_message_get_target (store));

  offer = parse_ok ("{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
                    "\"data\":{\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\",\"type\":\"OFFER\"}}");
  g_assert_cmpint (confab_message_get_kind (offer), ==, CONFAB_MESSAGE_CREATE_OFFER);
  g_assert_cmpstr (confab_message_get_sdp (offer), ==, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
  g_assert_cmpstr (confab_message_get_sdp_type (offer), ==, "OFFER");
  g_assert_cmpstr (confab_message_get_target (offer), ==, "bob");

  candidate = parse_ok ("{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\","
                        "\"data\":{\"sdpMLineIndex\":0.0,\"sdpMid\":\"0\","
                        "\"sdpCandidate\":\"candidate:842163049 1 udp 1677729535 1.2.3.4 46154 typ srflx\"}}");
  g_assert_cmpint (confab_message_get_sdp_mline_index (candidate), ==, 0);
  g_assert_cmpstr (confab_message_get_sdp_mid (candidate), ==, "0");
  g_assert_cmpstr (confab_message_get_candidate (candidate), ==,
                   "candidate:842163049 1 udp 1677729535 1.2.3.4 46154 typ srflx");

  integer = parse_ok ("{\"type\":\"ice_candidate\",\"name\":\"alice\","
                      "\"data\":{\"sdpMLineIndex\":1,\"sdpCandidate\":\"candidate:x\"}}");
  g_assert_cmpint (confab_message_get_sdp_mline_index (integer), ==, 1);
  g_assert_null (confab_message_get_sdp_mid (integer));

  response = parse_ok ("{\"type\":\"transfer_response\",\"data\":null}");
  g_assert_null (confab_message_get_user (response));

  absent = parse_ok ("{\"type\":\"transfer_response\"}");
  g_assert_null (confab_message_get_user (absent));
}

static ConfabMessage *
all_kinds (guint i)
{
  switch (i)
    {
    case 0: return confab_message_new_store_user ("alice");
    case 1: return confab_message_new_user_stored ("alice");
    case 2: return confab_message_new_user_already_exists ("alice");
    case 3: return confab_message_new_start_transfer ("alice", "bob");
    case 4: return confab_message_new_transfer_response ("bob");
    case 5: return confab_message_new_transfer_response (NULL);
    case 6: return confab_message_new_create_offer ("alice", "bob", "v=0\r\n\"quoted\" \\ \t\x01 ünï €");
    case 7: return confab_message_new_offer_received ("alice", "v=0\r\n");
    case 8: return confab_message_new_create_answer ("bob", "alice", "v=0\r\n");
    case 9: return confab_message_new_answer_received ("bob", "v=0\r\n");
    case 10: return confab_message_new_ice_candidate ("alice", "bob", 3, "data", "candidate:1");
    case 11: return confab_message_new_ice_candidate ("alice", NULL, 0, NULL, "");
    case 12: return confab_message_new_decline ("bob", "alice");
    case 13: return confab_message_new_offer_declined ("bob");
    case 14: return confab_message_new_hang_up ("bob", "alice");
    case 15: return confab_message_new_peer_hung_up ("bob");
    case 16: return confab_message_new_error ("rate-limited", "Slow down", "create_offer");
    case 17: return confab_message_new_store_user ("Zoë 😀");
    case 18: return confab_message_new_error_about ("unknown-target", "Gone", "hang_up", "bob");
    default: return NULL;
    }
}

static void
test_message_round_trips (void)
{
  ConfabMessage *built;

  for (guint i = 0; (built = all_kinds (i)) != NULL; i++)
    {
      g_autoptr(ConfabMessage) original = built;
      g_autoptr(ConfabMessage) parsed = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      g_autofree char *again = NULL;
      gsize length;

      json = confab_message_to_json (original, &length);
      parsed = confab_message_parse (json, length, 0, NULL, &error);
      g_assert_no_error (error);

      g_assert_cmpint (confab_message_get_kind (parsed), ==, confab_message_get_kind (original));
      g_assert_cmpstr (confab_message_get_name (parsed), ==, confab_message_get_name (original));
      g_assert_cmpstr (confab_message_get_target (parsed), ==, confab_message_get_target (original));
      g_assert_cmpstr (confab_message_get_user (parsed), ==, confab_message_get_user (original));
      g_assert_cmpstr (confab_message_get_sdp (parsed), ==, confab_message_get_sdp (original));
      g_assert_cmpstr (confab_message_get_sdp_type (parsed), ==, confab_message_get_sdp_type (original));
      g_assert_cmpstr (confab_message_get_candidate (parsed), ==, confab_message_get_candidate (original));
      g_assert_cmpstr (confab_message_get_sdp_mid (parsed), ==, confab_message_get_sdp_mid (original));
      g_assert_cmpint (confab_message_get_sdp_mline_index (parsed), ==,
                       confab_message_get_sdp_mline_index (original));
      g_assert_cmpstr (confab_message_get_error_code (parsed), ==, confab_message_get_error_code (original));
      g_assert_cmpstr (confab_message_get_error_message (parsed), ==,
                       confab_message_get_error_message (original));
      g_assert_cmpstr (confab_message_get_error_ref (parsed), ==, confab_message_get_error_ref (original));

      again = confab_message_to_json (parsed, NULL);
      g_assert_cmpstr (again, ==, json);
    }
}

/* Escapes are what JSON.stringify() writes, so that a relayed frame is
 * the Node server's to the byte. */
static void
test_message_escapes_like_json_stringify (void)
{
  assert_json (confab_message_new_offer_received ("a", "\"\\/\b\f\n\r\t\x01\x1f\x7f é 😀"),
               "{\"type\":\"offer_received\",\"name\":\"a\",\"data\":"
               "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f é 😀\"}");
}

static void
test_message_reads_escapes (void)
{
  g_autoptr(ConfabMessage) escaped_key = NULL;
  g_autoptr(ConfabMessage) escapes = NULL;
  g_autoptr(ConfabMessage) duplicate = NULL;
  g_autoptr(ConfabMessage) spaced = NULL;

  /* "ty\u0070e" is "type" */
  escaped_key = parse_ok ("{\"ty\\u0070e\":\"store_user\",\"name\":\"al\\u0069ce\"}");
  g_assert_cmpint (confab_message_get_kind (escaped_key), ==, CONFAB_MESSAGE_STORE_USER);
  g_assert_cmpstr (confab_message_get_name (escaped_key), ==, "alice");

  escapes = parse_ok ("{\"type\":\"offer_received\",\"name\":\"a\","
                      "\"data\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"}");
  g_assert_cmpstr (confab_message_get_sdp (escapes), ==, "\"\\/\b\f\n\r\té€😀");

  /* JSON.parse() keeps the last of duplicate keys, and so do we. */
  duplicate = parse_ok ("{\"type\":\"store_user\",\"name\":\"mallory\",\"name\":\"alice\"}");
  g_assert_cmpstr (confab_message_get_name (duplicate), ==, "alice");

  spaced = parse_ok (" \r\n\t{ \"type\" : \"start_transfer\" ,\n \"target\" : \"bob\" , "
                     "\"extra\": [1, 2.5e3, -0, true, false, null, {\"deep\": [\"x\"]}] } \n");
  g_assert_cmpstr (confab_message_get_target (spaced), ==, "bob");
}

static void
test_message_relays_under_registered_name (void)
{
  g_autoptr(ConfabMessage) offer = confab_message_new_create_offer ("mallory", "bob", "v=0");
  g_autoptr(ConfabMessage) answer = confab_message_new_create_answer ("x", "alice", "v=1");
  g_autoptr(ConfabMessage) candidate = confab_message_new_ice_candidate ("x", "bob", 0, "0", "c");
  g_autoptr(ConfabMessage) decline = confab_message_new_decline ("x", "alice");
  g_autoptr(ConfabMessage) hang_up = confab_message_new_hang_up (NULL, "alice");
  g_autoptr(ConfabMessage) store = confab_message_new_store_user ("alice");

  assert_json (confab_message_new_relayed (offer, "alice"),
               "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\"}");
  assert_json (confab_message_new_relayed (answer, "bob"),
               "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"v=1\"}");
  assert_json (confab_message_new_relayed (candidate, "alice"),
               "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"data\":"
               "{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"c\"}}");
  assert_json (confab_message_new_relayed (decline, "bob"),
               "{\"type\":\"offer_declined\",\"name\":\"bob\"}");
  assert_json (confab_message_new_relayed (hang_up, "bob"),
               "{\"type\":\"peer_hung_up\",\"name\":\"bob\"}");
  g_assert_null (confab_message_new_relayed (store, "alice"));
}

typedef struct
{
  const char          *frame;
  ConfabProtocolError  code;
  const char          *ref;
} BadFrame;

static const BadFrame bad_frames[] = {
  { "", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "   ", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "hello", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"store_user\",\"name\":\"alice\"", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"store_user\",\"name\":\"alice\"}}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"store_user\",}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{'type':'store_user'}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"a\nb\"}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"\\x41\"}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"type\":\"\\u12\"}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"a\":01}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"a\":1.}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"a\":+1}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"a\":NaN}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "{\"a\":tru}", CONFAB_PROTOCOL_ERROR_NOT_JSON, NULL },
  { "[]", CONFAB_PROTOCOL_ERROR_NOT_OBJECT, NULL },
  { "\"store_user\"", CONFAB_PROTOCOL_ERROR_NOT_OBJECT, NULL },
  { "42", CONFAB_PROTOCOL_ERROR_NOT_OBJECT, NULL },
  { "null", CONFAB_PROTOCOL_ERROR_NOT_OBJECT, NULL },
  { "{}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, NULL },
  { "{\"type\":null}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, NULL },
  { "{\"type\":7}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, NULL },
  { "{\"type\":[\"store_user\"]}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, NULL },
  { "{\"type\":\"launch_missiles\"}", CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE, "launch_missiles" },
  { "{\"type\":\"STORE_USER\",\"name\":\"a\"}", CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE, "STORE_USER" },
  { "{\"type\":\"store_user\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "store_user" },
  { "{\"type\":\"store_user\",\"name\":null}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "store_user" },
  { "{\"type\":\"store_user\",\"name\":42}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "store_user" },
  { "{\"type\":\"store_user\",\"name\":{\"first\":\"a\"}}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"\"}", CONFAB_PROTOCOL_ERROR_NAME_EMPTY, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"ali\\nce\"}", CONFAB_PROTOCOL_ERROR_NAME_INVALID, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"\\u007f\"}", CONFAB_PROTOCOL_ERROR_NAME_INVALID, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"evil\\u202etxt\"}", CONFAB_PROTOCOL_ERROR_NAME_INVALID, "store_user" },
  { "{\"type\":\"store_user\",\"name\":\"a\\u0000b\"}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, NULL },
  { "{\"type\":\"store_user\",\"name\":\"\\ud800\"}", CONFAB_PROTOCOL_ERROR_INVALID_UTF8, NULL },
  { "{\"type\":\"store_user\",\"name\":\"\\udc00x\"}", CONFAB_PROTOCOL_ERROR_INVALID_UTF8, NULL },
  { "{\"type\":\"store_user\",\"name\":\"\\ud800\\u0041\"}", CONFAB_PROTOCOL_ERROR_INVALID_UTF8, NULL },
  { "{\"type\":\"store_user\",\"name\":\"\xff\xfe\"}", CONFAB_PROTOCOL_ERROR_INVALID_UTF8, NULL },
  { "{\"type\":\"store_user\",\"name\":\"\xc3\"}", CONFAB_PROTOCOL_ERROR_INVALID_UTF8, NULL },
  { "{\"type\":\"start_transfer\",\"name\":\"alice\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "start_transfer" },
  { "{\"type\":\"start_transfer\",\"target\":\"\"}", CONFAB_PROTOCOL_ERROR_NAME_EMPTY, "start_transfer" },
  { "{\"type\":\"start_transfer\",\"target\":true}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "start_transfer" },
  { "{\"type\":\"create_offer\",\"target\":\"bob\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "create_offer" },
  { "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":\"v=0\"}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "create_offer" },
  { "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":{}}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "create_offer" },
  { "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":{\"sdp\":7}}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "create_offer" },
  { "{\"type\":\"create_answer\",\"target\":\"bob\",\"data\":{\"sdp\":\"v\",\"type\":1}}", CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "create_answer" },
  { "{\"type\":\"ice_candidate\",\"data\":{\"sdpCandidate\":\"c\"}}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{}}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMLineIndex\":\"0\"}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMLineIndex\":-1}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMLineIndex\":0.5}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMLineIndex\":1e400}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMLineIndex\":99999999999999999999999}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\",\"sdpMid\":0}}",
    CONFAB_PROTOCOL_ERROR_INVALID_FIELD, "ice_candidate" },
  { "{\"type\":\"decline\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "decline" },
  { "{\"type\":\"hang_up\",\"target\":\"a\\u0007\"}", CONFAB_PROTOCOL_ERROR_NAME_INVALID, "hang_up" },
  { "{\"type\":\"user_stored\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "user_stored" },
  { "{\"type\":\"offer_received\",\"data\":\"v=0\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "offer_received" },
  { "{\"type\":\"error\",\"message\":\"no code\"}", CONFAB_PROTOCOL_ERROR_MISSING_FIELD, "error" },
};

static void
test_message_refuses_bad_frames (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    {
      const BadFrame *bad = &bad_frames[i];
      g_autoptr(ConfabMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *type_hint = NULL;

      message = confab_message_parse (bad->frame, strlen (bad->frame), 0, &type_hint, &error);
      if (error == NULL || error->code != (int) bad->code)
        g_error ("frame %u (%s): expected %s, got %s", i, bad->frame,
                 confab_protocol_error_to_code (bad->code),
                 error ? confab_protocol_error_to_code (error->code) : "success");

      g_assert_null (message);
      g_assert_error (error, CONFAB_PROTOCOL_ERROR, (int) bad->code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpstr (error->message, !=, "");
      if (bad->ref != NULL)
        g_assert_cmpstr (type_hint, ==, bad->ref);
    }
}

static void
assert_refused (const char          *frame,
                gsize                length,
                gsize                max_frame,
                ConfabProtocolError  code)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = confab_message_parse (frame, length, max_frame, NULL, &error);
  g_assert_error (error, CONFAB_PROTOCOL_ERROR, (int) code);
  g_assert_null (message);
}

static void
test_message_refuses_hostile_frames (void)
{
  static const char with_nul[] = "{\"type\":\"store_user\",\"name\":\"a\0b\"}";
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) deep_object = g_string_new ("{\"type\":\"store_user\",\"name\":\"a\",\"x\":");
  g_autoptr(GString) huge = g_string_new ("{\"type\":\"store_user\",\"name\":\"");
  g_autoptr(GString) wide = g_string_new ("{\"type\":\"store_user\",\"name\":\"a\"");

  /* A NUL byte in the frame itself */
  assert_refused (with_nul, sizeof with_nul - 1, 0, CONFAB_PROTOCOL_ERROR_NOT_JSON);

  /* A million open brackets fail by depth, not by blowing the stack. */
  for (guint i = 0; i < 1000000; i++)
    g_string_append_c (deep, '[');
  assert_refused (deep->str, deep->len, deep->len, CONFAB_PROTOCOL_ERROR_TOO_DEEP);

  for (guint i = 0; i < 100; i++)
    g_string_append (deep_object, "{\"a\":");
  assert_refused (deep_object->str, deep_object->len, 0, CONFAB_PROTOCOL_ERROR_TOO_DEEP);

  /* Over the frame limit: refused before anything is read. */
  while (huge->len < CONFAB_MESSAGE_DEFAULT_MAX_FRAME)
    g_string_append (huge, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (huge, "\"}");
  assert_refused (huge->str, huge->len, 0, CONFAB_PROTOCOL_ERROR_FRAME_TOO_LARGE);
  /* ... but a caller may allow larger frames, and then the name is what is wrong. */
  assert_refused (huge->str, huge->len, huge->len, CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG);

  /* Too many members in one object */
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (wide, ",\"k%u\":%u", i, i);
  g_string_append_c (wide, '}');
  assert_refused (wide->str, wide->len, 0, CONFAB_PROTOCOL_ERROR_INVALID_FIELD);
}

/* An unknown type is quoted in the error, cut to 64 bytes: never inside
 * a character, or the error sent back would not be UTF-8.  (Found by
 * fuzz-protocol.) */
static void
test_message_quotes_long_unknown_types_whole (void)
{
  for (guint ascii = 60; ascii <= 66; ascii++)
    {
      g_autoptr(GString) frame = g_string_new ("{\"type\":\"");
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autoptr(ConfabMessage) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = NULL;

      /* ASCII, then three-byte characters that straddle byte 64 in turn */
      for (guint i = 0; i < ascii; i++)
        g_string_append_c (frame, 'x');
      for (guint i = 0; i < 4; i++)
        g_string_append (frame, "\xef\xbf\xbd");
      g_string_append (frame, "\"}");

      message = confab_message_parse (frame->str, frame->len, 0, NULL, &error);
      g_assert_error (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE);
      g_assert_null (message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));

      /* Whole characters only, and as many as fit in 64 bytes */
      for (guint i = 0; i < MIN (ascii, 64); i++)
        g_string_append_c (expected, 'x');
      while (expected->len + 3 <= 64 && expected->len < ascii + 12)
        g_string_append (expected, "\xef\xbf\xbd");
      quoted = g_strdup_printf ("“%s”", expected->str);
      g_assert_nonnull (strstr (error->message, quoted));
    }
}

static void
test_message_nesting_within_limit (void)
{
  g_autoptr(GString) frame = g_string_new ("{\"type\":\"store_user\",\"name\":\"a\",\"x\":");
  g_autoptr(ConfabMessage) message = NULL;

  /* The root is level 1; fill up to the limit exactly. */
  for (guint i = 1; i < CONFAB_MESSAGE_MAX_DEPTH; i++)
    g_string_append_c (frame, '[');
  for (guint i = 1; i < CONFAB_MESSAGE_MAX_DEPTH; i++)
    g_string_append_c (frame, ']');
  g_string_append_c (frame, '}');

  message = parse_ok (frame->str);
  g_assert_cmpstr (confab_message_get_name (message), ==, "a");
}

static void
test_message_validates_names (void)
{
  const char *good[] = { "alice", "Zoë", "李雷", "a b", "x-y_z.1", "😀",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
  const struct { const char *name; ConfabProtocolError code; } bad[] = {
    { "", CONFAB_PROTOCOL_ERROR_NAME_EMPTY },
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG },
    { "tab\there", CONFAB_PROTOCOL_ERROR_NAME_INVALID },
    { "bell\a", CONFAB_PROTOCOL_ERROR_NAME_INVALID },
    { "\xc2\x85", CONFAB_PROTOCOL_ERROR_NAME_INVALID },          /* NEL, a C1 control */
    { "zero\xe2\x80\x8bwidth", CONFAB_PROTOCOL_ERROR_NAME_INVALID },  /* U+200B, a format character */
    { "\xe2\x80\xa8", CONFAB_PROTOCOL_ERROR_NAME_INVALID },      /* line separator */
    { "\xed\xa0\x80", CONFAB_PROTOCOL_ERROR_NAME_INVALID },      /* an encoded surrogate */
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (confab_message_validate_name (good[i], NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (confab_message_validate_name (bad[i].name, &error));
      g_assert_error (error, CONFAB_PROTOCOL_ERROR, (int) bad[i].code);
    }
}

static void
test_message_kinds (void)
{
  for (guint i = 0; i < CONFAB_MESSAGE_N_KINDS; i++)
    {
      ConfabMessageKind kind;

      g_assert_true (confab_message_kind_from_string (confab_message_kind_to_string (i), &kind));
      g_assert_cmpint (kind, ==, i);
    }

  g_assert_true (confab_message_kind_is_client_request (CONFAB_MESSAGE_STORE_USER));
  g_assert_true (confab_message_kind_is_client_request (CONFAB_MESSAGE_ICE_CANDIDATE));
  g_assert_true (confab_message_kind_is_client_request (CONFAB_MESSAGE_HANG_UP));
  g_assert_false (confab_message_kind_is_client_request (CONFAB_MESSAGE_USER_STORED));
  g_assert_false (confab_message_kind_is_client_request (CONFAB_MESSAGE_OFFER_RECEIVED));
  g_assert_false (confab_message_kind_is_client_request (CONFAB_MESSAGE_ERROR));
  g_assert_false (confab_message_kind_from_string ("", NULL));
}

static void
test_message_error_codes (void)
{
  for (guint code = CONFAB_PROTOCOL_ERROR_NOT_JSON; code <= CONFAB_PROTOCOL_ERROR_SERVER_FULL; code++)
    {
      const char *wire = confab_protocol_error_to_code (code);
      ConfabProtocolError back;

      g_assert_nonnull (wire);
      g_assert_cmpstr (wire, !=, "unknown");
      g_assert_true (confab_protocol_error_from_code (wire, &back));
      g_assert_cmpint (back, ==, code);
    }

  g_assert_false (confab_protocol_error_from_code ("no-such-code", NULL));
}

static void
test_message_boxed_type (void)
{
  g_autoptr(ConfabMessage) message = confab_message_new_store_user ("alice");
  ConfabMessage *copy = g_boxed_copy (CONFAB_TYPE_MESSAGE, message);

  g_assert_true (copy == message);
  g_boxed_free (CONFAB_TYPE_MESSAGE, copy);
  g_assert_cmpstr (confab_message_get_name (message), ==, "alice");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/builds-wire-shapes", test_message_builds_wire_shapes);
  g_test_add_func ("/message/parses-mobile-app-frames", test_message_parses_mobile_app_frames);
  g_test_add_func ("/message/round-trips", test_message_round_trips);
  g_test_add_func ("/message/escapes-like-json-stringify", test_message_escapes_like_json_stringify);
  g_test_add_func ("/message/reads-escapes", test_message_reads_escapes);
  g_test_add_func ("/message/relays-under-registered-name", test_message_relays_under_registered_name);
  g_test_add_func ("/message/refuses-bad-frames", test_message_refuses_bad_frames);
  g_test_add_func ("/message/refuses-hostile-frames", test_message_refuses_hostile_frames);
  g_test_add_func ("/message/quotes-long-unknown-types-whole", test_message_quotes_long_unknown_types_whole);
  g_test_add_func ("/message/nesting-within-limit", test_message_nesting_within_limit);
  g_test_add_func ("/message/validates-names", test_message_validates_names);
  g_test_add_func ("/message/kinds", test_message_kinds);
  g_test_add_func ("/message/error-codes", test_message_error_codes);
  g_test_add_func ("/message/boxed-type", test_message_boxed_type);

  return g_test_run ();
}
