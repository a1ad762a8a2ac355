/* test-session.c: ConfabSession end to end, on loopback
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-core-enums.h"
#include "confab-peer-private.h"
#include "confab-runtime.h"
#include "confab-session.h"
#include "confab-session-private.h"
#include "confab-signal-client.h"
#include "confab-signal-server.h"
#include "test-support.h"

/* Every test runs the real ConfabSignalServer on a free port of 127.0.0.1
 * in this process, and real sessions against it: websockets, webrtcbin,
 * ICE, DTLS and SCTP, as in the app.  Waits give up under the test
 * support's watchdog, naming what they waited for. */

typedef struct
{
  ConfabSignalServer *server;
  guint               port;
  char               *url;
  GPtrArray          *sessions;
} Fixture;

/* What a session saw: kept on it as object data. */
typedef struct
{
  GPtrArray *requests;  /* peer names from "incoming-request" */
  guint      n_received;
  /* NULL: leave the request waiting; else accept or decline it. */
  const char *answer;
} Record;

static Record *
get_record (ConfabSession *session)
{
  return g_object_get_data (G_OBJECT (session), "record");
}

static void
record_free (gpointer data)
{
  Record *record = data;

  g_ptr_array_unref (record->requests);
  g_free (record);
}

static void
incoming_request_cb (ConfabSession *session,
                     const char    *peer,
                     Record        *record)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (record->requests, g_strdup (peer));

  /* As the app does: the conversation is listed before it asks. */
  g_assert_nonnull (confab_session_lookup_conversation (session, peer));
  g_assert_cmpint (confab_conversation_get_state (confab_session_lookup_conversation (session, peer)),
                   ==, CONFAB_CONVERSATION_INCOMING);

  if (g_strcmp0 (record->answer, "accept") == 0)
    confab_session_accept (session, peer, &error);
  else if (g_strcmp0 (record->answer, "accept-offline") == 0)
    {
      /* Accepts, then loses every packet: ICE may pass (libnice answers
       * STUN itself) but DTLS and SCTP never get through. */
      confab_session_accept (session, peer, &error);
      _confab_peer_drop_network (_confab_session_get_peer (session, peer));
    }
  else if (g_strcmp0 (record->answer, "decline") == 0)
    confab_session_decline (session, peer, &error);
  g_assert_no_error (error);
}

static void
message_received_cb (ConfabSession      *session,
                     ConfabConversation *conversation,
                     ConfabChatMessage  *message,
                     Record             *record)
{
  g_assert_cmpint (confab_chat_message_get_direction (message), ==, CONFAB_CHAT_MESSAGE_INCOMING);
  /* Already in the conversation, for a notification to point at. */
  g_assert_true (confab_conversation_get_last_message (conversation) == message);
  record->n_received++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  /* Five calls a test would not trip the default rate, but a 1 MiB test's
   * candidates and a restart's re-registrations come in bursts. */
  fixture->server = test_start_server (0, 0);
  fixture->port = confab_signal_server_get_bound_port (fixture->server);
  fixture->url = g_strdup_printf ("ws://127.0.0.1:%u", fixture->port);
  fixture->sessions = g_ptr_array_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < fixture->sessions->len; i++)
    {
      ConfabSession *session = g_ptr_array_index (fixture->sessions, i);

      g_signal_handlers_disconnect_by_data (session, get_record (session));
      confab_session_disconnect (session);
      g_assert_finalize_object (session);
    }
  g_ptr_array_unref (fixture->sessions);

  /* Let every peer connection finish closing and the close handshakes
   * complete, so that nothing outlives the test. */
  test_wait_for ("the peer connections and the server's clients to close",
                 confab_runtime_get_n_closing () == 0 &&
                 (fixture->server == NULL ||
                  confab_signal_server_get_n_clients (fixture->server) == 0));

  if (fixture->server != NULL)
    {
      confab_signal_server_stop (fixture->server);
      g_assert_finalize_object (fixture->server);
    }
  g_free (fixture->url);
}

static ConfabSession *
add_session (Fixture    *fixture,
             const char *answer)
{
  ConfabSession *session = confab_session_new ();
  Record *record = g_new0 (Record, 1);

  record->requests = g_ptr_array_new_with_free_func (g_free);
  record->answer = answer;
  g_object_set_data_full (G_OBJECT (session), "record", record, record_free);
  g_signal_connect (session, "incoming-request", G_CALLBACK (incoming_request_cb), record);
  g_signal_connect (session, "message-received", G_CALLBACK (message_received_cb), record);

  /* A restarted server should not keep the test waiting half a second. */
  confab_signal_client_set_backoff (_confab_session_get_signal_client (session), 20, 200);

  g_ptr_array_add (fixture->sessions, session);

  return session;
}

