/* test-signal-server.c: real libsoup websocket clients against an
 * in-process ConfabSignalServer on 127.0.0.1
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "confab-message.h"
#include "confab-signal-server.h"
#include "test-support.h"

#define SDP_JSON "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n" \
                 "a=group:BUNDLE 0\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\n" \
                 "c=IN IP4 0.0.0.0\\r\\na=mid:0\\r\\n"
#define CANDIDATE "candidate:1 1 UDP 2122252543 192.168.1.10 54321 typ host"

typedef struct
{
  ConfabSignalServer *server;
  SoupSession        *session;
  char               *url;
  GTlsCertificate    *certificate;
} Fixture;

/* Connects to @url; returns the client even on failure (check ->error). */
static TestWsClient *
client_try_connect (Fixture    *fixture,
                    const char *url)
{
  return test_ws_client_try_connect (fixture->session, url, fixture->certificate);
}

static TestWsClient *
client_connect (Fixture *fixture)
{
  TestWsClient *client = client_try_connect (fixture, fixture->url);

  g_assert_no_error (client->error);

  return client;
}

/* Any bytes as a text frame, NUL and invalid UTF-8 included. */
static void
client_send_raw (TestWsClient *client,
                 const char   *data,
                 gsize         length,
                 gboolean      binary)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);

  soup_websocket_connection_send_message (client->ws,
                                          binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                          bytes);
}

static void
client_expect_error (TestWsClient *client,
                     const char   *code,
                     const char   *ref)
{
  g_autofree char *text = test_ws_client_receive (client);
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = confab_message_parse (text, strlen (text), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_kind (message), ==, CONFAB_MESSAGE_ERROR);
  g_assert_cmpstr (confab_message_get_error_code (message), ==, code);
  g_assert_cmpstr (confab_message_get_error_ref (message), ==, ref);
  g_assert_nonnull (confab_message_get_error_message (message));
}

/* Everything the server sent this client before answering this request
 * has arrived: the reply comes after it on the same stream. */
static void
client_round_trip (TestWsClient *client)
{
  g_autofree char *reply = NULL;

  test_ws_client_send (client, "{\"type\":\"start_transfer\",\"target\":\"round-trip\"}");
  reply = test_ws_client_receive (client);

  /* as a registered client, or as a stranger */
  if (g_strcmp0 (reply, "{\"type\":\"transfer_response\",\"data\":null}") != 0)
    g_assert_cmpstr (reply, ==, "{\"type\":\"error\",\"code\":\"not-registered\","
                                "\"message\":\"Register a name with store_user first\","
                                "\"ref\":\"start_transfer\"}");
}

static TestWsClient *
client_register (Fixture    *fixture,
                 const char *name)
{
  TestWsClient *client = client_connect (fixture);
  g_autofree char *request = g_strdup_printf ("{\"type\":\"store_user\",\"name\":\"%s\"}", name);
  g_autofree char *reply = g_strdup_printf ("{\"type\":\"user_stored\",\"data\":\"%s\"}", name);

  test_ws_client_send (client, request);
  test_ws_client_expect (client, reply);

  return client;
}

