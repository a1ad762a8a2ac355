/* test-peer.c: two real webrtcbin peers in one process, back to back
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "confab-core-enums.h"
#include "confab-ice-server.h"
#include "confab-peer.h"
#include "confab-peer-private.h"
#include "confab-runtime.h"
#include "test-support.h"

/* Between the two peers sits what the signalling server would do: the
 * online check, and the rewrite of each request into the delivered form
 * (confab_message_new_relayed() is the server's own rewrite).  Deliveries
 * go through the main loop, as they would through a socket.  The peer
 * connection itself is real: webrtcbin, ICE, DTLS, SCTP. */

typedef struct
{
  ConfabPeer *alice;   /* the caller */
  ConfabPeer *bob;     /* the callee, made from the offer */
  gboolean    bob_online;
  gboolean    bob_declines;
  gboolean    bob_waits;   /* neither accepts nor declines */
  const char * const *ice_servers;
  GPtrArray  *alice_received;
  GPtrArray  *bob_received;
  GHashTable *alice_message_states; /* id -> GArray of ConfabDeliveryState */
  guint64     last_id;              /* the ids the test gives messages */
  GPtrArray  *alice_sent_kinds;
} Fixture;

typedef struct
{
  Fixture       *fixture;
  ConfabPeer    *to;       /* NULL: to Bob, who may not exist yet */
  ConfabMessage *message;
} Delivery;

static void bob_send_message_cb (ConfabPeer    *peer,
                                 ConfabMessage *message,
                                 Fixture       *fixture);

static void
alice_message_state_cb (ConfabPeer          *peer,
                        guint64              id,
                        ConfabDeliveryState  state,
                        Fixture             *fixture)
{
  GArray *states = g_hash_table_lookup (fixture->alice_message_states, &id);

  if (states == NULL)
    {
      states = g_array_new (FALSE, FALSE, sizeof (ConfabDeliveryState));
      g_hash_table_insert (fixture->alice_message_states, g_memdup2 (&id, sizeof id), states);
    }

  g_array_append_val (states, state);
}

/* Sends @text with the next id, as the session does, and returns the id. */
static guint64
send_text (Fixture     *fixture,
           ConfabPeer  *peer,
           const char  *text,
           GError     **error)
{
  guint64 id = ++fixture->last_id;

  return confab_peer_send_text (peer, id, text, error) ? id : 0;
}

static void
make_bob (Fixture       *fixture,
          ConfabMessage *offer)
{
  g_autoptr(GError) error = NULL;

  fixture->bob = confab_peer_new_incoming ("bob", offer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (confab_peer_get_state (fixture->bob), ==, CONFAB_PEER_STATE_INCOMING);
  g_assert_cmpstr (confab_peer_get_remote_name (fixture->bob), ==, "alice");

  g_assert_true (confab_peer_set_ice_servers (fixture->bob, fixture->ice_servers, &error));
  g_assert_no_error (error);
  g_signal_connect (fixture->bob, "send-message", G_CALLBACK (bob_send_message_cb), fixture);
  g_signal_connect (fixture->bob, "text-received", G_CALLBACK (test_record_string_cb),
                    fixture->bob_received);

  if (fixture->bob_declines)
    confab_peer_decline (fixture->bob);
  else if (!fixture->bob_waits)
    confab_peer_accept (fixture->bob);
}

static gboolean
deliver_cb (gpointer data)
{
  Delivery *delivery = data;
  Fixture *fixture = delivery->fixture;

  if (delivery->to != NULL)
    {
      confab_peer_handle_message (delivery->to, delivery->message);
    }
  else if (confab_message_get_kind (delivery->message) == CONFAB_MESSAGE_OFFER_RECEIVED)
    {
      g_assert_null (fixture->bob);
      make_bob (fixture, delivery->message);
    }
  else if (fixture->bob != NULL)
    {
      confab_peer_handle_message (fixture->bob, delivery->message);
    }

  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  g_clear_object (&delivery->to);
  confab_message_unref (delivery->message);
  g_free (delivery);
}

static void
deliver (Fixture       *fixture,
         ConfabPeer    *to,
         ConfabMessage *message)
{
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->fixture = fixture;
  delivery->to = to != NULL ? g_object_ref (to) : NULL;
  delivery->message = message;
  g_idle_add_full (G_PRIORITY_DEFAULT, deliver_cb, delivery, delivery_free);
}

static void
alice_send_message_cb (ConfabPeer    *peer,
                       ConfabMessage *message,
                       Fixture       *fixture)
{
  ConfabMessageKind kind = confab_message_get_kind (message);

  g_assert_true (confab_message_kind_is_client_request (kind));
  g_assert_cmpstr (confab_message_get_name (message), ==, "alice");
  g_ptr_array_add (fixture->alice_sent_kinds, (gpointer) confab_message_kind_to_string (kind));

  if (kind == CONFAB_MESSAGE_START_TRANSFER)
    {
      g_assert_cmpstr (confab_message_get_target (message), ==, "bob");
      deliver (fixture, peer,
               confab_message_new_transfer_response (fixture->bob_online ? "bob" : NULL));
    }
  else
    {
      deliver (fixture, NULL, confab_message_new_relayed (message, "alice"));
    }
}

static void
bob_send_message_cb (ConfabPeer    *peer,
                     ConfabMessage *message,
                     Fixture       *fixture)
{
  g_assert_cmpstr (confab_message_get_name (message), ==, "bob");
  g_assert_cmpstr (confab_message_get_target (message), ==, "alice");
  deliver (fixture, fixture->alice, confab_message_new_relayed (message, "bob"));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->bob_online = TRUE;
  fixture->alice_received = g_ptr_array_new_with_free_func (g_free);
  fixture->bob_received = g_ptr_array_new_with_free_func (g_free);
  fixture->alice_sent_kinds = g_ptr_array_new ();
  fixture->alice_message_states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                         (GDestroyNotify) g_array_unref);
}

