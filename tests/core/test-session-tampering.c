/* test-session-tampering.c: ConfabSession through a signalling relay that
 * rewrites a=fingerprint, as a hostile server or anyone on a plain ws://
 * path could
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-fingerprint.h"
#include "confab-runtime.h"
#include "confab-session.h"
#include "confab-signal-server.h"
#include "test-support.h"

/* The real ConfabSignalServer on a free port, and in front of it a relay
 * of the test's own: a websocket server that opens one connection to the
 * real server for each client and passes every message on, rewriting
 * (when told to) the fingerprint of each offer and answer a client sends
 * to one no certificate of the two has.  The peers' DTLS still runs
 * directly between them, so the only thing that can stop the chat is the
 * check of the certificate against the description. */

typedef enum
{
  RELAY_HONEST,
  RELAY_REWRITES,       /* a=fingerprint replaced by another certificate's */
  RELAY_STRIPS,         /* a=fingerprint lines left out altogether */
} RelayMode;

typedef struct
{
  SoupServer *server;
  SoupSession *session;
  char       *upstream;
  char       *url;
  char       *fingerprint;
  RelayMode   mode;
  guint       n_rewritten;
  GPtrArray  *links;
} Relay;

/* One client's connection and its twin to the real server. */
typedef struct
{
  Relay                   *relay;
  SoupWebsocketConnection *client;
  SoupWebsocketConnection *upstream;
  GPtrArray               *pending;    /* client messages before upstream is open */
} Link;

