/* test-signal-hub.c: the routing, driven without sockets
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-message.h"
#include "confab-signal-hub.h"

/* An SDP as the mobile app sends it, JSON-escaped. */
#define SDP_JSON "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n" \
                 "a=group:BUNDLE 0\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\n" \
                 "c=IN IP4 0.0.0.0\\r\\na=mid:0\\r\\n"

typedef struct _Fixture Fixture;

/* A connection as the hub sees it: what it was sent, how it was closed. */
typedef struct
{
  Fixture               *fixture;
  ConfabSignalHubClient *client;
  GPtrArray             *received;
  gushort                close_code;
  char                  *close_reason;
  /* The endpoint dies when written to, as a socket may. */
  gboolean               remove_on_send;
} Fake;

struct _Fixture
{
  ConfabSignalHub *hub;
  GPtrArray       *fakes;
};

static void
fake_send_text (gpointer    user_data,
                const char *text,
                gsize       length)
{
  Fake *fake = user_data;

  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_utf8_validate (text, length, NULL));
  g_assert_false (fake->client == NULL);
  g_ptr_array_add (fake->received, g_strndup (text, length));

  if (fake->remove_on_send)
    confab_signal_hub_remove_client (fake->fixture->hub, g_steal_pointer (&fake->client));
}

static void
fake_close (gpointer    user_data,
            gushort     code,
            const char *reason)
{
  Fake *fake = user_data;

  g_assert_cmpuint (fake->close_code, ==, 0);
  fake->close_code = code;
  fake->close_reason = g_strdup (reason);
}

static const ConfabSignalEndpointFuncs fake_funcs = {
  .send_text = fake_send_text,
  .close = fake_close,
};

static void
fake_free (Fake *fake)
{
  if (fake->client != NULL)
    confab_signal_hub_remove_client (fake->fixture->hub, fake->client);
  g_ptr_array_unref (fake->received);
  g_free (fake->close_reason);
  g_free (fake);
}

static Fake *
fake_new (Fixture *fixture)
{
  Fake *fake = g_new0 (Fake, 1);

  fake->fixture = fixture;
  fake->received = g_ptr_array_new_with_free_func (g_free);
  fake->client = confab_signal_hub_add_client (fixture->hub, &fake_funcs, fake);
  g_ptr_array_add (fixture->fakes, fake);

  return fake;
}

static void
fake_disconnect (Fake *fake)
{
  confab_signal_hub_remove_client (fake->fixture->hub, g_steal_pointer (&fake->client));
}

static void
fake_send (Fake       *fake,
           const char *text)
{
  confab_signal_hub_handle_frame (fake->fixture->hub, fake->client, text, strlen (text), FALSE);
}

static void
fake_expect (Fake       *fake,
             const char *expected)
{
  g_assert_cmpuint (fake->received->len, >, 0);
  g_assert_cmpstr (g_ptr_array_index (fake->received, 0), ==, expected);
  g_ptr_array_remove_index (fake->received, 0);
}

/* The next reply is an error with @code (and @ref, when not NULL). */
static void
fake_expect_error (Fake       *fake,
                   const char *code,
                   const char *ref)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;

  g_assert_cmpuint (fake->received->len, >, 0);
  text = g_ptr_array_index (fake->received, 0);
  message = confab_message_parse (text, strlen (text), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_message_get_kind (message), ==, CONFAB_MESSAGE_ERROR);
  g_assert_cmpstr (confab_message_get_error_code (message), ==, code);
  g_assert_nonnull (confab_message_get_error_message (message));
  g_assert_cmpstr (confab_message_get_error_message (message), !=, "");
  if (ref != NULL)
    g_assert_cmpstr (confab_message_get_error_ref (message), ==, ref);
  g_ptr_array_remove_index (fake->received, 0);
}

static void
fake_assert_silent (Fake *fake)
{
  if (fake->received->len > 0)
    g_error ("Unexpected message: %s", (char *) g_ptr_array_index (fake->received, 0));
}

static Fake *
fake_register (Fixture    *fixture,
               const char *name)
{
  Fake *fake = fake_new (fixture);
  g_autofree char *request = g_strdup_printf ("{\"type\":\"store_user\",\"name\":\"%s\"}", name);
  g_autofree char *reply = g_strdup_printf ("{\"type\":\"user_stored\",\"data\":\"%s\"}", name);

  fake_send (fake, request);
  fake_expect (fake, reply);

  return fake;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->hub = confab_signal_hub_new ();
  /* Tests that are not about the limit send faster than any default. */
  confab_signal_hub_set_rate (fixture->hub, 0.0);
  fixture->fakes = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  for (guint i = 0; i < fixture->fakes->len; i++)
    fake_assert_silent (g_ptr_array_index (fixture->fakes, i));

  g_clear_pointer (&fixture->fakes, g_ptr_array_unref);
  g_assert_cmpuint (confab_signal_hub_get_n_clients (fixture->hub), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&fixture->hub));
}