static void
make_alice (Fixture  *fixture,
            gboolean  mobile)
{
  fixture->alice = g_object_new (CONFAB_TYPE_PEER,
                                 "local-name", "alice",
                                 "remote-name", "bob",
                                 "confab-channel", !mobile,
                                 NULL);
  g_assert_true (confab_peer_set_ice_servers (fixture->alice, fixture->ice_servers, NULL));
  g_signal_connect (fixture->alice, "send-message", G_CALLBACK (alice_send_message_cb), fixture);
  g_signal_connect (fixture->alice, "text-received", G_CALLBACK (test_record_string_cb),
                    fixture->alice_received);
  g_signal_connect (fixture->alice, "message-state-changed",
                    G_CALLBACK (alice_message_state_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->alice != NULL)
    g_signal_handlers_disconnect_by_data (fixture->alice, fixture);
  if (fixture->bob != NULL)
    g_signal_handlers_disconnect_by_data (fixture->bob, fixture);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);

  /* Let the deliveries still queued run out, and both connections finish
   * closing, so that nothing outlives the test. */
  while (confab_runtime_get_n_closing () > 0 || g_main_context_pending (NULL))
    g_main_context_iteration (NULL, TRUE);

  g_clear_pointer (&fixture->alice_received, g_ptr_array_unref);
  g_clear_pointer (&fixture->bob_received, g_ptr_array_unref);
  g_clear_pointer (&fixture->alice_sent_kinds, g_ptr_array_unref);
  g_clear_pointer (&fixture->alice_message_states, g_hash_table_unref);
}

/* Iterates the main loop until @peer is in @state, under the watchdog. */
static void
wait_for_state (ConfabPeer      *peer,
                ConfabPeerState  state)
{
  g_autoptr(TestWatchdog) watchdog = test_watchdog_new ("a peer state",
                                                       test_watchdog_seconds ());

  while (confab_peer_get_state (peer) != state)
    {
      ConfabPeerState now = confab_peer_get_state (peer);

      if ((now == CONFAB_PEER_STATE_CLOSED || now == CONFAB_PEER_STATE_FAILED) && now != state)
        g_error ("peer “%s” ended in state %d (reason %d) waiting for %d",
                 confab_peer_get_remote_name (peer), now,
                 confab_peer_get_failure_reason (peer), state);

      test_watchdog_iterate (watchdog);
    }
}

static ConfabDeliveryState
last_state (Fixture *fixture,
            guint64  id)
{
  GArray *states = g_hash_table_lookup (fixture->alice_message_states, &id);

  g_assert_nonnull (states);
  return g_array_index (states, ConfabDeliveryState, states->len - 1);
}

static void
wait_for_message_state (Fixture             *fixture,
                        guint64              id,
                        ConfabDeliveryState  state)
{
  test_wait_for ("a message's delivery state", last_state (fixture, id) == state);
}

