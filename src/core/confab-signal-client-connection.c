/* confab-signal-client-connection.c: one connection to the server
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "confab-signal-client-errors.h"
#include "confab-signal-client-private.h"

/* The part of ConfabSignalClient that talks to the server over one
 * websocket: opening it, signing the name in on it, reading what comes
 * back, and letting it go. */

/* Frames from the server: an offer with every candidate in its SDP can
 * pass the 64 KiB a server accepts from a client, so allow more here. */
#define MAX_INCOMING_FRAME (256 * 1024)

static const char *
confab_signal_client_get_host (ConfabSignalClient *self)
{
  const char *host = self->uri != NULL ? g_uri_get_host (self->uri) : NULL;

  return host != NULL ? host : self->url;
}

/* Lets go of the connection, closing it if it is open, and fails the
 * questions asked on it with @error.  Nothing it does afterwards reaches
 * us. */
void
_confab_signal_client_drop_connection (ConfabSignalClient *self,
                                       const GError       *error)
{
  g_autoptr(SoupWebsocketConnection) connection = g_steal_pointer (&self->connection);

  _confab_signal_client_clear_source (&self->watchdog);
  _confab_signal_client_clear_source (&self->attempt_timeout);
  self->registering = FALSE;

  if (connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (connection, self);

      /* The close handshake needs the connection alive: it lets go of
       * itself once closed. */
      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          g_signal_connect (connection, "closed", G_CALLBACK (g_object_unref), NULL);
          soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          connection = NULL;
        }
    }

  if (self->transfers != NULL)
    confab_start_transfer_queue_fail_all (self->transfers, error);
}

static void
confab_signal_client_registered (ConfabSignalClient *self)
{
  self->registering = FALSE;
  self->n_failures = 0;
  _confab_signal_client_clear_source (&self->attempt_timeout);
  g_clear_object (&self->attempt_cancellable);

  _confab_signal_client_take_last_error (self, NULL);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  _confab_signal_client_complete_connect (self, NULL);
}

static void
confab_signal_client_handle_error_reply (ConfabSignalClient *self,
                                         ConfabMessage      *message)
{
  const char *ref = confab_message_get_error_ref (message);
  const char *code = confab_message_get_error_code (message);
  const char *text = confab_message_get_error_message (message);

  /* Before the name is registered, an error without a ref (such as a full
   * server's) can only be about us signing in. */
  if (self->registering && (ref == NULL || g_strcmp0 (ref, "store_user") == 0))
    {
      GError *refusal = _confab_signal_client_error_sign_in_refused (self->url, self->name,
                                                                     code, text);

      _confab_signal_client_attempt_failed (self, refusal);
      return;
    }

  if (g_strcmp0 (ref, "start_transfer") == 0)
    confab_start_transfer_queue_refuse (self->transfers, text);

  _confab_signal_client_emit_server_error (self, message);
}

static void
confab_signal_client_handle_transfer_response (ConfabSignalClient *self,
                                               ConfabMessage      *message)
{
  const char *online_user = confab_message_get_user (message);
  g_autofree char *peer = NULL;

  if (confab_start_transfer_queue_answer (self->transfers, online_user, &peer))
    _confab_signal_client_emit_message (self, message, peer);
}

static void
confab_signal_client_handle_message (ConfabSignalClient *self,
                                     ConfabMessage      *message)
{
  ConfabMessageKind kind = confab_message_get_kind (message);

  switch (kind)
    {
    case CONFAB_MESSAGE_USER_STORED:
      if (self->registering)
        confab_signal_client_registered (self);
      break;

    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
      if (self->registering)
        _confab_signal_client_attempt_failed (self,
                                              _confab_signal_client_error_name_taken (self->url,
                                                                                      self->name));
      break;

    case CONFAB_MESSAGE_ERROR:
      confab_signal_client_handle_error_reply (self, message);
      break;

    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
      confab_signal_client_handle_transfer_response (self, message);
      break;

    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
    case CONFAB_MESSAGE_ICE_CANDIDATE:
      _confab_signal_client_emit_message (self, message, confab_message_get_name (message));
      break;

    /* Requests are for servers; one sent to us is the server's mistake. */
    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
    case CONFAB_MESSAGE_N_KINDS:
    default:
      g_message ("Ignoring a “%s” the server at %s sent",
                 confab_message_kind_to_string (kind), self->url);
      break;
    }
}

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) hold = NULL;
  const char *data;
  gsize length;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));
  g_assert (self->connection == connection);

  self->last_heard = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("Ignoring a binary frame the server at %s sent", self->url);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  message = confab_message_parse (data, length, MAX_INCOMING_FRAME, NULL, &error);
  if (message == NULL)
    {
      /* The server is untrusted input like any peer: say so and go on. */
      g_message ("Ignoring a frame the server at %s sent: %s", self->url, error->message);
      return;
    }

  /* A handler may drop the last reference to us. */
  hold = g_object_ref (G_OBJECT (self));
  confab_signal_client_handle_message (self, message);
}

static void
pong_cb (SoupWebsocketConnection *connection,
         GBytes                  *bytes,
         gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  self->last_heard = g_get_monotonic_time ();
}

static void
error_cb (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* "closed" follows and does the work. */
  g_debug ("The connection to %s failed: %s", self->url, error->message);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));
  g_assert (self->connection == connection);

  if (self->registering)
    {
      GError *error = _confab_signal_client_error_closed_before_sign_in (self->url);

      _confab_signal_client_attempt_failed (self, error);
    }
  else
    _confab_signal_client_connection_lost (self);
}

void
_confab_signal_client_send_message (ConfabSignalClient *self,
                                    ConfabMessage      *message)
{
  g_autofree char *json = confab_message_to_json (message, NULL);

  soup_websocket_connection_send_text (self->connection, json);
}

static void
websocket_connect_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(ConfabMessage) store_user = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  /* Cancelled means we were told to stop, maybe by dispose: @self may be
   * gone, and must not be touched. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  if (connection == NULL)
    {
      const char *host = confab_signal_client_get_host (self);
      GError *described = _confab_signal_client_error_from_connect (self->url, host, error);

      _confab_signal_client_attempt_failed (self, described);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_FRAME);
  g_signal_connect (self->connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->connection, "pong", G_CALLBACK (pong_cb), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (error_cb), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (closed_cb), self);
  _confab_signal_client_start_watchdog (self);

  /* Registering is the same the first time and after every reconnection:
   * the server forgot us with the old socket. */
  self->registering = TRUE;
  store_user = confab_message_new_store_user (self->name);
  _confab_signal_client_send_message (self, store_user);
}

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  /* Signalling is bursts of small frames (an answer, then candidates one
   * by one): with Nagle's algorithm each could wait for the ACK of the
   * one before, up to the server's delayed-ACK time. */
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

void
_confab_signal_client_start_attempt (ConfabSignalClient *self)
{
  g_autoptr(SoupMessage) message = NULL;

  g_assert (self->connection == NULL);
  g_assert (self->attempt_cancellable == NULL);

  self->attempt_cancellable = g_cancellable_new ();
  _confab_signal_client_arm_attempt_timeout (self);

  message = soup_message_new_from_uri (SOUP_METHOD_GET, self->uri);
  g_signal_connect (message, "network-event", G_CALLBACK (network_event_cb), NULL);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->attempt_cancellable,
                                        websocket_connect_cb, self);
}