/* DESIGN.md's table, byte for byte. */
static void
test_seed_sequence (Fixture       *fixture,
                    gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");
  Fake *intruder = fake_new (fixture);

  fake_send (intruder, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  fake_expect (intruder, "{\"type\":\"user_already_exists\",\"data\":\"alice\"}");

  fake_send (alice, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  fake_send (bob, "{\"type\":\"start_transfer\",\"name\":\"bob\",\"target\":\"alice\"}");
  fake_expect (bob, "{\"type\":\"transfer_response\",\"data\":\"alice\"}");
  fake_send (alice, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"carol\"}");
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":null}");

  fake_send (alice, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"bob\","
                    "\"data\":{\"sdp\":\"" SDP_JSON "\",\"type\":\"OFFER\"}}");
  fake_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"" SDP_JSON "\"}");

  fake_send (bob, "{\"type\":\"create_answer\",\"name\":\"bob\",\"target\":\"alice\","
                  "\"data\":{\"sdp\":\"" SDP_JSON "\",\"type\":\"ANSWER\"}}");
  fake_expect (alice, "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"" SDP_JSON "\"}");

  /* The mobile app sends the index as a double. */
  fake_send (alice, "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\","
                    "\"data\":{\"sdpMLineIndex\":0.0,\"sdpMid\":\"0\","
                    "\"sdpCandidate\":\"candidate:1 1 UDP 2122252543 192.168.1.10 54321 typ host\"}}");
  fake_expect (bob, "{\"type\":\"ice_candidate\",\"name\":\"alice\","
                    "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\","
                    "\"sdpCandidate\":\"candidate:1 1 UDP 2122252543 192.168.1.10 54321 typ host\"}}");
  fake_send (bob, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"target\":\"alice\","
                  "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\","
                  "\"sdpCandidate\":\"candidate:2 1 UDP 2122252543 192.168.1.11 40000 typ host\"}}");
  fake_expect (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\","
                      "\"data\":{\"sdpMLineIndex\":0,\"sdpMid\":\"0\","
                      "\"sdpCandidate\":\"candidate:2 1 UDP 2122252543 192.168.1.11 40000 typ host\"}}");

  g_assert_true (confab_signal_hub_lookup (fixture->hub, "alice") == alice->client);
  g_assert_cmpstr (confab_signal_hub_client_get_name (bob->client), ==, "bob");
  g_assert_null (confab_signal_hub_client_get_name (intruder->client));
  g_assert_true (confab_signal_hub_client_get_user_data (bob->client) == bob);
  g_assert_cmpuint (confab_signal_hub_get_n_clients (fixture->hub), ==, 3);
  g_assert_cmpuint (confab_signal_hub_get_n_registered (fixture->hub), ==, 2);
}

static void
test_impersonation (Fixture       *fixture,
                    gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");

  /* bob claims to be alice, to alice and to himself */
  fake_send (bob, "{\"type\":\"create_offer\",\"name\":\"alice\",\"target\":\"alice\","
                  "\"data\":{\"sdp\":\"v=0\",\"type\":\"OFFER\"}}");
  fake_expect (alice, "{\"type\":\"offer_received\",\"name\":\"bob\",\"data\":\"v=0\"}");

  fake_send (bob, "{\"type\":\"hang_up\",\"name\":\"carol\",\"target\":\"alice\"}");
  fake_expect (alice, "{\"type\":\"peer_hung_up\",\"name\":\"bob\"}");

  fake_send (bob, "{\"type\":\"ice_candidate\",\"name\":\"alice\",\"target\":\"bob\","
                  "\"data\":{\"sdpCandidate\":\"\"}}");
  fake_expect (bob, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"data\":{\"sdpCandidate\":\"\"}}");

  /* No name at all is fine too: the registered one goes out. */
  fake_send (bob, "{\"type\":\"decline\",\"target\":\"alice\"}");
  fake_expect (alice, "{\"type\":\"offer_declined\",\"name\":\"bob\"}");
}