static void
connect_both (Fixture  *fixture,
              gboolean  alice_mobile)
{
  make_alice (fixture, alice_mobile);
  g_assert_cmpint (confab_peer_get_state (fixture->alice), ==, CONFAB_PEER_STATE_NEW);

  confab_peer_call (fixture->alice);
  g_assert_cmpint (confab_peer_get_state (fixture->alice), ==, CONFAB_PEER_STATE_CALLING);

  wait_for_state (fixture->alice, CONFAB_PEER_STATE_OPEN);
  g_assert_nonnull (fixture->bob);
  wait_for_state (fixture->bob, CONFAB_PEER_STATE_OPEN);
}

static void
test_peer_call_and_chat (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  guint64 id;

  connect_both (fixture, FALSE);

  g_assert_true (confab_peer_get_extended (fixture->alice));
  g_assert_true (confab_peer_get_extended (fixture->bob));
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==, CONFAB_PEER_REASON_NONE);

  id = send_text (fixture, fixture->alice, "Hello Bob", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (send_text (fixture, fixture->bob, "Hi Alice ✓", &error), !=, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (send_text (fixture, fixture->alice, "How are you?", &error), !=, 0);
  g_assert_no_error (error);

  test_record_wait_for (fixture->bob_received, 2);
  test_record_wait_for (fixture->alice_received, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 0), ==, "Hello Bob");
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 1), ==, "How are you?");
  g_assert_cmpstr (g_ptr_array_index (fixture->alice_received, 0), ==, "Hi Alice ✓");

  /* The caller held its candidates until the answer: nothing but the
   * online check and the offer went out before it. */
  g_assert_cmpstr (g_ptr_array_index (fixture->alice_sent_kinds, 0), ==, "start_transfer");
  g_assert_cmpstr (g_ptr_array_index (fixture->alice_sent_kinds, 1), ==, "create_offer");
}

static void
test_peer_delivery_receipts (Fixture       *fixture,
                             gconstpointer  user_data)
{
  GArray *states;
  guint64 id;

  connect_both (fixture, FALSE);

  id = send_text (fixture, fixture->alice, "receipt please", NULL);
  wait_for_message_state (fixture, id, CONFAB_DELIVERY_DELIVERED);

  /* "sending" is the caller's to know: the peer reports what follows. */
  states = g_hash_table_lookup (fixture->alice_message_states, &id);
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, ConfabDeliveryState, 0), ==, CONFAB_DELIVERY_SENT);
  g_assert_cmpint (g_array_index (states, ConfabDeliveryState, 1), ==, CONFAB_DELIVERY_DELIVERED);
}

/* Messages sent in a burst are acknowledged together, and every one of
 * them arrives at "delivered". */
static void
test_peer_receipts_coalesce (Fixture       *fixture,
                             gconstpointer  user_data)
{
  guint64 ids[20];

  connect_both (fixture, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *text = g_strdup_printf ("burst %u", i);

      ids[i] = send_text (fixture, fixture->alice, text, NULL);
    }

  test_record_wait_for (fixture->bob_received, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    wait_for_message_state (fixture, ids[i], CONFAB_DELIVERY_DELIVERED);

  /* An answer carries the acknowledgement of what it answers. */
  ids[0] = send_text (fixture, fixture->bob, "all of them", NULL);
  test_record_wait_for (fixture->alice_received, 1);
  ids[1] = send_text (fixture, fixture->alice, "good", NULL);
  wait_for_message_state (fixture, ids[1], CONFAB_DELIVERY_DELIVERED);
}

/* A Confab of version 1 gets, and sends, one receipt a message. */
static void
test_peer_speaks_version_1 (Fixture       *fixture,
                            gconstpointer  user_data)
{
  guint64 id;

  make_alice (fixture, FALSE);
  _confab_peer_set_channel_version (fixture->alice, 1);
  confab_peer_call (fixture->alice);
  wait_for_state (fixture->alice, CONFAB_PEER_STATE_OPEN);
  wait_for_state (fixture->bob, CONFAB_PEER_STATE_OPEN);
  g_assert_true (confab_peer_get_extended (fixture->alice));

  id = send_text (fixture, fixture->alice, "from an older Confab", NULL);
  wait_for_message_state (fixture, id, CONFAB_DELIVERY_DELIVERED);
  send_text (fixture, fixture->bob, "from a newer one", NULL);
  test_record_wait_for (fixture->alice_received, 1);
  id = send_text (fixture, fixture->alice, "and again", NULL);
  wait_for_message_state (fixture, id, CONFAB_DELIVERY_DELIVERED);
}

static void
test_peer_queues_text_before_open (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  guint64 first;
  guint64 second;

  make_alice (fixture, FALSE);
  first = send_text (fixture, fixture->alice, "before the call", NULL);
  confab_peer_call (fixture->alice);
  second = send_text (fixture, fixture->alice, "while calling", NULL);
  /* Queued, so nothing to report yet. */
  g_assert_null (g_hash_table_lookup (fixture->alice_message_states, &first));
  g_assert_null (g_hash_table_lookup (fixture->alice_message_states, &second));

  test_record_wait_for (fixture->bob_received, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 0), ==, "before the call");
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 1), ==, "while calling");
  wait_for_message_state (fixture, second, CONFAB_DELIVERY_DELIVERED);
}