static char *
strip_fingerprints (const char *sdp)
{
  g_auto(GStrv) lines = g_strsplit (sdp, "\r\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "a=fingerprint:"))
        continue;
      g_string_append (out, lines[i]);
      if (lines[i + 1] != NULL)
        g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

/* What the relay makes of a message a client sends to the server. */
static char *
relay_rewrite (Relay      *relay,
               const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *sdp = NULL;
  JsonObject *object;
  JsonObject *data;
  const char *type;

  if (relay->mode == RELAY_HONEST || !json_parser_load_from_data (parser, text, -1, NULL))
    return g_strdup (text);

  object = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (object, "type", "");
  if (!g_str_equal (type, "create_offer") && !g_str_equal (type, "create_answer"))
    return g_strdup (text);

  data = json_object_get_object_member (object, "data");
  if (relay->mode == RELAY_REWRITES)
    sdp = confab_fingerprint_replace_in_sdp (json_object_get_string_member (data, "sdp"),
                                             relay->fingerprint);
  else
    sdp = strip_fingerprints (json_object_get_string_member (data, "sdp"));
  g_assert_cmpstr (sdp, !=, json_object_get_string_member (data, "sdp"));
  json_object_set_string_member (data, "sdp", sdp);
  relay->n_rewritten++;

  generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

static void
link_close (Link *link)
{
  if (link->client != NULL &&
      soup_websocket_connection_get_state (link->client) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (link->client, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  if (link->upstream != NULL &&
      soup_websocket_connection_get_state (link->upstream) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (link->upstream, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void
link_free (gpointer data)
{
  Link *link = data;

  if (link->client != NULL)
    g_signal_handlers_disconnect_by_data (link->client, link);
  if (link->upstream != NULL)
    g_signal_handlers_disconnect_by_data (link->upstream, link);
  link_close (link);
  g_clear_object (&link->client);
  g_clear_object (&link->upstream);
  g_ptr_array_unref (link->pending);
  g_free (link);
}

static void
client_message_cb (SoupWebsocketConnection *connection,
                   int                      type,
                   GBytes                  *message,
                   Link                    *link)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  char *rewritten = relay_rewrite (link->relay, text);

  if (link->upstream == NULL)
    g_ptr_array_add (link->pending, rewritten);
  else
    {
      soup_websocket_connection_send_text (link->upstream, rewritten);
      g_free (rewritten);
    }
}

static void
upstream_message_cb (SoupWebsocketConnection *connection,
                     int                      type,
                     GBytes                  *message,
                     Link                    *link)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));

  if (soup_websocket_connection_get_state (link->client) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (link->client, text);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           Link                    *link)
{
  link_close (link);
}

static void
upstream_connected_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GError) error = NULL;

  link->upstream = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  g_signal_connect (link->upstream, "message", G_CALLBACK (upstream_message_cb), link);
  g_signal_connect (link->upstream, "closed", G_CALLBACK (closed_cb), link);

  for (guint i = 0; i < link->pending->len; i++)
    soup_websocket_connection_send_text (link->upstream, g_ptr_array_index (link->pending, i));
  g_ptr_array_set_size (link->pending, 0);
}

static void
relay_websocket_cb (SoupServer              *server,
                    SoupServerMessage       *message,
                    const char              *path,
                    SoupWebsocketConnection *connection,
                    gpointer                 user_data)
{
  Relay *relay = user_data;
  g_autoptr(SoupMessage) upstream = soup_message_new ("GET", relay->upstream);
  Link *link = g_new0 (Link, 1);

  link->relay = relay;
  link->client = g_object_ref (connection);
  link->pending = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (relay->links, link);
  g_signal_connect (connection, "message", G_CALLBACK (client_message_cb), link);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), link);

  soup_session_websocket_connect_async (relay->session, upstream, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, upstream_connected_cb, link);
}

/* A sha-256 fingerprint of no certificate either peer holds. */
static char *
stranger_fingerprint (void)
{
  guint8 der[64];

  for (guint i = 0; i < sizeof der; i++)
    der[i] = g_random_int_range (0, 256);
  return confab_fingerprint_from_der (der, sizeof der);
}

static Relay *
relay_new (const char *upstream,
           RelayMode   mode)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  relay->upstream = g_strdup (upstream);
  relay->mode = mode;
  relay->fingerprint = stranger_fingerprint ();
  relay->links = g_ptr_array_new_with_free_func (link_free);
  relay->session = soup_session_new ();
  relay->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (relay->server, NULL, NULL, NULL, relay_websocket_cb, relay, NULL);
  /* A socket of our own, handed to the server: libsoup 3.2.3 leaks the
   * address its listener reads back from the socket (one
   * GInetSocketAddress each time, reported under LeakSanitizer), which
   * soup_server_listen_local() and soup_server_get_uris() both do. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  soup_server_listen_socket (relay->server, socket, 0, &error);
  g_assert_no_error (error);
  relay->url = g_strdup_printf ("ws://127.0.0.1:%u",
                                g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  return relay;
}

static void
relay_free (Relay *relay)
{
  g_ptr_array_unref (relay->links);
  soup_server_disconnect (relay->server);
  g_object_unref (relay->server);
  g_object_unref (relay->session);
  g_free (relay->upstream);
  g_free (relay->url);
  g_free (relay->fingerprint);
  g_free (relay);
}

typedef struct
{
  ConfabSignalServer *server;
  char               *url;
  Relay              *relay;
  GPtrArray          *sessions;
} Fixture;

/* Every state a session's conversations went through, as "peer:state". */
static void
conversation_state_cb (ConfabConversation *conversation,
                       GParamSpec         *pspec,
                       GPtrArray          *states)
{
  g_ptr_array_add (states, g_strdup_printf ("%s:%d", confab_conversation_get_peer_name (conversation),
                                            confab_conversation_get_state (conversation)));
}

static void
conversations_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          GPtrArray  *states)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(ConfabConversation) conversation = g_list_model_get_item (model, i);

      g_signal_connect (conversation, "notify::state", G_CALLBACK (conversation_state_cb), states);
    }
}

static void
incoming_request_cb (ConfabSession *session,
                     const char    *peer,
                     gpointer       user_data)
{
  g_autoptr(GError) error = NULL;

  /* Text typed before the user even accepts waits for the chat too. */
  g_assert_true (confab_session_accept (session, peer, &error));
  g_assert_no_error (error);
  /* An offer without a fingerprint is refused on accepting it. */
  if (confab_conversation_get_state (confab_session_lookup_conversation (session, peer)) ==
      CONFAB_CONVERSATION_FAILED)
    return;
  g_assert_true (confab_session_send_text (session, peer, "early from the callee", &error));
  g_assert_no_error (error);
}