static gboolean
session_connect (ConfabSession  *session,
                 const char     *url,
                 const char     *name,
                 GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_session_connect_async (session, url, name, NULL, test_store_result_cb, &result);

  return confab_session_connect_finish (session, test_wait_for_result (&result), error);
}

static ConfabSession *
sign_in (Fixture    *fixture,
         const char *name,
         const char *answer)
{
  ConfabSession *session = add_session (fixture, answer);
  g_autoptr(GError) error = NULL;

  g_assert_true (session_connect (session, fixture->url, name, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_session_get_state (session), ==, CONFAB_SESSION_REGISTERED);
  g_assert_cmpstr (confab_session_get_username (session), ==, name);
  g_assert_cmpstr (confab_session_get_server_url (session), ==, fixture->url);
  g_assert_null (confab_session_get_last_error (session));

  return session;
}

static gboolean
session_call (ConfabSession  *session,
              const char     *peer,
              GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_session_call_async (session, peer, NULL, test_store_result_cb, &result);

  return confab_session_call_finish (session, test_wait_for_result (&result), error);
}

static ConfabConversation *
conversation_of (ConfabSession *session,
                 const char    *peer)
{
  ConfabConversation *conversation = confab_session_lookup_conversation (session, peer);

  g_assert_nonnull (conversation);
  g_assert_cmpstr (confab_conversation_get_peer_name (conversation), ==, peer);

  return conversation;
}

static void
wait_for_conversation_state (ConfabSession           *session,
                             const char              *peer,
                             ConfabConversationState  state)
{
  g_autoptr(TestWatchdog) watchdog = test_watchdog_new ("a conversation state",
                                                       test_watchdog_seconds ());

  for (;;)
    {
      ConfabConversation *conversation = confab_session_lookup_conversation (session, peer);
      ConfabConversationState now;

      if (conversation != NULL)
        {
          now = confab_conversation_get_state (conversation);
          if (now == state)
            return;
          if ((now == CONFAB_CONVERSATION_CLOSED || now == CONFAB_CONVERSATION_FAILED) &&
              state != CONFAB_CONVERSATION_CLOSED && state != CONFAB_CONVERSATION_FAILED)
            g_error ("%s's conversation with %s ended (%d: %s) waiting for state %d",
                     confab_session_get_username (session), peer, now,
                     confab_conversation_get_failure_reason (conversation), state);
        }

      test_watchdog_iterate (watchdog);
    }
}

static void
wait_for_n_items (ConfabConversation *conversation,
                  guint               n_items)
{
  test_wait_for ("messages in the conversation",
                 g_list_model_get_n_items (G_LIST_MODEL (conversation)) >= n_items);
}

static void
wait_for_session_state (ConfabSession      *session,
                        ConfabSessionState  state)
{
  test_wait_for ("a session state", confab_session_get_state (session) == state);
}

static ConfabChatMessage *
message_at (ConfabConversation *conversation,
            guint               position)
{
  /* The conversation keeps its own reference. */
  g_autoptr(ConfabChatMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), position);

  g_assert_nonnull (message);
  return message;
}