static void
test_peer_mebibyte_message (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GString *builder = g_string_new (NULL);
  g_autofree char *text = NULL;
  guint64 id;

  while (builder->len < 1024 * 1024)
    g_string_append_printf (builder, "%" G_GSIZE_FORMAT ": ünïcödé ✓ ", builder->len);
  text = g_string_free (builder, FALSE);

  connect_both (fixture, FALSE);

  id = send_text (fixture, fixture->alice, text, NULL);
  send_text (fixture, fixture->alice, "after the big one", NULL);
  test_record_wait_for (fixture->bob_received, 2);

  g_assert_cmpuint (strlen (g_ptr_array_index (fixture->bob_received, 0)), ==, strlen (text));
  g_assert_true (strcmp (g_ptr_array_index (fixture->bob_received, 0), text) == 0);
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 1), ==, "after the big one");
  wait_for_message_state (fixture, id, CONFAB_DELIVERY_DELIVERED);
}

static void
test_peer_decline (Fixture       *fixture,
                   gconstpointer  user_data)
{
  guint64 id;

  fixture->bob_declines = TRUE;
  make_alice (fixture, FALSE);
  id = send_text (fixture, fixture->alice, "never sent", NULL);
  confab_peer_call (fixture->alice);

  wait_for_state (fixture->alice, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==,
                   CONFAB_PEER_REASON_DECLINED);
  g_assert_cmpint (confab_peer_get_state (fixture->bob), ==, CONFAB_PEER_STATE_CLOSED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->bob), ==,
                   CONFAB_PEER_REASON_DECLINED);
  /* Nothing is dropped silently. */
  g_assert_cmpint (last_state (fixture, id), ==, CONFAB_DELIVERY_FAILED);
}

static void
test_peer_offline (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->bob_online = FALSE;
  make_alice (fixture, FALSE);
  confab_peer_call (fixture->alice);

  wait_for_state (fixture->alice, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==,
                   CONFAB_PEER_REASON_PEER_OFFLINE);
  g_assert_null (fixture->bob);

  g_assert_cmpuint (send_text (fixture, fixture->alice, "too late", &error), ==, 0);
  /* Refused, so never reported either. */
  g_assert_null (g_hash_table_lookup (fixture->alice_message_states, &fixture->last_id));
  g_assert_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_CLOSED);
}

/* confab-signal answers unknown-target when the callee left between the
 * online check and the offer. */
static void
test_peer_unknown_target (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(ConfabMessage) error = NULL;

  fixture->bob_waits = TRUE;
  make_alice (fixture, FALSE);
  confab_peer_call (fixture->alice);
  test_wait_for ("bob's peer, made from the offer", fixture->bob != NULL);

  error = confab_message_new_error ("unknown-target", "Nobody called “bob” is connected",
                                    "create_offer");
  g_assert_true (confab_peer_handle_message (fixture->alice, error));
  g_assert_cmpint (confab_peer_get_state (fixture->alice), ==, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==,
                   CONFAB_PEER_REASON_PEER_OFFLINE);
}

static void
test_peer_hang_up (Fixture       *fixture,
                   gconstpointer  user_data)
{
  connect_both (fixture, FALSE);

  send_text (fixture, fixture->alice, "bye now", NULL);
  confab_peer_hang_up (fixture->alice);
  g_assert_cmpint (confab_peer_get_state (fixture->alice), ==, CONFAB_PEER_STATE_CLOSED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==, CONFAB_PEER_REASON_NONE);

  wait_for_state (fixture->bob, CONFAB_PEER_STATE_CLOSED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->bob), ==, CONFAB_PEER_REASON_HUNG_UP);
  /* What Alice said before hanging up arrived first. */
  g_assert_cmpuint (fixture->bob_received->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 0), ==, "bye now");
}