static GPtrArray *
states_of (ConfabSession *session)
{
  return g_object_get_data (G_OBJECT (session), "states");
}

static ConfabSession *
sign_in (Fixture    *fixture,
         const char *name)
{
  ConfabSession *session = confab_session_new ();
  GPtrArray *states = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set_data_full (G_OBJECT (session), "states", states, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (confab_session_get_conversations (session), "items-changed",
                    G_CALLBACK (conversations_changed_cb), states);
  g_signal_connect (session, "incoming-request", G_CALLBACK (incoming_request_cb), NULL);
  g_ptr_array_add (fixture->sessions, session);

  confab_session_connect_async (session, fixture->relay->url, name, NULL, test_store_result_cb, &result);
  g_assert_true (confab_session_connect_finish (session, test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  return session;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = confab_signal_server_new ();
  confab_signal_server_set_rate (fixture->server, 0);
  confab_signal_server_listen (fixture->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  fixture->url = g_strdup_printf ("ws://127.0.0.1:%u", confab_signal_server_get_bound_port (fixture->server));
  fixture->relay = relay_new (fixture->url, GPOINTER_TO_INT (data) & 0xff);
  fixture->sessions = g_ptr_array_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < fixture->sessions->len; i++)
    {
      ConfabSession *session = g_ptr_array_index (fixture->sessions, i);

      g_signal_handlers_disconnect_by_func (confab_session_get_conversations (session),
                                            conversations_changed_cb, states_of (session));
      for (guint j = 0; j < g_list_model_get_n_items (confab_session_get_conversations (session)); j++)
        {
          g_autoptr(GObject) conversation = g_list_model_get_item (confab_session_get_conversations (session), j);

          g_signal_handlers_disconnect_by_func (conversation, conversation_state_cb, states_of (session));
        }
      confab_session_disconnect (session);
      g_assert_finalize_object (session);
    }
  g_ptr_array_unref (fixture->sessions);

  while (confab_runtime_get_n_closing () > 0 || confab_signal_server_get_n_clients (fixture->server) > 0)
    g_main_context_iteration (NULL, TRUE);

  relay_free (fixture->relay);
  confab_signal_server_stop (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->url);
}

static ConfabConversation *
wait_for_end_or_open (ConfabSession *session,
                      const char    *peer)
{
  for (;;)
    {
      ConfabConversation *conversation = confab_session_lookup_conversation (session, peer);

      if (conversation != NULL)
        {
          ConfabConversationState state = confab_conversation_get_state (conversation);

          if (state == CONFAB_CONVERSATION_OPEN || state == CONFAB_CONVERSATION_FAILED ||
              state == CONFAB_CONVERSATION_CLOSED)
            return conversation;
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

static guint
count_incoming (ConfabConversation *conversation)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (conversation)); i++)
    {
      g_autoptr(ConfabChatMessage) message = g_list_model_get_item (G_LIST_MODEL (conversation), i);

      if (confab_chat_message_get_direction (message) == CONFAB_CHAT_MESSAGE_INCOMING)
        n++;
    }

  return n;
}

static gboolean
was_ever_open (ConfabSession *session)
{
  g_autofree char *open = g_strdup_printf (":%d", CONFAB_CONVERSATION_OPEN);
  GPtrArray *states = states_of (session);

  for (guint i = 0; i < states->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (states, i), open))
      return TRUE;

  return FALSE;
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates for a moment, for anything late to arrive. */
static void
linger (guint msec)
{
  gboolean passed = FALSE;

  g_timeout_add (msec, deadline_cb, &passed);
  while (!passed)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_tampering (Fixture       *fixture,
                gconstpointer  data)
{
  RelayMode mode = GPOINTER_TO_INT (data) & 0xff;
  gboolean bob_calls = (GPOINTER_TO_INT (data) & 0x100) != 0;
  ConfabSession *alice = sign_in (fixture, "alice");
  ConfabSession *bob = sign_in (fixture, "bob");
  ConfabSession *caller = bob_calls ? bob : alice;
  ConfabSession *callee = bob_calls ? alice : bob;
  const char *caller_name = bob_calls ? "bob" : "alice";
  const char *callee_name = bob_calls ? "alice" : "bob";
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversation *at_caller;
  ConfabConversation *at_callee;
  g_autoptr(ConfabChatMessage) early = NULL;

  confab_session_call_async (caller, callee_name, NULL, test_store_result_cb, &result);
  /* Typed before anything is known of the other side. */
  g_assert_true (confab_session_send_text (caller, callee_name, "early from the caller", &error));
  g_assert_no_error (error);
  early = g_list_model_get_item (G_LIST_MODEL (confab_session_lookup_conversation (caller, callee_name)), 0);
  g_assert_true (confab_session_call_finish (caller, test_wait_for_result (&result), &error));
  g_assert_no_error (error);

  at_caller = wait_for_end_or_open (caller, callee_name);
  at_callee = wait_for_end_or_open (callee, caller_name);

  /* The relay did what it was told: offer and answer (a callee refuses
   * an offer without a fingerprint before it answers). */
  g_assert_cmpuint (fixture->relay->n_rewritten, ==,
                    mode == RELAY_HONEST ? 0 : mode == RELAY_STRIPS ? 1 : 2);

  if (mode == RELAY_HONEST)
    {
      /* The same relay, passing the fingerprints on: the chat opens, so
       * the refusals below are the check's doing. */
      g_assert_cmpint (confab_conversation_get_state (at_caller), ==, CONFAB_CONVERSATION_OPEN);
      g_assert_cmpint (confab_conversation_get_state (at_callee), ==, CONFAB_CONVERSATION_OPEN);
      while (count_incoming (at_caller) < 1 || count_incoming (at_callee) < 1)
        g_main_context_iteration (NULL, TRUE);
      while (confab_chat_message_get_delivery_state (early) != CONFAB_DELIVERY_DELIVERED)
        g_main_context_iteration (NULL, TRUE);
      return;
    }

  /* Whoever was shown a fingerprint that is not the other's refuses:
   * both, when both descriptions were rewritten; the callee alone, and
   * the caller hears it hung up, when the offer had none. */
  g_assert_cmpint (confab_conversation_get_state (at_callee), ==, CONFAB_CONVERSATION_FAILED);
  g_assert_cmpint (confab_conversation_get_failure (at_callee), ==, CONFAB_CONVERSATION_FAILURE_TAMPERED);
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (at_callee), "tampered with"));
  g_assert_nonnull (strstr (confab_conversation_get_failure_reason (at_callee), "Nothing was sent"));
  g_test_message ("%s", confab_conversation_get_failure_reason (at_callee));
  if (mode == RELAY_REWRITES)
    {
      g_assert_cmpint (confab_conversation_get_state (at_caller), ==, CONFAB_CONVERSATION_FAILED);
      g_assert_cmpint (confab_conversation_get_failure (at_caller), ==, CONFAB_CONVERSATION_FAILURE_TAMPERED);
    }
  else
    {
      g_assert_cmpint (confab_conversation_get_state (at_caller), !=, CONFAB_CONVERSATION_OPEN);
    }

  /* Let anything still on its way arrive: nothing does. */
  linger (500);
  g_assert_false (was_ever_open (alice));
  g_assert_false (was_ever_open (bob));
  g_assert_cmpuint (count_incoming (at_caller), ==, 0);
  g_assert_cmpuint (count_incoming (at_callee), ==, 0);
  /* What waited for the chat is reported unsent, never delivered. */
  g_assert_cmpint (confab_chat_message_get_delivery_state (early), ==, CONFAB_DELIVERY_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data) \
  g_test_add ("/session-tampering/" path, Fixture, GINT_TO_POINTER (data), \
              fixture_set_up, test_tampering, fixture_tear_down)

  ADD ("honest-relay", RELAY_HONEST);
  ADD ("honest-relay-bob-calls", RELAY_HONEST | 0x100);
  ADD ("rewritten-alice-calls", RELAY_REWRITES);
  ADD ("rewritten-bob-calls", RELAY_REWRITES | 0x100);
  ADD ("stripped-alice-calls", RELAY_STRIPS);
  ADD ("stripped-bob-calls", RELAY_STRIPS | 0x100);

#undef ADD

  return g_test_run ();
}