static void
fixture_start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_signal_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_true (confab_signal_server_get_running (fixture->server));
  g_assert_cmpuint (confab_signal_server_get_bound_port (fixture->server), >, 0);
  g_assert_cmpuint (confab_signal_server_get_port (fixture->server), ==, 0);

  /* No path, as the mobile app connects. */
  g_free (fixture->url);
  fixture->url = g_strdup_printf ("%s://127.0.0.1:%u",
                                  fixture->certificate != NULL ? "wss" : "ws",
                                  confab_signal_server_get_bound_port (fixture->server));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->server = confab_signal_server_new ();
  /* Tests that are not about the limit send faster than any default. */
  confab_signal_server_set_rate (fixture->server, 0.0);
  fixture->session = soup_session_new ();

  /* Tests that configure the server first start it themselves. */
  if (user_data == NULL)
    fixture_start (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  confab_signal_server_stop (fixture->server);
  g_assert_false (confab_signal_server_get_running (fixture->server));
  g_assert_cmpuint (confab_signal_server_get_bound_port (fixture->server), ==, 0);
  g_assert_cmpuint (confab_signal_hub_get_n_registered (confab_signal_server_get_hub (fixture->server)), ==, 0);

  g_clear_object (&fixture->session);
  g_assert_finalize_object (g_steal_pointer (&fixture->server));
  g_clear_object (&fixture->certificate);
  g_clear_pointer (&fixture->url, g_free);

  /* Let closing streams finish, so that nothing outlives the test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* DESIGN.md's table, byte for byte, over the network. */
static void
test_seed_sequence (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) bob = client_register (fixture, "bob");
  g_autoptr(TestWsClient) intruder = client_connect (fixture);

  test_ws_client_send (intruder, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  test_ws_client_expect (intruder, "{\"type\":\"user_already_exists\",\"data\":\"alice\"}");

  test_ws_client_send (alice, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  test_ws_client_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  test_ws_client_send (bob, "{\"type\":\"start_transfer\",\"name\":\"bob\",\"target\":\"alice\"}");
  test_ws_client_expect (bob, "{\"type\":\"transfer_response\",\"data\":\"alice\"}");
  test_ws_client_send (alice, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"carol\"}");
  test_ws_client_expect (alice, "{\"type\":\"transfer_response\",\"data\":null}");

  test_ws_client_send (alice, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
                      "\"data\":{\"sdp\":\"" SDP_JSON "\",\"type\":\"OFFER\"}}");
  test_ws_client_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"" SDP_JSON "\"}");

  test_ws_client_send (bob, "{\"type\":\"create_answer\",\"name\":\"bob\",\"target\":\"alice\","
                    "\"data\":{\"sdp\":\"" SDP_JSON "\",\"type\":\"ANSWER\"}}");
  test_ws_client_expect (alice, "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"" SDP_JSON "\"}");

  test_ws_client_send (alice, "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\","
                      "\"data\":{\"sdpMLineIndex\":0.0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");
  test_ws_client_expect (bob, "{\"type\":\"ice_candidate\",\"name\":\"alice\","
                      "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");
  test_ws_client_send (bob, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"target\":\"alice\","
                    "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");
  test_ws_client_expect (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\","
                        "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");

  /* and the extensions */
  test_ws_client_send (bob, "{\"type\":\"hang_up\",\"name\":\"bob\",\"target\":\"alice\"}");
  test_ws_client_expect (alice, "{\"type\":\"peer_hung_up\",\"name\":\"bob\"}");
  test_ws_client_send (alice, "{\"type\":\"decline\",\"name\":\"alice\",\"target\":\"bob\"}");
  test_ws_client_expect (bob, "{\"type\":\"offer_declined\",\"name\":\"alice\"}");

  client_round_trip (alice);
  client_round_trip (bob);
  client_round_trip (intruder);
  test_ws_client_assert_silent (alice);
  test_ws_client_assert_silent (bob);
  test_ws_client_assert_silent (intruder);
}

static void
test_impersonation (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) bob = client_register (fixture, "bob");
  g_autoptr(TestWsClient) carol = client_register (fixture, "carol");

  test_ws_client_send (bob, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"carol\","
                    "\"data\":{\"sdp\":\"v=0\",\"type\":\"OFFER\"}}");
  test_ws_client_expect (carol, "{\"type\":\"offer_received\",\"name\":\"bob\",\"data\":\"v=0\"}");

  test_ws_client_send (bob, "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"alice\","
                    "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");
  test_ws_client_expect (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\","
                        "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\",\"sdpCandidate\":\"" CANDIDATE "\"}}");

  test_ws_client_send (bob, "{\"type\":\"create_answer\",\"name\":\"carol\",\"target\":\"alice\","
                    "\"data\":{\"sdp\":\"v=0\",\"type\":\"ANSWER\"}}");
  test_ws_client_expect (alice, "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"v=0\"}");

  client_round_trip (bob);
  client_round_trip (alice);
  client_round_trip (carol);
  test_ws_client_assert_silent (alice);
  test_ws_client_assert_silent (carol);
}