static void
test_not_registered (Fixture       *fixture,
                     gconstpointer  user_data)
{
  static const char * const requests[] = {
    "{\"type\":\"start_transfer\",\"name\":\"x\",\"target\":\"bob\"}", "start_transfer",
    "{\"type\":\"create_offer\",\"name\":\"x\",\"target\":\"bob\",\"data\":{\"sdp\":\"v=0\"}}", "create_offer",
    "{\"type\":\"create_answer\",\"target\":\"bob\",\"data\":{\"sdp\":\"v=0\"}}", "create_answer",
    "{\"type\":\"ice_candidate\",\"target\":\"bob\",\"data\":{\"sdpCandidate\":\"c\"}}", "ice_candidate",
    "{\"type\":\"decline\",\"target\":\"bob\"}", "decline",
    "{\"type\":\"hang_up\",\"target\":\"bob\"}", "hang_up",
  };
  Fake *bob = fake_register (fixture, "bob");
  Fake *stranger = fake_new (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i += 2)
    {
      fake_send (stranger, requests[i]);
      fake_expect_error (stranger, "not-registered", requests[i + 1]);
    }

  fake_assert_silent (bob);

  /* and it can still register */
  fake_send (stranger, "{\"type\":\"store_user\",\"name\":\"carol\"}");
  fake_expect (stranger, "{\"type\":\"user_stored\",\"data\":\"carol\"}");
}