static void
test_peer_hang_up_while_ringing (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  fixture->bob_waits = TRUE;
  make_alice (fixture, FALSE);
  confab_peer_call (fixture->alice);
  test_wait_for ("bob's peer, made from the offer", fixture->bob != NULL);

  confab_peer_hang_up (fixture->alice);
  wait_for_state (fixture->bob, CONFAB_PEER_STATE_CLOSED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->bob), ==, CONFAB_PEER_REASON_HUNG_UP);
}

static void
test_peer_vanished (Fixture       *fixture,
                    gconstpointer  user_data)
{
  connect_both (fixture, FALSE);

  /* Bob's network goes silent, with no goodbye of any kind. */
  _confab_peer_drop_network (fixture->bob);

  wait_for_state (fixture->alice, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (fixture->alice), ==,
                   CONFAB_PEER_REASON_VANISHED);
}

/* Alice behaves like the mobile app: localDataChannel only, plain text. */
static void
test_peer_mobile_app (Fixture       *fixture,
                      gconstpointer  user_data)
{
  guint64 id;

  connect_both (fixture, TRUE);

  g_assert_false (confab_peer_get_extended (fixture->alice));
  g_assert_false (confab_peer_get_extended (fixture->bob));

  id = send_text (fixture, fixture->alice, "from the phone", NULL);
  send_text (fixture, fixture->bob, "from the desktop", NULL);
  test_record_wait_for (fixture->bob_received, 1);
  test_record_wait_for (fixture->alice_received, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->bob_received, 0), ==, "from the phone");
  g_assert_cmpstr (g_ptr_array_index (fixture->alice_received, 0), ==, "from the desktop");

  /* Sent, and never more: the mobile app sends no receipts. */
  g_assert_cmpint (last_state (fixture, id), ==, CONFAB_DELIVERY_SENT);
}

/* Servers that never answer (nothing listens on the discard port) cost
 * nothing: host candidates trickle out before the STUN and TURN requests
 * time out. */
static void
test_peer_ice_servers (Fixture       *fixture,
                       gconstpointer  user_data)
{
  static const char * const servers[] = {
    "stun:127.0.0.1:9",
    "turn:confab:secret@127.0.0.1:9?transport=udp",
    NULL,
  };

  fixture->ice_servers = servers;
  connect_both (fixture, FALSE);

  send_text (fixture, fixture->bob, "through the servers' silence", NULL);
  test_record_wait_for (fixture->alice_received, 1);
}

static void
test_peer_refuses_bad_ice_server (void)
{
  static const char * const servers[] = { "stun:example.org", "turn:example.org", NULL };
  g_autoptr(ConfabPeer) peer = confab_peer_new_outgoing ("alice", "bob");
  g_autoptr(GError) error = NULL;

  g_assert_false (confab_peer_set_ice_servers (peer, servers, &error));
  g_assert_error (error, CONFAB_ICE_SERVER_ERROR, CONFAB_ICE_SERVER_ERROR_INVALID_CREDENTIALS);
}

static void
test_peer_refuses_bad_offer (void)
{
  g_autoptr(ConfabMessage) offer = confab_message_new_offer_received ("mallory", "not sdp");
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabPeer) peer = NULL;

  peer = confab_peer_new_incoming ("bob", offer, &error);
  g_assert_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_INVALID_OFFER);
  g_assert_null (peer);
}

/* The empty string parses to nothing: refused without a critical (the
 * test runs with criticals fatal) and without a leak. */
static void
test_peer_refuses_empty_offer (void)
{
  g_autoptr(ConfabMessage) offer = confab_message_new_offer_received ("mallory", "");
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabPeer) peer = NULL;

  peer = confab_peer_new_incoming ("bob", offer, &error);
  g_assert_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_INVALID_OFFER);
  g_assert_null (peer);
}

/* Calling again at once after a chat that the other side's BYE ended:
 * the server may relay that side's hang_up only now, and it must not end
 * the new call, whose offer the callee has not even had. */
static void
test_peer_ignores_stale_hang_up (void)
{
  g_autoptr(ConfabMessage) hung_up = confab_message_new_peer_hung_up ("bob");
  g_autoptr(ConfabPeer) peer = confab_peer_new_outgoing ("alice", "bob");

  confab_peer_call (peer);
  g_assert_cmpint (confab_peer_get_state (peer), ==, CONFAB_PEER_STATE_CALLING);
  g_assert_false (confab_peer_handle_message (peer, hung_up));
  g_assert_cmpint (confab_peer_get_state (peer), ==, CONFAB_PEER_STATE_CALLING);
  confab_peer_hang_up (peer);
}