/* Whether @conversation holds @text, written in @direction. */
static gboolean
has_message (ConfabConversation         *conversation,
             ConfabChatMessageDirection  direction,
             const char                 *text)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      ConfabChatMessage *message = message_at (conversation, i);

      if (confab_chat_message_get_direction (message) == direction &&
          g_strcmp0 (confab_chat_message_get_text (message), text) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
wait_for_delivery (ConfabChatMessage   *message,
                   ConfabDeliveryState  state)
{
  test_wait_for ("a delivery state", confab_chat_message_get_delivery_state (message) == state);
}

/* alice calls bob, who accepts; both are open when this returns. */
static void
connect_pair (Fixture        *fixture,
              ConfabSession **alice,
              ConfabSession **bob)
{
  g_autoptr(GError) error = NULL;

  *alice = sign_in (fixture, "alice", NULL);
  *bob = sign_in (fixture, "bob", "accept");

  g_assert_true (session_call (*alice, "bob", &error));
  g_assert_no_error (error);
  wait_for_conversation_state (*alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (*bob, "alice", CONFAB_CONVERSATION_OPEN);
}

static void
send_text (ConfabSession *session,
           const char    *peer,
           const char    *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (confab_session_send_text (session, peer, text, &error));
  g_assert_no_error (error);
}

/* Tests */

static void
test_session_call_accept_chat (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ConfabConversation *at_alice;
  ConfabConversation *at_bob;
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", NULL);
  g_autoptr(GAsyncResult) result = NULL;

  confab_session_call_async (alice, "bob", NULL, test_store_result_cb, &result);
  /* The conversation is there at once, calling. */
  at_alice = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_state (at_alice), ==, CONFAB_CONVERSATION_CALLING);
  g_assert_cmpuint (g_list_model_get_n_items (confab_session_get_conversations (alice)), ==, 1);
  g_assert_true (confab_session_call_finish (alice, test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  /* Bob is asked, and nothing connects until he answers. */
  test_wait_for ("bob to be asked", get_record (bob)->requests->len > 0);
  g_assert_cmpstr (g_ptr_array_index (get_record (bob)->requests, 0), ==, "alice");
  at_bob = conversation_of (bob, "alice");
  g_assert_cmpint (confab_conversation_get_state (at_bob), ==, CONFAB_CONVERSATION_INCOMING);
  g_assert_cmpint (confab_conversation_get_state (at_alice), ==, CONFAB_CONVERSATION_CALLING);

  g_assert_true (confab_session_accept (bob, "alice", &error));
  g_assert_no_error (error);
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_OPEN);

  send_text (alice, "bob", "Hello Bob");
  /* Own messages appear the moment they are sent. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (at_alice)), ==, 1);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_alice, 0)), ==, "Hello Bob");
  g_assert_cmpstr (confab_chat_message_get_author (message_at (at_alice, 0)), ==, "alice");
  g_assert_cmpint (confab_chat_message_get_direction (message_at (at_alice, 0)), ==,
                   CONFAB_CHAT_MESSAGE_OUTGOING);

  wait_for_n_items (at_bob, 1);
  send_text (bob, "alice", "Hi Alice ✓");
  wait_for_n_items (at_alice, 2);

  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 0)), ==, "Hello Bob");
  g_assert_cmpstr (confab_chat_message_get_author (message_at (at_bob, 0)), ==, "alice");
  g_assert_cmpint (confab_chat_message_get_direction (message_at (at_bob, 0)), ==,
                   CONFAB_CHAT_MESSAGE_INCOMING);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 1)), ==, "Hi Alice ✓");
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_alice, 1)), ==, "Hi Alice ✓");
  g_assert_cmpstr (confab_chat_message_get_author (message_at (at_alice, 1)), ==, "bob");

  g_assert_cmpuint (get_record (alice)->n_received, ==, 1);
  g_assert_cmpuint (get_record (bob)->n_received, ==, 1);
  g_assert_cmpuint (confab_conversation_get_unread_count (at_bob), ==, 1);
  confab_conversation_mark_read (at_bob);
  g_assert_cmpuint (confab_conversation_get_unread_count (at_bob), ==, 0);
}

static void
record_delivery_cb (ConfabChatMessage *message,
                    GParamSpec        *pspec,
                    GArray            *states)
{
  ConfabDeliveryState state = confab_chat_message_get_delivery_state (message);

  g_array_append_val (states, state);
}

static void
test_session_delivery_receipts (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (ConfabDeliveryState));
  ConfabSession *alice, *bob;
  ConfabChatMessage *message;

  connect_pair (fixture, &alice, &bob);

  send_text (alice, "bob", "receipt please");
  message = message_at (conversation_of (alice, "bob"), 0);
  g_signal_connect (message, "notify::delivery-state", G_CALLBACK (record_delivery_cb), states);
  wait_for_delivery (message, CONFAB_DELIVERY_DELIVERED);
  g_signal_handlers_disconnect_by_data (message, states);

  /* sending -> sent -> delivered, never backwards. */
  g_assert_cmpuint (states->len, >=, 1);
  g_assert_cmpint (g_array_index (states, ConfabDeliveryState, states->len - 1), ==,
                   CONFAB_DELIVERY_DELIVERED);
  for (guint i = 1; i < states->len; i++)
    g_assert_cmpint (g_array_index (states, ConfabDeliveryState, i - 1), <,
                     g_array_index (states, ConfabDeliveryState, i));

  /* The second connection's ids start again: its receipts still find the
   * right message. */
  g_assert_true (confab_session_hang_up (alice, "bob", NULL));
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_CLOSED);
  g_assert_true (session_call (alice, "bob", NULL));
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  send_text (alice, "bob", "again");
  message = message_at (conversation_of (alice, "bob"), 1);
  g_assert_cmpstr (confab_chat_message_get_text (message), ==, "again");
  wait_for_delivery (message, CONFAB_DELIVERY_DELIVERED);
  wait_for_n_items (conversation_of (bob, "alice"), 2);
}

static void
test_session_queues_text_before_open (Fixture       *fixture,
                                      gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "accept");
  g_autoptr(GAsyncResult) result = NULL;
  ConfabConversation *at_bob;

  confab_session_call_async (alice, "bob", NULL, test_store_result_cb, &result);
  /* Typed before bob even heard of the call. */
  send_text (alice, "bob", "one");
  send_text (alice, "bob", "two");
  g_assert_cmpint (confab_chat_message_get_delivery_state (message_at (conversation_of (alice, "bob"), 0)),
                   ==, CONFAB_DELIVERY_SENDING);
  g_assert_true (confab_session_call_finish (alice, test_wait_for_result (&result), NULL));

  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_OPEN);
  at_bob = conversation_of (bob, "alice");
  wait_for_n_items (at_bob, 2);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 0)), ==, "one");
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 1)), ==, "two");
  wait_for_delivery (message_at (conversation_of (alice, "bob"), 1), CONFAB_DELIVERY_DELIVERED);
}