static void
test_already_registered (Fixture       *fixture,
                         gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *other = fake_new (fixture);

  fake_send (alice, "{\"type\":\"store_user\",\"name\":\"alice2\"}");
  fake_expect_error (alice, "already-registered", "store_user");
  fake_send (alice, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  fake_expect_error (alice, "already-registered", "store_user");

  /* The refused name was not taken, and alice kept hers. */
  fake_send (other, "{\"type\":\"store_user\",\"name\":\"alice2\"}");
  fake_expect (other, "{\"type\":\"user_stored\",\"data\":\"alice2\"}");
  g_assert_true (confab_signal_hub_lookup (fixture->hub, "alice") == alice->client);
}

static void
test_duplicate_name (Fixture       *fixture,
                     gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *second = fake_new (fixture);

  fake_send (second, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  fake_expect (second, "{\"type\":\"user_already_exists\",\"data\":\"alice\"}");

  /* As in the article's server, the connection stays and may try again. */
  fake_send (second, "{\"type\":\"store_user\",\"name\":\"alicia\"}");
  fake_expect (second, "{\"type\":\"user_stored\",\"data\":\"alicia\"}");

  fake_send (second, "{\"type\":\"hang_up\",\"target\":\"alice\"}");
  fake_expect (alice, "{\"type\":\"peer_hung_up\",\"name\":\"alicia\"}");
}

static void
test_disconnect_frees_name (Fixture       *fixture,
                            gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");
  Fake *again;

  fake_disconnect (alice);
  g_assert_null (confab_signal_hub_lookup (fixture->hub, "alice"));

  fake_send (bob, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  fake_expect (bob, "{\"type\":\"transfer_response\",\"data\":null}");
  fake_send (bob, "{\"type\":\"create_offer\",\"target\":\"alice\",\"data\":{\"sdp\":\"v=0\"}}");
  fake_expect_error (bob, "unknown-target", "create_offer");

  again = fake_register (fixture, "alice");
  fake_send (bob, "{\"type\":\"create_offer\",\"target\":\"alice\",\"data\":{\"sdp\":\"v=0\"}}");
  fake_expect (again, "{\"type\":\"offer_received\",\"name\":\"bob\",\"data\":\"v=0\"}");
  fake_assert_silent (alice);
}

static void
test_unknown_target (Fixture       *fixture,
                     gconstpointer  user_data)
{
  static const char * const requests[] = {
    "{\"type\":\"create_offer\",\"target\":\"nobody\",\"data\":{\"sdp\":\"v=0\"}}", "create_offer",
    "{\"type\":\"create_answer\",\"target\":\"nobody\",\"data\":{\"sdp\":\"v=0\"}}", "create_answer",
    "{\"type\":\"ice_candidate\",\"target\":\"nobody\",\"data\":{\"sdpCandidate\":\"c\"}}", "ice_candidate",
    "{\"type\":\"decline\",\"target\":\"nobody\"}", "decline",
    "{\"type\":\"hang_up\",\"target\":\"nobody\"}", "hang_up",
  };
  Fake *alice = fake_register (fixture, "alice");

  for (guint i = 0; i < G_N_ELEMENTS (requests); i += 2)
    {
      fake_send (alice, requests[i]);
      /* Named, so that a client with many conversations knows which. */
      g_assert_cmpuint (alice->received->len, >, 0);
      g_assert_nonnull (strstr (g_ptr_array_index (alice->received, 0), ",\"target\":\"nobody\"}"));
      fake_expect_error (alice, "unknown-target", requests[i + 1]);
    }
}

static void
test_start_transfer_tells_target_nothing (Fixture       *fixture,
                                          gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");

  fake_send (alice, "{\"type\":\"start_transfer\",\"target\":\"bob\"}");
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  fake_assert_silent (bob);
}

static void
test_unexpected_type (Fixture       *fixture,
                      gconstpointer  user_data)
{
  static const char * const frames[] = {
    "{\"type\":\"user_stored\",\"data\":\"alice\"}", "user_stored",
    "{\"type\":\"user_already_exists\",\"data\":\"alice\"}", "user_already_exists",
    "{\"type\":\"transfer_response\",\"data\":null}", "transfer_response",
    "{\"type\":\"offer_received\",\"name\":\"bob\",\"data\":\"v=0\"}", "offer_received",
    "{\"type\":\"answer_received\",\"name\":\"bob\",\"data\":\"v=0\"}", "answer_received",
    "{\"type\":\"offer_declined\",\"name\":\"bob\"}", "offer_declined",
    "{\"type\":\"peer_hung_up\",\"name\":\"bob\"}", "peer_hung_up",
  };
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");

  for (guint i = 0; i < G_N_ELEMENTS (frames); i += 2)
    {
      fake_send (alice, frames[i]);
      fake_expect_error (alice, "unexpected-type", frames[i + 1]);
    }

  /* ice_candidate in the server's own form (a name, no target) */
  fake_send (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"data\":{\"sdpCandidate\":\"c\"}}");
  fake_expect_error (alice, "missing-field", "ice_candidate");
  fake_assert_silent (bob);
}

static void
test_error_from_client_ignored (Fixture       *fixture,
                                gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *stranger = fake_new (fixture);
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (fixture->hub);

  /* Answering an error with an error could loop for ever. */
  fake_send (alice, "{\"type\":\"error\",\"code\":\"not-json\",\"message\":\"?\"}");
  fake_send (stranger, "{\"type\":\"error\",\"code\":\"whatever\"}");
  fake_assert_silent (alice);
  fake_assert_silent (stranger);
  g_assert_cmpuint (confab_signal_metrics_get_received (metrics, CONFAB_MESSAGE_ERROR), ==, 2);
}

static void
test_binary_frame (Fixture       *fixture,
                   gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  const char frame[] = "{\"type\":\"hang_up\",\"target\":\"alice\"}";

  confab_signal_hub_handle_frame (fixture->hub, alice->client, frame, strlen (frame), TRUE);
  fake_expect_error (alice, "binary-frame", NULL);
  confab_signal_hub_handle_frame (fixture->hub, alice->client, "", 0, TRUE);
  fake_expect_error (alice, "binary-frame", NULL);
}

static void
test_parse_errors (Fixture       *fixture,
                   gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  g_autofree char *long_name = g_strnfill (65, 'n');
  g_autofree char *frame = NULL;

  fake_send (alice, "{\"type\":\"fly_away\"}");
  fake_expect_error (alice, "unknown-type", "fly_away");
  fake_send (alice, "{\"type\":\"create_offer\",\"target\":\"bob\"}");
  fake_expect_error (alice, "missing-field", "create_offer");
  frame = g_strdup_printf ("{\"type\":\"hang_up\",\"target\":\"%s\"}", long_name);
  fake_send (alice, frame);
  fake_expect_error (alice, "name-too-long", "hang_up");
  confab_signal_hub_handle_frame (fixture->hub, alice->client, "{\"type\":\"x\"}", 0, FALSE);
  fake_expect_error (alice, "not-json", NULL);
}

static void
test_max_frame (Fixture       *fixture,
                gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  g_autofree char *padding = g_strnfill (200, ' ');
  g_autofree char *frame = g_strdup_printf ("{\"type\":\"start_transfer\",\"target\":\"x\"}%s", padding);

  confab_signal_hub_set_max_frame (fixture->hub, 100);
  g_assert_cmpuint (confab_signal_hub_get_max_frame (fixture->hub), ==, 100);

  fake_send (alice, frame);
  fake_expect_error (alice, "frame-too-large", NULL);

  frame[100] = '\0';
  fake_send (alice, frame);
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":null}");
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  user_data)
{
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (fixture->hub);
  Fake *alice;
  Fake *bob;
  guint sent = 0;

  /* One token every three hours: nothing refills during the test. */
  confab_signal_hub_set_rate (fixture->hub, 0.0001);
  confab_signal_hub_set_burst (fixture->hub, 3);
  g_assert_cmpuint (confab_signal_hub_get_burst (fixture->hub), ==, 3);

  alice = fake_register (fixture, "alice");
  bob = fake_register (fixture, "bob");

  fake_send (alice, "{\"type\":\"start_transfer\",\"target\":\"bob\"}");
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  fake_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  fake_expect (bob, "{\"type\":\"peer_hung_up\",\"name\":\"alice\"}");

  /* The fourth frame is refused with a warning; so are garbage frames. */
  fake_send (alice, "not json at all");
  fake_expect_error (alice, "rate-limited", NULL);

  /* Then silence, then the door, and the name is free. */
  while (alice->close_code == 0)
    {
      g_assert_cmpuint (sent, <, 1000);
      fake_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
      sent++;
    }
  g_assert_cmpuint (alice->close_code, ==, CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION);
  g_assert_nonnull (alice->close_reason);
  g_assert_null (confab_signal_hub_lookup (fixture->hub, "alice"));
  fake_assert_silent (alice);
  fake_assert_silent (bob);

  /* Frames that were on their way are ignored. */
  fake_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  fake_assert_silent (alice);
  fake_assert_silent (bob);

  /* Limits are per connection: bob still has tokens. */
  fake_send (bob, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  fake_expect (bob, "{\"type\":\"transfer_response\",\"data\":null}");

  g_assert_cmpuint (confab_signal_metrics_get_errors (metrics, CONFAB_PROTOCOL_ERROR_RATE_LIMITED), ==, 1);
}

static void
test_endpoint_dies_on_send (Fixture       *fixture,
                            gconstpointer  user_data)
{
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");
  Fake *carol = fake_register (fixture, "carol");

  /* The target vanishes while it is being relayed to. */
  bob->remove_on_send = TRUE;
  fake_send (alice, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  fake_expect (bob, "{\"type\":\"peer_hung_up\",\"name\":\"alice\"}");
  g_assert_null (bob->client);
  g_assert_null (confab_signal_hub_lookup (fixture->hub, "bob"));

  /* The sender vanishes while it is being answered. */
  alice->remove_on_send = TRUE;
  fake_send (alice, "{\"type\":\"start_transfer\",\"target\":\"carol\"}");
  fake_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"carol\"}");
  g_assert_null (alice->client);

  fake_send (carol, "{\"type\":\"start_transfer\",\"target\":\"alice\"}");
  fake_expect (carol, "{\"type\":\"transfer_response\",\"data\":null}");
  g_assert_cmpuint (confab_signal_hub_get_n_clients (fixture->hub), ==, 1);
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  user_data)
{
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (fixture->hub);
  g_autofree char *text = NULL;
  Fake *alice = fake_register (fixture, "alice");
  Fake *bob = fake_register (fixture, "bob");
  Fake *stranger = fake_new (fixture);

  fake_send (alice, "{\"type\":\"create_offer\",\"target\":\"bob\",\"data\":{\"sdp\":\"v=0\"}}");
  fake_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\"}");
  fake_send (bob, "{\"type\":\"ice_candidate\",\"target\":\"alice\",\"data\":{\"sdpCandidate\":\"c\"}}");
  fake_expect (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"data\":{\"sdpCandidate\":\"c\"}}");
  fake_send (bob, "{\"type\":\"ice_candidate\",\"target\":\"alice\",\"data\":{\"sdpCandidate\":\"\"}}");
  fake_expect (alice, "{\"type\":\"ice_candidate\",\"name\":\"bob\",\"data\":{\"sdpCandidate\":\"\"}}");
  fake_send (stranger, "[");
  fake_expect_error (stranger, "not-json", NULL);
  fake_send (stranger, "{\"type\":\"hang_up\",\"target\":\"bob\"}");
  fake_expect_error (stranger, "not-registered", "hang_up");

  g_assert_cmpuint (confab_signal_metrics_get_clients_connected (metrics), ==, 3);
  g_assert_cmpuint (confab_signal_metrics_get_clients_registered (metrics), ==, 2);
  g_assert_cmpuint (confab_signal_metrics_get_connections_total (metrics), ==, 3);
  g_assert_cmpuint (confab_signal_metrics_get_received (metrics, CONFAB_MESSAGE_STORE_USER), ==, 2);
  g_assert_cmpuint (confab_signal_metrics_get_relayed (metrics, CONFAB_MESSAGE_OFFER_RECEIVED), ==, 1);
  g_assert_cmpuint (confab_signal_metrics_get_relayed (metrics, CONFAB_MESSAGE_ICE_CANDIDATE), ==, 2);
  g_assert_cmpuint (confab_signal_metrics_get_errors (metrics, CONFAB_PROTOCOL_ERROR_NOT_JSON), ==, 1);

  text = confab_signal_metrics_to_prometheus (metrics);
  g_assert_true (strstr (text, "# TYPE confab_signal_clients_connected gauge\n"
                               "confab_signal_clients_connected 3\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_clients_registered 2\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_messages_relayed_total{type=\"offer_received\"} 1\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_messages_relayed_total{type=\"ice_candidate\"} 2\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_messages_relayed_total{type=\"peer_hung_up\"} 0\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_errors_total{code=\"not-json\"} 1\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_errors_total{code=\"not-registered\"} 1\n") != NULL);
  g_assert_true (strstr (text, "\nconfab_signal_errors_total{code=\"server-full\"} 0\n") != NULL);
  g_assert_true (g_str_has_suffix (text, "\n"));

  fake_disconnect (alice);
  g_assert_cmpuint (confab_signal_metrics_get_clients_connected (metrics), ==, 2);
  g_assert_cmpuint (confab_signal_metrics_get_clients_registered (metrics), ==, 1);
}

/* Every name is its own hash table entry: many clients, every lookup
 * finds the right one, and removing them all leaves nothing behind. */
static void
test_many_clients (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const guint n = 20000;
  g_autoptr(GPtrArray) fakes = g_ptr_array_new ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%u", i);

      g_ptr_array_add (fakes, fake_register (fixture, name));
    }
  g_assert_cmpuint (confab_signal_hub_get_n_registered (fixture->hub), ==, n);

  for (guint i = 0; i < n; i += 997)
    {
      Fake *from = g_ptr_array_index (fakes, i);
      Fake *to = g_ptr_array_index (fakes, (i * 7 + 3) % n);
      g_autofree char *request = NULL;
      g_autofree char *expected = NULL;

      if (from == to)
        continue;
      request = g_strdup_printf ("{\"type\":\"hang_up\",\"target\":\"user%u\"}", (i * 7 + 3) % n);
      expected = g_strdup_printf ("{\"type\":\"peer_hung_up\",\"name\":\"user%u\"}", i);
      fake_send (from, request);
      fake_expect (to, expected);
    }

  for (guint i = 0; i < n; i++)
    fake_disconnect (g_ptr_array_index (fakes, i));
  g_assert_cmpuint (confab_signal_hub_get_n_registered (fixture->hub), ==, 0);
  g_assert_cmpuint (confab_signal_hub_get_n_clients (fixture->hub), ==, 0);
}

static void
test_send_error (Fixture       *fixture,
                 gconstpointer  user_data)
{
  Fake *alice = fake_new (fixture);

  confab_signal_hub_send_error (fixture->hub, alice->client, CONFAB_PROTOCOL_ERROR_SERVER_FULL,
                                "Full", NULL);
  fake_expect (alice, "{\"type\":\"error\",\"code\":\"server-full\",\"message\":\"Full\"}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/signal-hub/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("seed-sequence", test_seed_sequence);
  ADD ("impersonation", test_impersonation);
  ADD ("not-registered", test_not_registered);
  ADD ("already-registered", test_already_registered);
  ADD ("duplicate-name", test_duplicate_name);
  ADD ("disconnect-frees-name", test_disconnect_frees_name);
  ADD ("unknown-target", test_unknown_target);
  ADD ("start-transfer-tells-target-nothing", test_start_transfer_tells_target_nothing);
  ADD ("unexpected-type", test_unexpected_type);
  ADD ("error-from-client-ignored", test_error_from_client_ignored);
  ADD ("binary-frame", test_binary_frame);
  ADD ("parse-errors", test_parse_errors);
  ADD ("max-frame", test_max_frame);
  ADD ("rate-limit", test_rate_limit);
  ADD ("endpoint-dies-on-send", test_endpoint_dies_on_send);
  ADD ("metrics", test_metrics);
  ADD ("many-clients", test_many_clients);
  ADD ("send-error", test_send_error);

#undef ADD

  return g_test_run ();
}
