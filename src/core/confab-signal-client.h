/* confab-signal-client.h: one websocket connection to a signalling server
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-message.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabSignalClient signs one name in to one signalling server (ours or
 * the article's Node server) and keeps it signed in: it pings the server,
 * notices a dropped connection, and reconnects and registers the name
 * again by itself, waiting longer after each failure (up to 30 s), or at
 * once when the network comes back or the computer wakes up.  It signs
 * out while the computer sleeps, so that the server frees the name.
 *
 * It speaks ConfabMessage, never raw JSON.  Everything the server sends is
 * emitted as "message-received", except the answers that belong to the
 * client itself (user_stored, user_already_exists, the transfer_response
 * to confab_signal_client_check_online_async()) and error replies, which
 * are emitted as "server-error".
 *
 * Signals:
 *   message-received (ConfabMessage *message, const char *peer): @peer is
 *     whom the message is about, by which to route it: the sender of a
 *     relayed message, the person asked about in a transfer_response
 *     (which names nobody when they are offline; the client knows whom
 *     it asked).  NULL only for an answer to a question never asked.
 *   server-error (ConfabMessage *error): the server refused something we
 *     sent; confab_message_get_error_code() says what, _ref() to which kind.
 *
 * Properties (all notify): "state", "url", "name", "last-error" (a GError
 * whose message is a sentence for a person, or NULL) and
 * "keepalive-interval".
 *
 * Everything happens on the GMainContext that was the thread-default one
 * when the client was made. */

#define CONFAB_TYPE_SIGNAL_CLIENT (confab_signal_client_get_type ())
#define CONFAB_SIGNAL_CLIENT_ERROR (confab_signal_client_error_quark ())

typedef enum
{
  CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED, /* never connected, or disconnect() */
  CONFAB_SIGNAL_CLIENT_STATE_CONNECTING,   /* connect_async() under way */
  CONFAB_SIGNAL_CLIENT_STATE_REGISTERED,   /* signed in: messages flow */
  CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING, /* lost the connection, retrying by itself */
  CONFAB_SIGNAL_CLIENT_STATE_FAILED,       /* connect_async() failed; see "last-error" */
} ConfabSignalClientState;

typedef enum
{
  CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL,   /* not a ws:// or wss:// address */
  CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,  /* not a name the protocol allows */
  CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,   /* no such host, refused, timed out, ... */
  CONFAB_SIGNAL_CLIENT_ERROR_TLS,           /* wss:// could not be secured */
  CONFAB_SIGNAL_CLIENT_ERROR_NOT_A_SERVER,  /* something answered, but not a signalling server */
  CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN,    /* someone else is signed in under the name */
  CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,       /* the server answered store_user with an error */
  CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST, /* the connection ended before an answer came */
  CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED, /* sending while not registered */
  CONFAB_SIGNAL_CLIENT_ERROR_TIMED_OUT,     /* the server never answered a question */
} ConfabSignalClientError;

G_DECLARE_FINAL_TYPE (ConfabSignalClient, confab_signal_client, CONFAB, SIGNAL_CLIENT, GObject)

GQuark                   confab_signal_client_error_quark          (void);

ConfabSignalClient      *confab_signal_client_new                  (void);

ConfabSignalClientState  confab_signal_client_get_state            (ConfabSignalClient   *self);
/* The address and name of the last connect_async(), or NULL. */
const char              *confab_signal_client_get_url              (ConfabSignalClient   *self);
const char              *confab_signal_client_get_name             (ConfabSignalClient   *self);
/* Why the last attempt failed (also while reconnecting), or NULL. */
const GError            *confab_signal_client_get_last_error       (ConfabSignalClient   *self);

/* Seconds between pings; a connection that answers nothing for two of
 * them is taken for dead.  0 turns pings off.  Default 15. */
guint                    confab_signal_client_get_keepalive_interval (ConfabSignalClient *self);
void                     confab_signal_client_set_keepalive_interval (ConfabSignalClient *self,
                                                                      guint               seconds);
/* The wait before the first reconnection attempt, doubled after each
 * failure up to @max_ms, each wait drawn between half and all of it so
 * that clients dropped together do not come back together.  Defaults
 * 500 ms and 30 s; tests make them short. */
void                     confab_signal_client_set_backoff          (ConfabSignalClient   *self,
                                                                    guint                 initial_ms,
                                                                    guint                 max_ms);

/* Connects to @url ("ws://HOST:3000", with or without a path, or wss://)
 * and registers @name.  The name is checked here first, so a bad one never
 * reaches the network.  Fails with CONFAB_SIGNAL_CLIENT_ERROR, or
 * G_IO_ERROR_CANCELLED.  Connecting again replaces the old connection.
 * After success the client stays signed in by itself until disconnect(). */
void                     confab_signal_client_connect_async        (ConfabSignalClient   *self,
                                                                    const char           *url,
                                                                    const char           *name,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
gboolean                 confab_signal_client_connect_finish       (ConfabSignalClient   *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);
/* Closes the connection and stops reconnecting; a pending connect or
 * check fails with G_IO_ERROR_CANCELLED.  State: disconnected. */
void                     confab_signal_client_disconnect           (ConfabSignalClient   *self);

/* Sends a client request (start_transfer, create_offer, ...; not
 * store_user, which is the client's own business).  Fails with
 * CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED unless registered. */
gboolean                 confab_signal_client_send                 (ConfabSignalClient   *self,
                                                                    ConfabMessage        *message,
                                                                    GError              **error);

/* Asks the server whether @peer is signed in (start_transfer; the peer is
 * told nothing).  _finish() returns TRUE if it is, FALSE if it is not, and
 * FALSE with @error set when the question could not be asked or answered
 * (not connected, connection lost, refused, timed out, cancelled).  Its
 * answer is not emitted as "message-received"; the answer to a
 * start_transfer given to send() is. */
void                     confab_signal_client_check_online_async   (ConfabSignalClient   *self,
                                                                    const char           *peer,
                                                                    GCancellable         *cancellable,
                                                                    GAsyncReadyCallback   callback,
                                                                    gpointer              user_data);
gboolean                 confab_signal_client_check_online_finish  (ConfabSignalClient   *self,
                                                                    GAsyncResult         *result,
                                                                    GError              **error);

G_END_DECLS