static void
test_session_decline (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "decline");
  ConfabConversation *conversation;

  g_assert_true (session_call (alice, "bob", NULL));
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);

  conversation = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_DECLINED);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (conversation), "bob"));

  conversation = conversation_of (bob, "alice");
  g_assert_cmpint (confab_conversation_get_state (conversation), ==, CONFAB_CONVERSATION_CLOSED);
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_DECLINED);

  /* Nothing more can be said, and the error says why. */
  g_assert_false (confab_session_send_text (alice, "bob", "hello?", NULL));
  g_assert_false (confab_session_accept (bob, "alice", NULL));
}

static void
test_session_offline (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabConversation *conversation;

  g_assert_false (session_call (alice, "carol", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_PEER_OFFLINE);
  g_assert_nonnull (strstr (error->message, "carol"));

  conversation = conversation_of (alice, "carol");
  g_assert_cmpint (confab_conversation_get_state (conversation), ==, CONFAB_CONVERSATION_FAILED);
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE);

  /* Carol signs in; calling again, from the same conversation, works. */
  sign_in (fixture, "carol", "accept");
  g_clear_error (&error);
  g_assert_true (session_call (alice, "carol", &error));
  g_assert_no_error (error);
  wait_for_conversation_state (alice, "carol", CONFAB_CONVERSATION_OPEN);
  g_assert_true (conversation == conversation_of (alice, "carol"));
  g_assert_cmpuint (g_list_model_get_n_items (confab_session_get_conversations (alice)), ==, 1);
}

static void
remove_when_ended_cb (ConfabConversation *conversation,
                      GParamSpec         *pspec,
                      ConfabSession      *session)
{
  ConfabConversationState state = confab_conversation_get_state (conversation);

  if (state == CONFAB_CONVERSATION_FAILED || state == CONFAB_CONVERSATION_CLOSED)
    confab_session_remove_conversation (session, confab_conversation_get_peer_name (conversation));
}