static void
test_before_registering (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(TestWsClient) bob = client_register (fixture, "bob");
  g_autoptr(TestWsClient) stranger = client_connect (fixture);

  test_ws_client_send (stranger, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
                         "\"data\":{\"sdp\":\"v=0\",\"type\":\"OFFER\"}}");
  client_expect_error (stranger, "not-registered", "create_offer");
  test_ws_client_send (stranger, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  client_expect_error (stranger, "not-registered", "start_transfer");
  test_ws_client_send (stranger, "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\","
                         "\"data\":{\"sdpCandidate\":\"" CANDIDATE "\"}}");
  client_expect_error (stranger, "not-registered", "ice_candidate");

  /* Nothing reached bob. */
  client_round_trip (bob);
  test_ws_client_assert_silent (bob);

  test_ws_client_send (stranger, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  test_ws_client_expect (stranger, "{\"type\":\"user_stored\",\"data\":\"alice\"}");
}

static void
test_second_store_user (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) other = NULL;

  test_ws_client_send (alice, "{\"type\":\"store_user\",\"name\":\"mallory\"}");
  client_expect_error (alice, "already-registered", "store_user");
  test_ws_client_send (alice, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  client_expect_error (alice, "already-registered", "store_user");

  other = client_register (fixture, "mallory");
  test_ws_client_send (other, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  test_ws_client_expect (other, "{\"type\":\"transfer_response\",\"data\":\"alice\"}");
}

typedef struct
{
  const char *description;
  const char *frame;     /* NULL: built by the test */
  const char *code;
  const char *ref;
} BadInput;

static const BadInput bad_inputs[] = {
  { "not JSON", "hello", "not-json", NULL },
  { "empty frame", "", "not-json", NULL },
  { "truncated object", "{\"type\":\"store_user\",\"name\":\"al", "not-json", NULL },
  { "truncated after a key", "{\"type\":", "not-json", NULL },
  { "trailing garbage", "{\"type\":\"start_transfer\",\"target\":\"bob\"} x", "not-json", NULL },
  { "invalid escape", "{\"type\":\"store_\\q\"}", "not-json", NULL },
  { "single quotes", "{'type':'store_user'}", "not-json", NULL },
  { "empty array", "[]", "not-object", NULL },
  { "array of messages", "[{\"type\":\"store_user\",\"name\":\"x\"}]", "not-object", NULL },
  { "number", "42", "not-object", NULL },
  { "string", "\"store_user\"", "not-object", NULL },
  { "null", "null", "not-object", NULL },
  { "boolean", "true", "not-object", NULL },
  { "no type", "{}", "missing-field", NULL },
  { "null type", "{\"type\":null}", "missing-field", NULL },
  { "numeric type", "{\"type\":42}", "invalid-field", NULL },
  { "object type", "{\"type\":{\"a\":1}}", "invalid-field", NULL },
  { "unknown type", "{\"type\":\"fly_away\",\"target\":\"bob\"}", "unknown-type", "fly_away" },
  { "empty name", "{\"type\":\"store_user\",\"name\":\"\"}", "name-empty", "store_user" },
  { "numeric name", "{\"type\":\"store_user\",\"name\":7}", "invalid-field", "store_user" },
  { "control character in a name", "{\"type\":\"store_user\",\"name\":\"a\\u0007b\"}", "name-invalid", "store_user" },
  { "newline in a name", "{\"type\":\"store_user\",\"name\":\"a\\nb\"}", "name-invalid", "store_user" },
  { "right-to-left override in a name", "{\"type\":\"store_user\",\"name\":\"a\\u202eb\"}", "name-invalid", "store_user" },
  { "name too long", NULL, "name-too-long", "store_user" },
  { "missing target", "{\"type\":\"start_transfer\",\"name\":\"x\"}", "missing-field", "start_transfer" },
  { "empty target", "{\"type\":\"hang_up\",\"target\":\"\"}", "name-empty", "hang_up" },
  { "missing data", "{\"type\":\"create_offer\",\"target\":\"bob\"}", "missing-field", "create_offer" },
  { "data not an object", "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":\"v=0\"}", "invalid-field", "create_offer" },
  { "missing sdp", "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":{\"type\":\"OFFER\"}}", "missing-field", "create_offer" },
  { "numeric sdp", "{\"type\":\"create_answer\",\"target\":\"bob\",\"data\":{\"sdp\":0}}", "invalid-field", "create_answer" },
  { "string m-line index", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMLineIndex\":\"0\",\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "negative m-line index", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMLineIndex\":-1,\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "huge m-line index", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMLineIndex\":1e400,\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "huge integer", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMLineIndex\":123456789012345678901234567890,\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "fractional m-line index", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMLineIndex\":0.5,\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "numeric sdpMid", "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpMid\":0,\"sdpCandidate\":\"c\"}}", "invalid-field", "ice_candidate" },
  { "candidate without target", "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"data\":{\"sdpCandidate\":\"c\"}}", "missing-field", "ice_candidate" },
  { "deep nesting of arrays", NULL, "too-deep", NULL },
  { "deep nesting of objects", NULL, "too-deep", NULL },
  { "a megabyte string", NULL, "frame-too-large", NULL },
  { "lone high surrogate", "{\"type\":\"store_user\",\"name\":\"\\ud800\"}", "invalid-utf8", NULL },
  { "lone low surrogate", "{\"type\":\"hang_up\",\"target\":\"\\udc00x\"}", "invalid-utf8", NULL },
  { "escaped NUL", "{\"type\":\"store_user\",\"name\":\"a\\u0000b\"}", "invalid-field", NULL },
  { "raw NUL byte", NULL, "not-json", NULL },
  { "binary frame", NULL, "binary-frame", NULL },
  { "server message user_stored", "{\"type\":\"user_stored\",\"data\":\"alice\"}", "unexpected-type", "user_stored" },
  { "server message offer_received", "{\"type\":\"offer_received\",\"name\":\"x\",\"data\":\"v=0\"}", "unexpected-type", "offer_received" },
  { "server message transfer_response", "{\"type\":\"transfer_response\",\"data\":null}", "unexpected-type", "transfer_response" },
  { "unknown target", "{\"type\":\"create_offer\",\"target\":\"nobody\",\"data\":{\"sdp\":\"v=0\"}}", "unknown-target", "create_offer" },
  { "second store_user", "{\"type\":\"store_user\",\"name\":\"victim2\"}", "already-registered", "store_user" },
};

static void
send_bad_input (TestWsClient   *client,
                const BadInput *input)
{
  g_autofree char *built = NULL;
  g_autoptr(GString) nested = NULL;

  if (input->frame != NULL)
    {
      test_ws_client_send (client, input->frame);
      return;
    }

  if (strcmp (input->description, "name too long") == 0)
    {
      g_autofree char *name = g_strnfill (65, 'n');

      built = g_strdup_printf ("{\"type\":\"store_user\",\"name\":\"%s\"}", name);
      test_ws_client_send (client, built);
    }
  else if (strcmp (input->description, "deep nesting of arrays") == 0)
    {
      nested = g_string_new ("{\"type\":\"store_user\",\"name\":\"x\",\"x\":");
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (nested, '[');
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (nested, ']');
      g_string_append_c (nested, '}');
      test_ws_client_send (client, nested->str);
    }
  else if (strcmp (input->description, "deep nesting of objects") == 0)
    {
      nested = g_string_new (NULL);
      for (guint i = 0; i < 10000; i++)
        g_string_append (nested, "{\"a\":");
      g_string_append (nested, "1");
      for (guint i = 0; i < 10000; i++)
        g_string_append_c (nested, '}');
      test_ws_client_send (client, nested->str);
    }
  else if (strcmp (input->description, "a megabyte string") == 0)
    {
      nested = g_string_new ("{\"type\":\"store_user\",\"name\":\"");
      for (guint i = 0; i < 1000000; i++)
        g_string_append_c (nested, 'a');
      g_string_append (nested, "\"}");
      test_ws_client_send (client, nested->str);
    }
  else if (strcmp (input->description, "raw NUL byte") == 0)
    {
      static const char frame[] = "{\"type\":\"store_user\",\"name\":\"a\0b\"}";

      client_send_raw (client, frame, sizeof frame - 1, FALSE);
    }
  else if (strcmp (input->description, "binary frame") == 0)
    {
      static const char frame[] = "{\"type\":\"start_transfer\",\"target\":\"bob\"}";

      client_send_raw (client, frame, sizeof frame - 1, TRUE);
    }
  else
    g_assert_not_reached ();
}

/* Every bad input gets its error on the connection that sent it, which
 * carries on; nobody else hears a thing. */
static void
test_bad_inputs (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(TestWsClient) victim = client_register (fixture, "victim");
  g_autoptr(TestWsClient) bystander = client_register (fixture, "bystander");
  g_autoptr(TestWsClient) good = NULL;
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (confab_signal_server_get_hub (fixture->server));

  g_assert_cmpuint (G_N_ELEMENTS (bad_inputs), >=, 30);

  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_test_message ("bad input %u: %s", i, bad_inputs[i].description);
      send_bad_input (victim, &bad_inputs[i]);
      client_expect_error (victim, bad_inputs[i].code, bad_inputs[i].ref);
      g_assert_false (victim->closed);
      g_hash_table_add (codes, (gpointer) bad_inputs[i].code);
    }

  g_assert_cmpuint (g_hash_table_size (codes), >=, 15);
  g_assert_cmpuint (confab_signal_metrics_get_errors (metrics, CONFAB_PROTOCOL_ERROR_NOT_JSON), >=, 7);

  client_round_trip (bystander);
  test_ws_client_assert_silent (bystander);

  /* The battered connection still relays, and a newcomer registers. */
  test_ws_client_send (victim, "{\"type\":\"create_offer\",\"target\":\"bystander\",\"data\":{\"sdp\":\"v=0\"}}");
  test_ws_client_expect (bystander, "{\"type\":\"offer_received\",\"name\":\"victim\",\"data\":\"v=0\"}");

  good = client_register (fixture, "good");
  test_ws_client_send (good, "{\"type\":\"hang_up\",\"target\":\"victim\"}");
  test_ws_client_expect (victim, "{\"type\":\"peer_hung_up\",\"name\":\"good\"}");
  test_ws_client_assert_silent (victim);
}

/* A websocket client by hand, for what libsoup's client will not do:
 * send invalid UTF-8, or fall silent without answering pings. */
typedef struct
{
  GSocketConnection *connection;
  GByteArray        *input;
  gboolean           done;
  GError            *error;
} RawClient;

static void
raw_connect_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  RawClient *raw = user_data;

  raw->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result,
                                                            &raw->error);
  raw->done = TRUE;
}

static void
raw_write_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RawClient *raw = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &raw->error);
  raw->done = TRUE;
}