/* Candidates that are not of RFC 8839's form never reach webrtcbin:
 * libnice asserts on some of them (a component of 0). */
static void
test_peer_refuses_bad_candidates (void)
{
  static const char * const bad[] = {
    "candidate:1 0 UDP 2015363327 127.0.0.1 45678 typ host",
    "candidate:1 1 UDP",
    "candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ",
    "candidate:1 1 SCTP 2015363327 127.0.0.1 45678 typ host",
    "candidate:1 1 UDP 2015363327 127.0.0.1 70000 typ host",
    "candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ nosuch",
    "candidate:1  1 UDP 2015363327 127.0.0.1 45678 typ host",
    "1 1 UDP 2015363327 127.0.0.1 45678 typ host",
    NULL
  };
  static const char * const good[] = {
    "candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ host",
    "a=candidate:2 1 TCP 1015021823 127.0.0.1 9 typ host tcptype active",
    "candidate:842163049 1 udp 1677729535 192.0.2.10 61000 typ srflx raddr 0.0.0.0 rport 0 generation 0",
    "candidate:2999745851 1 udp 2122194687 3b6e4c9a-7e57-4b6f-9d3c-2f1e8a7b6c5d.local 54322 typ host",
    NULL
  };
  g_autoptr(ConfabMessage) offer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabPeer) peer = NULL;

  offer = confab_message_new_offer_received ("alice",
                                             "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
                                             "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                             "a=mid:0\r\n");
  peer = confab_peer_new_incoming ("bob", offer, &error);
  g_assert_no_error (error);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(ConfabMessage) candidate = confab_message_new_ice_candidate ("alice", NULL, 0, "0", bad[i]);

      g_assert_false (confab_peer_handle_message (peer, candidate));
    }

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(ConfabMessage) candidate = confab_message_new_ice_candidate ("alice", NULL, 0, "0", good[i]);

      g_assert_true (confab_peer_handle_message (peer, candidate));
    }
}

static void
test_peer_enums_are_registered (void)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (CONFAB_TYPE_PEER_STATE);
  g_autoptr(GEnumClass) reasons = g_type_class_ref (CONFAB_TYPE_PEER_REASON);
  g_autoptr(GEnumClass) delivery = g_type_class_ref (CONFAB_TYPE_DELIVERY_STATE);

  g_assert_cmpstr (g_enum_get_value (states, CONFAB_PEER_STATE_OPEN)->value_nick, ==, "open");
  g_assert_cmpstr (g_enum_get_value (reasons, CONFAB_PEER_REASON_PEER_OFFLINE)->value_nick, ==,
                   "peer-offline");
  g_assert_cmpstr (g_enum_get_value (delivery, CONFAB_DELIVERY_DELIVERED)->value_nick, ==,
                   "delivered");
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/peer/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("call-and-chat", test_peer_call_and_chat);
  ADD ("delivery-receipts", test_peer_delivery_receipts);
  ADD ("receipts-coalesce", test_peer_receipts_coalesce);
  ADD ("speaks-version-1", test_peer_speaks_version_1);
  ADD ("queues-text-before-open", test_peer_queues_text_before_open);
  ADD ("mebibyte-message", test_peer_mebibyte_message);
  ADD ("decline", test_peer_decline);
  ADD ("offline", test_peer_offline);
  ADD ("unknown-target", test_peer_unknown_target);
  ADD ("hang-up", test_peer_hang_up);
  ADD ("hang-up-while-ringing", test_peer_hang_up_while_ringing);
  ADD ("vanished", test_peer_vanished);
  ADD ("mobile-app", test_peer_mobile_app);
  ADD ("ice-servers", test_peer_ice_servers);

#undef ADD

  g_test_add_func ("/peer/refuses-bad-ice-server", test_peer_refuses_bad_ice_server);
  g_test_add_func ("/peer/refuses-bad-offer", test_peer_refuses_bad_offer);
  g_test_add_func ("/peer/refuses-empty-offer", test_peer_refuses_empty_offer);
  g_test_add_func ("/peer/refuses-bad-candidates", test_peer_refuses_bad_candidates);
  g_test_add_func ("/peer/ignores-stale-hang-up", test_peer_ignores_stale_hang_up);
  g_test_add_func ("/peer/enums-are-registered", test_peer_enums_are_registered);

  return g_test_run ();
}