static void
test_session_removed_while_notifying (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "decline");

  /* A window that forgets a conversation the moment it ends: the session
   * must not touch what it just removed. */
  confab_session_call_async (alice, "carol", NULL, test_store_result_cb, &result);
  g_signal_connect (conversation_of (alice, "carol"), "notify::state",
                    G_CALLBACK (remove_when_ended_cb), alice);
  g_assert_false (confab_session_call_finish (alice, test_wait_for_result (&result), &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_PEER_OFFLINE);
  g_assert_null (confab_session_lookup_conversation (alice, "carol"));
  g_clear_error (&error);
  g_clear_object (&result);

  /* The same when the callee declines, on both sides. */
  confab_session_call_async (alice, "bob", NULL, test_store_result_cb, &result);
  g_signal_connect (conversation_of (alice, "bob"), "notify::state",
                    G_CALLBACK (remove_when_ended_cb), alice);
  g_assert_true (confab_session_call_finish (alice, test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  test_wait_for ("alice's conversation with bob to go",
                 confab_session_lookup_conversation (alice, "bob") == NULL);
  g_assert_cmpuint (g_list_model_get_n_items (confab_session_get_conversations (alice)), ==, 0);
  g_assert_cmpuint (get_record (bob)->requests->len, ==, 1);
}

static void
test_session_refusals (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ConfabSession *outsider = add_session (fixture, NULL);
  ConfabSession *alice;
  ConfabSession *impostor;

  /* Not signed in: nothing to call through. */
  g_assert_false (session_call (outsider, "bob", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  /* Names the protocol forbids never reach the network. */
  g_assert_false (session_connect (outsider, fixture->url, "", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_false (session_connect (outsider, fixture->url, "tab\there", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME);
  g_clear_error (&error);

  alice = sign_in (fixture, "alice", NULL);

  /* The name is taken while alice holds it. */
  impostor = add_session (fixture, NULL);
  g_assert_false (session_connect (impostor, fixture->url, "alice", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NAME_TAKEN);
  g_assert_nonnull (strstr (error->message, "alice"));
  g_assert_cmpint (confab_session_get_state (impostor), ==, CONFAB_SESSION_FAILED);
  g_assert_nonnull (confab_session_get_last_error (impostor));
  g_clear_error (&error);

  g_assert_false (session_call (alice, "alice", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_SELF);
  g_clear_error (&error);

  g_assert_false (session_call (alice, "", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_false (confab_session_send_text (alice, "nobody", "hi", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);

  g_assert_false (confab_session_accept (alice, "nobody", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);

  /* The server refuses an unknown server address kindly. */
  g_assert_false (session_connect (impostor, "http://127.0.0.1:1", "zed", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_URL);
  g_clear_error (&error);

  /* Nobody listens there: the client's sentence, in the session's code. */
  g_assert_false (session_connect (impostor, "ws://127.0.0.1:1", "zed", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_UNREACHABLE);
  g_assert_nonnull (confab_session_get_last_error (impostor));
}

static void
test_session_invalid_text (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabConversation *conversation;

  sign_in (fixture, "bob", NULL);
  g_assert_true (session_call (alice, "bob", NULL));
  conversation = conversation_of (alice, "bob");

  /* Bytes that are not UTF-8 are the caller's mistake, not the peer's:
   * a session error of its own, a sentence, and nothing listed or sent. */
  g_assert_false (confab_session_send_text (alice, "bob", "caf\xe9", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_TEXT);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 0);
  g_clear_error (&error);

  /* Empty text is refused in the session's own terms too. */
  g_assert_false (confab_session_send_text (alice, "bob", "", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_EMPTY_TEXT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (conversation)), ==, 0);
  g_clear_error (&error);

  /* Checked before anything else: even with nobody to send it to. */
  g_assert_false (confab_session_send_text (alice, "nobody", "\xff", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_TEXT);
}

static void
test_session_conversation_methods (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabConversation) forgotten = NULL;
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", NULL);
  ConfabConversation *at_alice;
  ConfabConversation *at_bob;

  /* The window answers, writes and ends through the conversation it
   * shows, never by name. */
  g_assert_true (session_call (alice, "bob", NULL));
  test_record_wait_for (get_record (bob)->requests, 1);
  at_alice = conversation_of (alice, "bob");
  at_bob = conversation_of (bob, "alice");
  g_assert_true (confab_conversation_accept (at_bob, &error));
  g_assert_no_error (error);
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_OPEN);

  g_assert_true (confab_conversation_send_text (at_alice, "through the object", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (at_alice)), ==, 1);
  wait_for_n_items (at_bob, 1);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 0)), ==, "through the object");

  /* Its own error, whichever door the text came through. */
  g_assert_false (confab_conversation_send_text (at_alice, "\xc3", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_TEXT);
  g_clear_error (&error);

  g_assert_true (confab_conversation_hang_up (at_bob, &error));
  g_assert_no_error (error);
  g_assert_cmpint (confab_conversation_get_state (at_bob), ==, CONFAB_CONVERSATION_CLOSED);
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_CLOSED);
  g_assert_cmpint (confab_conversation_get_failure (at_alice), ==, CONFAB_CONVERSATION_FAILURE_HUNG_UP);

  /* Writing into an ended conversation says so, and lists nothing. */
  g_assert_false (confab_conversation_send_text (at_alice, "too late", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_ENDED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (at_alice)), ==, 1);
  g_clear_error (&error);

  /* Declining through the object. */
  g_assert_true (session_call (alice, "bob", NULL));
  test_record_wait_for (get_record (bob)->requests, 2);
  g_assert_true (confab_conversation_decline (at_bob, &error));
  g_assert_no_error (error);
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);
  g_assert_cmpint (confab_conversation_get_failure (at_alice), ==, CONFAB_CONVERSATION_FAILURE_DECLINED);
  g_assert_false (confab_conversation_accept (at_bob, &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);

  /* A conversation the session forgot stays forgotten: a view still
   * holding it cannot answer the newer request of the same person. */
  forgotten = g_object_ref (at_bob);
  confab_session_remove_conversation (bob, "alice");
  g_assert_true (session_call (alice, "bob", NULL));
  test_record_wait_for (get_record (bob)->requests, 3);
  g_assert_true (conversation_of (bob, "alice") != forgotten);
  g_assert_false (confab_conversation_accept (forgotten, &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);
  g_assert_false (confab_conversation_send_text (forgotten, "stale", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_assert_cmpint (confab_conversation_get_state (conversation_of (bob, "alice")), ==,
                   CONFAB_CONVERSATION_INCOMING);
}

static void
test_session_close (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *conversations;
  ConfabSession *alice, *bob, *carol;

  connect_pair (fixture, &alice, &bob);
  carol = sign_in (fixture, "carol", NULL);
  /* One chat open, one call still ringing at carol's. */
  g_assert_true (session_call (alice, "carol", NULL));
  test_record_wait_for (get_record (carol)->requests, 1);

  /* What a program says just before it quits still goes out. */
  send_text (alice, "bob", "last words");
  confab_session_close_async (alice, NULL, test_store_result_cb, &result);
  g_assert_true (confab_session_close_finish (alice, test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  /* Done means done: every connection of the process has closed, alice
   * is signed out, and her conversations stay listed, closed. */
  g_assert_cmpuint (confab_runtime_get_n_closing (), ==, 0);
  g_assert_cmpint (confab_session_get_state (alice), ==, CONFAB_SESSION_DISCONNECTED);
  conversations = confab_session_get_conversations (alice);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (conversations); i++)
    {
      g_autoptr(ConfabConversation) conversation = g_list_model_get_item (conversations, i);
      ConfabPeer *peer = _confab_session_get_peer (alice, confab_conversation_get_peer_name (conversation));

      g_assert_cmpint (confab_conversation_get_state (conversation), ==, CONFAB_CONVERSATION_CLOSED);
      g_assert_cmpint (confab_peer_get_state (peer), ==, CONFAB_PEER_STATE_CLOSED);
    }

  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_CLOSED);
  g_assert_true (has_message (conversation_of (bob, "alice"), CONFAB_CHAT_MESSAGE_INCOMING, "last words"));
  wait_for_conversation_state (carol, "alice", CONFAB_CONVERSATION_CLOSED);
  g_clear_object (&result);

  /* With nothing to close it completes all the same, and twice is fine. */
  confab_session_close_async (alice, NULL, test_store_result_cb, &result);
  g_assert_true (confab_session_close_finish (alice, test_wait_for_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_session_hang_up (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabSession *alice, *bob;
  ConfabConversation *at_bob;

  connect_pair (fixture, &alice, &bob);

  /* What alice says last still arrives. */
  send_text (alice, "bob", "bye now");
  g_assert_true (confab_session_hang_up (alice, "bob", NULL));
  g_assert_cmpint (confab_conversation_get_state (conversation_of (alice, "bob")), ==,
                   CONFAB_CONVERSATION_CLOSED);

  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_CLOSED);
  at_bob = conversation_of (bob, "alice");
  g_assert_cmpint (confab_conversation_get_failure (at_bob), ==, CONFAB_CONVERSATION_FAILURE_HUNG_UP);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (at_bob), "alice"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (at_bob)), ==, 1);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (at_bob, 0)), ==, "bye now");

  /* Removing forgets it. */
  confab_session_remove_conversation (bob, "alice");
  g_assert_null (confab_session_lookup_conversation (bob, "alice"));
  g_assert_cmpuint (g_list_model_get_n_items (confab_session_get_conversations (bob)), ==, 0);
}

static void
test_session_peer_vanishes (Fixture       *fixture,
                            gconstpointer  data)
{
  ConfabSession *alice, *bob;
  ConfabConversation *at_alice;

  connect_pair (fixture, &alice, &bob);

  /* Bob's network goes away without a word (libnice still answers STUN):
   * only the heartbeat can tell alice. */
  _confab_peer_drop_network (_confab_session_get_peer (bob, "alice"));

  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);
  at_alice = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_failure (at_alice), ==,
                   CONFAB_CONVERSATION_FAILURE_VANISHED);
  g_assert_nonnull (confab_conversation_get_failure_reason (at_alice));
}

static void
test_session_no_answer (Fixture       *fixture,
                        gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", NULL);
  ConfabConversation *conversation;

  confab_session_set_answer_timeout (alice, 1);
  g_assert_cmpuint (confab_session_get_answer_timeout (alice), ==, 1);
  g_assert_true (session_call (alice, "bob", NULL));

  /* Bob never answers. */
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);
  conversation = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_NO_ANSWER);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (conversation), "bob"));

  /* And his question goes away, for his dialog to close. */
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_CLOSED);
  g_assert_cmpint (confab_conversation_get_failure (conversation_of (bob, "alice")), ==,
                   CONFAB_CONVERSATION_FAILURE_HUNG_UP);
  g_assert_false (confab_session_accept (bob, "alice", NULL));
}

static void
test_session_no_network_path (Fixture       *fixture,
                              gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "accept-offline");
  ConfabConversation *conversation;

  g_assert_true (session_call (alice, "bob", NULL));
  send_text (alice, "bob", "lost in the ether");

  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);
  conversation = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_NETWORK);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (conversation), "TURN"));
  /* What could not be sent says so. */
  g_assert_cmpint (confab_chat_message_get_delivery_state (message_at (conversation, 0)), ==,
                   CONFAB_DELIVERY_FAILED);

  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_FAILED);
}