static void
raw_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawClient *raw = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result,
                                                              &raw->error);

  if (bytes != NULL)
    g_byte_array_append (raw->input, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  raw->done = TRUE;
}

static void
raw_write (RawClient  *raw,
           const void *data,
           gsize       length)
{
  raw->done = FALSE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (raw->connection)),
                                   data, length, G_PRIORITY_DEFAULT, NULL, raw_write_cb, raw);
  test_wait_for ("a raw write", raw->done);
  g_assert_no_error (raw->error);
}

static gboolean
bytes_contain (GByteArray *bytes,
               const char *needle)
{
  gsize length = strlen (needle);

  for (gsize i = 0; i + length <= bytes->len; i++)
    if (memcmp (bytes->data + i, needle, length) == 0)
      return TRUE;

  return FALSE;
}

/* Reads until @needle is in the input. */
static void
raw_read_until (RawClient  *raw,
                const char *needle)
{
  while (!bytes_contain (raw->input, needle))
    {
      raw->done = FALSE;
      g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (raw->connection)),
                                       4096, G_PRIORITY_DEFAULT, NULL, raw_read_cb, raw);
      test_wait_for ("a raw read", raw->done);
      g_assert_no_error (raw->error);
    }
}

static void
raw_connect (Fixture   *fixture,
             RawClient *raw)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  static const char request[] =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

  raw->input = g_byte_array_new ();
  raw->done = FALSE;
  g_socket_client_connect_to_host_async (socket_client, "127.0.0.1",
                                         confab_signal_server_get_bound_port (fixture->server),
                                         NULL, raw_connect_cb, raw);
  test_wait_for ("a raw connection", raw->done);
  g_assert_no_error (raw->error);

  raw_write (raw, request, sizeof request - 1);
  raw_read_until (raw, "\r\n\r\n");
  g_assert_true (g_str_has_prefix ((const char *) raw->input->data, "HTTP/1.1 101"));
  g_byte_array_set_size (raw->input, 0);
}

/* One masked text frame, with a zero mask: the payload goes as it is. */
static void
raw_send_text (RawClient  *raw,
               const char *payload,
               gsize       length)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  const guint8 header[] = { 0x81, 0x80 | length, 0, 0, 0, 0 };

  g_assert_cmpuint (length, <, 126);
  g_byte_array_append (frame, header, sizeof header);
  g_byte_array_append (frame, (const guint8 *) payload, length);
  raw_write (raw, frame->data, frame->len);
}

static void
raw_close (RawClient *raw)
{
  g_io_stream_close (G_IO_STREAM (raw->connection), NULL, NULL);
  g_clear_object (&raw->connection);
  g_clear_pointer (&raw->input, g_byte_array_unref);
  g_clear_error (&raw->error);
}

/* Any frame, masked with @key (NULL: sent unmasked, as no client may),
 * written at once or, with @trickle, a byte a write. */