/* Servers a chat cannot use fail it with a sentence the person sees (the
 * conversation's failure), where they used to be a log line: relay-only
 * with no TURN server on the caller's side, a bad URL on the callee's,
 * whose caller then hears the hang-up rather than wait for an answer. */
static void
test_session_unusable_ice_servers (Fixture       *fixture,
                                   gconstpointer  data)
{
  static const char * const bad[] = { "turn:turn.example.org", NULL };
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "accept");
  ConfabSession *carol = sign_in (fixture, "carol", NULL);
  ConfabConversation *conversation;
  const char *reason;

  confab_session_set_relay_only (alice, TRUE);
  g_assert_true (confab_session_get_relay_only (alice));
  session_call (alice, "bob", NULL);
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_FAILED);
  conversation = conversation_of (alice, "bob");
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_ICE_SERVERS);
  reason = confab_conversation_get_failure_reason (conversation);
  g_assert_nonnull (strstr (reason, "bob"));
  g_assert_nonnull (strstr (reason, "TURN server"));

  confab_session_set_ice_servers (bob, bad);
  g_assert_true (session_call (carol, "bob", NULL));
  wait_for_conversation_state (bob, "carol", CONFAB_CONVERSATION_FAILED);
  conversation = conversation_of (bob, "carol");
  g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_ICE_SERVERS);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (conversation),
                            "turn:turn.example.org"));
  wait_for_conversation_state (carol, "bob", CONFAB_CONVERSATION_CLOSED);
  g_assert_cmpint (confab_conversation_get_failure (conversation_of (carol, "bob")), ==,
                   CONFAB_CONVERSATION_FAILURE_HUNG_UP);
}