static void
raw_send_frame (RawClient    *raw,
                guint8        first,
                const void   *payload,
                gsize         length,
                const guint8 *key,
                gboolean      trickle)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[4] = { first, (key != NULL ? 0x80 : 0) };
  gsize header_length = 2;

  if (length < 126)
    header[1] |= length;
  else
    {
      g_assert_cmpuint (length, <=, G_MAXUINT16);
      header[1] |= 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  g_byte_array_append (frame, header, header_length);
  if (key != NULL)
    g_byte_array_append (frame, key, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = ((const guint8 *) payload)[i] ^ (key != NULL ? key[i % 4] : 0);

      g_byte_array_append (frame, &byte, 1);
    }

  if (!trickle)
    raw_write (raw, frame->data, frame->len);
  else
    for (guint i = 0; i < frame->len; i++)
      raw_write (raw, frame->data + i, 1);
}

/* The websocket framing a client may use, by hand: real masks, 16-bit
 * lengths, a message in fragments with a ping between them, a frame
 * trickled a byte at a time; then the one thing it may not do, an
 * unmasked frame, which closes it (1002) and frees its name. */
static void
test_raw_framing (Fixture       *fixture,
                  gconstpointer  user_data)
{
  static const char store_user[] = "{\"type\":\"store_user\",\"name\":\"framer\"}";
  static const char hang_up[] = "{\"type\":\"hang_up\",\"target\":\"peer\"}";
  static const char expected[] = "{\"type\":\"peer_hung_up\",\"name\":\"framer\"}";
  static const guint8 key[4] = { 0x12, 0x34, 0x56, 0x78 };
  /* unmasked from the server: a pong with the ping's payload, and a
   * close frame with code 1002 */
  static const guint8 pong[] = { 0x8a, 0x04, 'p', 'i', 'n', 'g' };
  static const guint8 close_1002[] = { 0x88, 0x02, 0x03, 0xea };
  g_autoptr(TestWsClient) peer = client_register (fixture, "peer");
  g_autofree char *padding = g_strnfill (300, ' ');
  g_autofree char *long_hang_up = g_strdup_printf ("%s%s", hang_up, padding);
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);
  RawClient raw = { 0 };
  gsize half = 16;

  raw_connect (fixture, &raw);
  raw_send_frame (&raw, 0x81, store_user, sizeof store_user - 1, key, FALSE);
  raw_read_until (&raw, "user_stored");
  g_byte_array_set_size (raw.input, 0);

  /* A 16-bit length: JSON may end in spaces. */
  raw_send_frame (&raw, 0x81, long_hang_up, strlen (long_hang_up), key, FALSE);
  test_ws_client_expect (peer, expected);

  /* Text in two fragments, a ping between them answered at once */
  raw_send_frame (&raw, 0x01, hang_up, half, key, FALSE);
  raw_send_frame (&raw, 0x89, "ping", 4, key, FALSE);
  while (raw.input->len < sizeof pong)
    raw_read_until (&raw, "ping");
  g_assert_cmpmem (raw.input->data, sizeof pong, pong, sizeof pong);
  g_byte_array_set_size (raw.input, 0);
  raw_send_frame (&raw, 0x80, hang_up + half, sizeof hang_up - 1 - half, key, FALSE);
  test_ws_client_expect (peer, expected);

  raw_send_frame (&raw, 0x81, hang_up, sizeof hang_up - 1, key, TRUE);
  test_ws_client_expect (peer, expected);
  test_ws_client_assert_silent (peer);

  raw_send_frame (&raw, 0x81, hang_up, sizeof hang_up - 1, NULL, FALSE);
  while (raw.input->len < sizeof close_1002)
    raw_read_until (&raw, "\x88");
  g_assert_cmpmem (raw.input->data, sizeof close_1002, close_1002, sizeof close_1002);
  test_wait_for ("the name to be freed", confab_signal_hub_lookup (hub, "framer") == NULL);
  test_ws_client_assert_silent (peer);

  raw_close (&raw);
}

/* Invalid UTF-8 in a text frame breaks RFC 6455: the websocket layer
 * closes the connection itself (1007) before the hub sees the frame.  Nobody
 * else notices, and the name is free again. */
static void
test_invalid_utf8 (Fixture       *fixture,
                   gconstpointer  user_data)
{
  static const char store_user[] = "{\"type\":\"store_user\",\"name\":\"bad\"}";
  static const char frame[] = "{\"type\":\"hang_up\",\"target\":\"b\xff\xfe\"}";
  /* a close frame, unmasked from the server, code 1007 */
  static const guint8 close_1007[] = { 0x88, 0x02, 0x03, 0xef };
  g_autoptr(TestWsClient) bystander = client_register (fixture, "bystander");
  g_autoptr(TestWsClient) again = NULL;
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);
  RawClient raw = { 0 };

  raw_connect (fixture, &raw);
  raw_send_text (&raw, store_user, sizeof store_user - 1);
  raw_read_until (&raw, "user_stored");
  g_assert_nonnull (confab_signal_hub_lookup (hub, "bad"));
  g_byte_array_set_size (raw.input, 0);

  raw_send_text (&raw, frame, sizeof frame - 1);
  while (raw.input->len < sizeof close_1007)
    raw_read_until (&raw, "\x88");
  g_assert_cmpmem (raw.input->data, sizeof close_1007, close_1007, sizeof close_1007);

  test_wait_for ("the name to be freed", confab_signal_hub_lookup (hub, "bad") == NULL);
  client_round_trip (bystander);
  test_ws_client_assert_silent (bystander);
  again = client_register (fixture, "bad");

  raw_close (&raw);
}

/* Over max-frame: an error, and the connection goes on.  Over sixteen
 * times max-frame: the server does not read it and drops the connection
 * (1009). */
static void
test_frame_limits (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = NULL;
  g_autoptr(TestWsClient) bob = NULL;
  g_autofree char *padding = g_strnfill (3000, ' ');
  g_autofree char *large = g_strdup_printf ("{\"type\":\"hang_up\",\"target\":\"bob\"}%s", padding);
  g_autofree char *huge_padding = g_strnfill (20000, ' ');
  g_autofree char *huge = g_strdup_printf ("{\"type\":\"hang_up\",\"target\":\"bob\"}%s", huge_padding);
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);

  confab_signal_server_set_max_frame (fixture->server, 1024);
  g_assert_cmpuint (confab_signal_server_get_max_frame (fixture->server), ==, 1024);
  fixture_start (fixture);

  alice = client_register (fixture, "alice");
  bob = client_register (fixture, "bob");

  test_ws_client_send (alice, large);
  client_expect_error (alice, "frame-too-large", NULL);
  test_ws_client_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  test_ws_client_expect (bob, "{\"type\":\"peer_hung_up\",\"name\":\"alice\"}");

  test_ws_client_send (alice, huge);
  test_ws_client_wait_closed (alice);
  test_wait_for ("the name to be freed", confab_signal_hub_lookup (hub, "alice") == NULL);
  client_round_trip (bob);
  test_ws_client_assert_silent (bob);
}

static void
test_disconnect_frees_name (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) bob = client_register (fixture, "bob");
  g_autoptr(TestWsClient) again = NULL;
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);

  soup_websocket_connection_close (alice->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  test_ws_client_wait_closed (alice);
  test_wait_for ("the server to see alice go", confab_signal_server_get_n_clients (fixture->server) == 1);
  g_assert_null (confab_signal_hub_lookup (hub, "alice"));

  test_ws_client_send (bob, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  test_ws_client_expect (bob, "{\"type\":\"transfer_response\",\"data\":null}");

  again = client_register (fixture, "alice");
  test_ws_client_send (bob, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  test_ws_client_expect (bob, "{\"type\":\"transfer_response\",\"data\":\"alice\"}");
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(TestWsClient) flooder = NULL;
  g_autoptr(TestWsClient) calm = NULL;
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);

  /* One token every three hours: nothing refills during the test. */
  confab_signal_server_set_rate (fixture->server, 0.0001);
  confab_signal_server_set_burst (fixture->server, 5);
  fixture_start (fixture);

  flooder = client_register (fixture, "flooder");
  calm = client_register (fixture, "calm");

  for (guint i = 0; i < 4; i++)
    client_round_trip (flooder);

  /* The sixth frame is refused with a warning; the flood goes on and the
   * server closes the connection with a policy violation. */
  for (guint i = 0; i < 50; i++)
    test_ws_client_send (flooder, "{\"type\":\"hang_up\",\"target\":\"calm\"}");
  client_expect_error (flooder, "rate-limited", NULL);
  test_ws_client_wait_closed (flooder);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (flooder->ws), ==, 1008);
  test_ws_client_assert_silent (flooder);

  g_assert_null (confab_signal_hub_lookup (hub, "flooder"));
  client_round_trip (calm);
  test_ws_client_assert_silent (calm);
}

static void
test_max_clients (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(TestWsClient) first = NULL;
  g_autoptr(TestWsClient) second = NULL;
  g_autoptr(TestWsClient) refused = NULL;
  g_autoptr(TestWsClient) later = NULL;
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (confab_signal_server_get_hub (fixture->server));

  confab_signal_server_set_max_clients (fixture->server, 2);
  g_assert_cmpuint (confab_signal_server_get_max_clients (fixture->server), ==, 2);
  fixture_start (fixture);

  first = client_register (fixture, "first");
  second = client_connect (fixture);

  /* The third learns why, then is closed. */
  refused = client_connect (fixture);
  client_expect_error (refused, "server-full", NULL);
  test_ws_client_wait_closed (refused);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (refused->ws), ==, 1008);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (refused->ws), ==, "Server full");
  g_assert_cmpuint (confab_signal_metrics_get_errors (metrics, CONFAB_PROTOCOL_ERROR_SERVER_FULL), ==, 1);

  /* The others are unaffected, and a place that frees up is taken. */
  client_round_trip (first);
  soup_websocket_connection_close (second->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  test_ws_client_wait_closed (second);
  test_wait_for ("the server to see a client go", confab_signal_server_get_n_clients (fixture->server) == 1);
  later = client_register (fixture, "later");
  test_ws_client_send (later, "{\"type\":\"hang_up\",\"target\":\"first\"}");
  test_ws_client_expect (first, "{\"type\":\"peer_hung_up\",\"name\":\"later\"}");
}

/* A client that vanished without a FIN answers no ping: the keepalive
 * sweep closes it and frees its name.  Its socket stays open; it just
 * stops reading, as a dead peer would. */
static void
test_keepalive_reaps_dead_clients (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  static const char store_user[] = "{\"type\":\"store_user\",\"name\":\"ghost\"}";
  g_autoptr(TestWsClient) alive = NULL;
  g_autoptr(TestWsClient) heir = NULL;
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);
  RawClient raw = { 0 };

  confab_signal_server_set_keepalive_interval (fixture->server, 1);
  g_assert_cmpuint (confab_signal_server_get_keepalive_interval (fixture->server), ==, 1);
  fixture_start (fixture);

  raw_connect (fixture, &raw);
  raw_send_text (&raw, store_user, sizeof store_user - 1);
  raw_read_until (&raw, "user_stored");
  g_assert_nonnull (confab_signal_hub_lookup (hub, "ghost"));

  /* A live client answers the pings meanwhile and is kept. */
  alive = client_register (fixture, "alive");

  test_wait_for ("the dead client to be reaped", confab_signal_hub_lookup (hub, "ghost") == NULL);
  heir = client_register (fixture, "ghost");

  client_round_trip (alive);
  g_assert_nonnull (confab_signal_hub_lookup (hub, "alive"));

  raw_close (&raw);
}