static void
test_session_server_restarts (Fixture       *fixture,
                              gconstpointer  data)
{
  ConfabSession *alice, *bob;

  connect_pair (fixture, &alice, &bob);

  /* The server goes away: the chat goes on peer to peer. */
  confab_signal_server_stop (fixture->server);
  wait_for_session_state (alice, CONFAB_SESSION_RECONNECTING);
  wait_for_session_state (bob, CONFAB_SESSION_RECONNECTING);
  g_assert_nonnull (confab_session_get_last_error (alice));
  test_wait_for ("the server's clients to close",
                 confab_signal_server_get_n_clients (fixture->server) == 0);
  g_clear_object (&fixture->server);

  send_text (alice, "bob", "still here?");
  wait_for_n_items (conversation_of (bob, "alice"), 1);
  g_assert_cmpstr (confab_chat_message_get_text (message_at (conversation_of (bob, "alice"), 0)),
                   ==, "still here?");
  g_assert_cmpint (confab_conversation_get_state (conversation_of (alice, "bob")), ==,
                   CONFAB_CONVERSATION_OPEN);

  /* It comes back on the same port: both sign in again by themselves. */
  fixture->server = test_start_server (fixture->port, 0);
  wait_for_session_state (alice, CONFAB_SESSION_REGISTERED);
  wait_for_session_state (bob, CONFAB_SESSION_REGISTERED);
  g_assert_null (confab_session_get_last_error (alice));

  send_text (bob, "alice", "yes");
  wait_for_n_items (conversation_of (alice, "bob"), 2);

  /* And the server introduces them again. */
  g_assert_true (confab_session_hang_up (alice, "bob", NULL));
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_CLOSED);
  g_assert_true (session_call (alice, "bob", NULL));
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
}

static void
test_session_two_conversations (Fixture       *fixture,
                                gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", "accept");
  ConfabSession *carol = sign_in (fixture, "carol", "accept");
  GListModel *conversations = confab_session_get_conversations (alice);

  g_assert_true (session_call (alice, "bob", NULL));
  g_assert_true (session_call (alice, "carol", NULL));
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (alice, "carol", CONFAB_CONVERSATION_OPEN);
  g_assert_cmpuint (g_list_model_get_n_items (conversations), ==, 2);

  send_text (alice, "bob", "for bob");
  send_text (alice, "carol", "for carol");
  send_text (carol, "alice", "from carol");
  send_text (bob, "alice", "from bob");

  wait_for_n_items (conversation_of (bob, "alice"), 2);
  wait_for_n_items (conversation_of (carol, "alice"), 2);
  wait_for_n_items (conversation_of (alice, "bob"), 2);
  wait_for_n_items (conversation_of (alice, "carol"), 2);

  g_assert_true (has_message (conversation_of (bob, "alice"), CONFAB_CHAT_MESSAGE_INCOMING, "for bob"));
  g_assert_true (has_message (conversation_of (carol, "alice"), CONFAB_CHAT_MESSAGE_INCOMING, "for carol"));
  g_assert_true (has_message (conversation_of (alice, "bob"), CONFAB_CHAT_MESSAGE_INCOMING, "from bob"));
  g_assert_true (has_message (conversation_of (alice, "carol"), CONFAB_CHAT_MESSAGE_INCOMING, "from carol"));
  g_assert_false (has_message (conversation_of (alice, "bob"), CONFAB_CHAT_MESSAGE_INCOMING, "from carol"));
  g_assert_null (confab_session_lookup_conversation (bob, "carol"));

  /* One ends; the other goes on. */
  g_assert_true (confab_session_hang_up (carol, "alice", NULL));
  wait_for_conversation_state (alice, "carol", CONFAB_CONVERSATION_CLOSED);
  send_text (alice, "bob", "just us");
  wait_for_n_items (conversation_of (bob, "alice"), 3);
  g_assert_cmpint (confab_conversation_get_state (conversation_of (alice, "bob")), ==,
                   CONFAB_CONVERSATION_OPEN);
}