static void
test_shutdown_sends_close_frames (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) bob = client_connect (fixture);
  g_autoptr(TestWsClient) late = NULL;
  g_autofree char *url = g_strdup (fixture->url);
  g_autoptr(GError) error = NULL;

  confab_signal_server_stop (fixture->server);
  g_assert_false (confab_signal_server_get_running (fixture->server));

  test_ws_client_wait_closed (alice);
  test_ws_client_wait_closed (bob);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (alice->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (bob->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  test_wait_for ("the connections to finish closing", confab_signal_server_get_n_clients (fixture->server) == 0);

  /* Nobody listens any more. */
  late = client_try_connect (fixture, url);
  g_assert_nonnull (late->error);

  /* and it starts again */
  g_assert_true (confab_signal_server_start (fixture->server, &error));
  g_assert_no_error (error);
}

static void
http_get_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GBytes **body = user_data;
  g_autoptr(GError) error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
}

static char *
http_get (Fixture     *fixture,
          const char  *path,
          guint       *status,
          char       **content_type)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  url = g_strdup_printf ("%s://127.0.0.1:%u%s",
                         fixture->certificate != NULL ? "https" : "http",
                         confab_signal_server_get_bound_port (fixture->server), path);
  msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (test_accept_certificate_cb),
                    fixture->certificate);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, http_get_cb, &body);
  test_wait_for ("an HTTP response", body != NULL);

  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                            "Content-Type"));

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_healthz_and_metrics (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = client_register (fixture, "alice");
  g_autoptr(TestWsClient) bob = client_register (fixture, "bob");
  g_autoptr(TestWsClient) stranger = client_connect (fixture);
  g_autofree char *health = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *root = NULL;
  guint status;

  health = http_get (fixture, "/healthz", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (health, ==, "ok\n");

  test_ws_client_send (alice, "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":{\"sdp\":\"v=0\"}}");
  test_ws_client_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\"}");
  test_ws_client_send (stranger, "garbage");
  client_expect_error (stranger, "not-json", NULL);

  metrics = http_get (fixture, "/metrics", &status, &content_type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "text/plain; version=0.0.4"));
  g_assert_true (strstr (metrics, "\nconfab_signal_clients_connected 3\n") != NULL);
  g_assert_true (strstr (metrics, "\nconfab_signal_clients_registered 2\n") != NULL);
  g_assert_true (strstr (metrics, "\nconfab_signal_messages_received_total{type=\"store_user\"} 2\n") != NULL);
  g_assert_true (strstr (metrics, "\nconfab_signal_messages_relayed_total{type=\"offer_received\"} 1\n") != NULL);
  g_assert_true (strstr (metrics, "\nconfab_signal_errors_total{code=\"not-json\"} 1\n") != NULL);
  g_assert_true (strstr (metrics, "# TYPE confab_signal_errors_total counter\n") != NULL);

  missing = http_get (fixture, "/nothing-here", &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  root = http_get (fixture, "/", &status, NULL);
  g_assert_cmpuint (status, ==, 426);
}

static void
make_certificate (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("confab-tls-XXXXXX", &error);
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GSubprocess) openssl = NULL;

  g_assert_no_error (error);
  cert = g_build_filename (dir, "cert.pem", NULL);
  key = g_build_filename (dir, "key.pem", NULL);

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "openssl", "req", "-x509", "-newkey", "ec",
                              "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "36500",
                              "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  g_assert_no_error (error);

  fixture->certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);

  g_remove (cert);
  g_remove (key);
  g_rmdir (dir);
}

static void
test_tls (Fixture       *fixture,
          gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = NULL;
  g_autoptr(TestWsClient) bob = NULL;
  g_autoptr(TestWsClient) plain = NULL;
  g_autofree char *plain_url = NULL;
  g_autofree char *health = NULL;
  guint status;

#ifdef __SANITIZE_ADDRESS__
  /* After a TLS handshake, GIO's idle worker threads hold gnutls's
   * dynamic thread-local storage, and LeakSanitizer (GCC 12, glibc 2.36)
   * crashes reading it at exit, failing the whole executable.  The
   * ordinary build runs this test. */
  g_test_skip ("LeakSanitizer crashes on gnutls's thread-local storage");
  return;
#endif

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  make_certificate (fixture);
  confab_signal_server_set_tls_certificate (fixture->server, fixture->certificate);
  g_assert_true (confab_signal_server_get_tls_certificate (fixture->server) == fixture->certificate);
  fixture_start (fixture);
  g_assert_true (g_str_has_prefix (fixture->url, "wss://"));

  alice = client_register (fixture, "alice");
  bob = client_register (fixture, "bob");
  test_ws_client_send (alice, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
                      "\"data\":{\"sdp\":\"" SDP_JSON "\",\"type\":\"OFFER\"}}");
  test_ws_client_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"" SDP_JSON "\"}");

  health = http_get (fixture, "/healthz", &status, NULL);
  g_assert_cmpuint (status, ==, 200);

  /* Plain ws:// gets nowhere on a TLS port. */
  plain_url = g_strdup_printf ("ws://127.0.0.1:%u", confab_signal_server_get_bound_port (fixture->server));
  plain = client_try_connect (fixture, plain_url);
  g_assert_nonnull (plain->error);
}

static gboolean
set_true_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

/* wss:// connections have a transport of their own (libsoup's): the
 * rules the server applies to every connection hold there too.  A full
 * server refuses with a reason, live clients are pinged and kept past
 * several keepalive sweeps, and shutting down sends close frames. */
static void
test_tls_transport (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(TestWsClient) alice = NULL;
  g_autoptr(TestWsClient) bob = NULL;
  g_autoptr(TestWsClient) refused = NULL;
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);
  gboolean waited = FALSE;

#ifdef __SANITIZE_ADDRESS__
  /* The same LeakSanitizer crash as in test_tls */
  g_test_skip ("LeakSanitizer crashes on gnutls's thread-local storage");
  return;
#endif

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  make_certificate (fixture);
  confab_signal_server_set_tls_certificate (fixture->server, fixture->certificate);
  confab_signal_server_set_max_clients (fixture->server, 2);
  confab_signal_server_set_keepalive_interval (fixture->server, 1);
  fixture_start (fixture);

  alice = client_register (fixture, "alice");
  bob = client_register (fixture, "bob");

  refused = client_connect (fixture);
  client_expect_error (refused, "server-full", NULL);
  test_ws_client_wait_closed (refused);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (refused->ws), ==, 1008);
  g_assert_cmpstr (soup_websocket_connection_get_close_data (refused->ws), ==, "Server full");

  /* Unanswered pings would have them reaped after two intervals. */
  g_timeout_add_seconds (4, set_true_cb, &waited);
  test_wait_for ("four keepalive intervals", waited);
  g_assert_nonnull (confab_signal_hub_lookup (hub, "alice"));
  g_assert_nonnull (confab_signal_hub_lookup (hub, "bob"));
  test_ws_client_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  test_ws_client_expect (bob, "{\"type\":\"peer_hung_up\",\"name\":\"alice\"}");

  confab_signal_server_stop (fixture->server);
  test_ws_client_wait_closed (alice);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (alice->ws), ==,
                    SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  test_wait_for ("the connections to finish closing", confab_signal_server_get_n_clients (fixture->server) == 0);
}

static void
test_properties (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(ConfabSignalServer) server = confab_signal_server_new ();
  g_autoptr(ConfabSignalHub) hub = NULL;
  g_autofree char *host = NULL;
  guint port, max_frame, burst, keepalive, n_clients;
  double rate;
  gboolean running;

  g_object_get (server,
                "host", &host,
                "port", &port,
                "max-frame", &max_frame,
                "rate", &rate,
                "burst", &burst,
                "keepalive-interval", &keepalive,
                "n-clients", &n_clients,
                "running", &running,
                "hub", &hub,
                NULL);
  g_assert_null (host);
  g_assert_cmpuint (port, ==, 3000);
  g_assert_cmpuint (max_frame, ==, 64 * 1024);
  g_assert_cmpfloat (rate, >, 0.0);
  g_assert_cmpuint (burst, >, 0);
  g_assert_cmpuint (keepalive, >, 0);
  g_assert_cmpuint (n_clients, ==, 0);
  g_assert_false (running);
  g_assert_true (hub == confab_signal_server_get_hub (server));
}

static void
test_port_in_use (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(ConfabSignalServer) second = confab_signal_server_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (confab_signal_server_listen (second, "127.0.0.1",
                                               confab_signal_server_get_bound_port (fixture->server),
                                               &error));
  g_assert_nonnull (error);
  g_assert_false (confab_signal_server_get_running (second));
}

int
main (int   argc,
      char *argv[])
{
  /* Straight to 127.0.0.1: the system's proxy settings are not the test's
   * business (and GNOME's proxy module aborts where its GSettings schema is
   * missing).  No G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks the strings
   * it sets per test, which the sanitizer run would report. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/signal-server/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
/* Tests that configure the server before it starts. */
#define ADD_UNSTARTED(path, func) \
  g_test_add ("/signal-server/" path, Fixture, "unstarted", fixture_set_up, func, fixture_tear_down)

  ADD ("seed-sequence", test_seed_sequence);
  ADD ("impersonation", test_impersonation);
  ADD ("before-registering", test_before_registering);
  ADD ("second-store-user", test_second_store_user);
  ADD ("bad-inputs", test_bad_inputs);
  ADD ("invalid-utf8", test_invalid_utf8);
  ADD ("raw-framing", test_raw_framing);
  ADD_UNSTARTED ("frame-limits", test_frame_limits);
  ADD ("disconnect-frees-name", test_disconnect_frees_name);
  ADD_UNSTARTED ("rate-limit", test_rate_limit);
  ADD_UNSTARTED ("max-clients", test_max_clients);
  ADD_UNSTARTED ("keepalive-reaps-dead-clients", test_keepalive_reaps_dead_clients);
  ADD ("shutdown-sends-close-frames", test_shutdown_sends_close_frames);
  ADD ("healthz-and-metrics", test_healthz_and_metrics);
  ADD_UNSTARTED ("tls", test_tls);
  ADD_UNSTARTED ("tls-transport", test_tls_transport);
  ADD_UNSTARTED ("properties", test_properties);
  ADD ("port-in-use", test_port_in_use);

#undef ADD
#undef ADD_UNSTARTED

  return g_test_run ();
}