static void
test_session_mebibyte_message (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GString) text = g_string_sized_new (1024 * 1024);
  ConfabSession *alice, *bob;
  ConfabConversation *at_bob;

  connect_pair (fixture, &alice, &bob);

  /* Multi-byte characters throughout, so a chunk boundary inside one
   * would show. */
  while (text->len < 1024 * 1024)
    g_string_append_printf (text, "%07u ünïcødé ✓\n", (guint) text->len);

  send_text (alice, "bob", text->str);
  at_bob = conversation_of (bob, "alice");
  wait_for_n_items (at_bob, 1);
  g_assert_cmpuint (strlen (confab_chat_message_get_text (message_at (at_bob, 0))), ==, text->len);
  g_assert_true (strcmp (confab_chat_message_get_text (message_at (at_bob, 0)), text->str) == 0);
  wait_for_delivery (message_at (conversation_of (alice, "bob"), 0), CONFAB_DELIVERY_DELIVERED);
}

static void
test_session_both_call_at_once (Fixture       *fixture,
                                gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", NULL);
  g_autoptr(GAsyncResult) alice_result = NULL;
  g_autoptr(GAsyncResult) bob_result = NULL;

  /* Each asks before hearing of the other's call. */
  confab_session_call_async (alice, "bob", NULL, test_store_result_cb, &alice_result);
  confab_session_call_async (bob, "alice", NULL, test_store_result_cb, &bob_result);
  test_wait_for_result (&alice_result);
  test_wait_for_result (&bob_result);

  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_OPEN);
  /* Both wanted the chat: nobody had to accept. */
  g_assert_cmpuint (get_record (alice)->requests->len + get_record (bob)->requests->len, <=, 1);

  send_text (alice, "bob", "ping");
  send_text (bob, "alice", "pong");
  wait_for_n_items (conversation_of (alice, "bob"), 2);
  wait_for_n_items (conversation_of (bob, "alice"), 2);
}

static void
test_session_call_someone_asking (Fixture       *fixture,
                                  gconstpointer  data)
{
  ConfabSession *alice = sign_in (fixture, "alice", NULL);
  ConfabSession *bob = sign_in (fixture, "bob", NULL);

  g_assert_true (session_call (alice, "bob", NULL));
  test_wait_for ("bob to be asked", get_record (bob)->requests->len > 0);

  /* Bob calls alice back rather than pressing accept: that is a yes. */
  g_assert_true (session_call (bob, "alice", NULL));
  wait_for_conversation_state (alice, "bob", CONFAB_CONVERSATION_OPEN);
  wait_for_conversation_state (bob, "alice", CONFAB_CONVERSATION_OPEN);
}

static void
test_session_enums_are_registered (void)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (CONFAB_TYPE_SESSION_STATE);
  g_autoptr(GEnumClass) errors = g_type_class_ref (CONFAB_TYPE_SESSION_ERROR);

  g_assert_cmpstr (g_enum_get_value (states, CONFAB_SESSION_RECONNECTING)->value_nick, ==,
                   "reconnecting");
  g_assert_cmpstr (g_enum_get_value (errors, CONFAB_SESSION_ERROR_PEER_OFFLINE)->value_nick, ==,
                   "peer-offline");
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("call-accept-chat", test_session_call_accept_chat);
  ADD ("delivery-receipts", test_session_delivery_receipts);
  ADD ("queues-text-before-open", test_session_queues_text_before_open);
  ADD ("decline", test_session_decline);
  ADD ("offline", test_session_offline);
  ADD ("refusals", test_session_refusals);
  ADD ("removed-while-notifying", test_session_removed_while_notifying);
  ADD ("invalid-text", test_session_invalid_text);
  ADD ("conversation-methods", test_session_conversation_methods);
  ADD ("close", test_session_close);
  ADD ("hang-up", test_session_hang_up);
  ADD ("peer-vanishes", test_session_peer_vanishes);
  ADD ("no-answer", test_session_no_answer);
  ADD ("no-network-path", test_session_no_network_path);
  ADD ("unusable-ice-servers", test_session_unusable_ice_servers);
  ADD ("server-restarts", test_session_server_restarts);
  ADD ("two-conversations", test_session_two_conversations);
  ADD ("mebibyte-message", test_session_mebibyte_message);
  ADD ("both-call-at-once", test_session_both_call_at_once);
  ADD ("call-someone-asking", test_session_call_someone_asking);

#undef ADD

  g_test_add_func ("/session/enums-are-registered", test_session_enums_are_registered);

  return g_test_run ();
}
