/* confab-signal-client-private.h: what the files of ConfabSignalClient share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "confab-network-watch.h"
#include "confab-signal-client.h"
#include "confab-start-transfer-queue.h"

G_BEGIN_DECLS

/* Private to src/core.  ConfabSignalClient is written in three files:
 *   confab-signal-client.c             the object and its API;
 *   confab-signal-client-connection.c  one websocket: opening it, signing
 *                                      in, reading what the server says;
 *   confab-signal-client-reconnect.c   staying signed in: backoff, the
 *                                      watchdogs, the network watch;
 * with its sentences in confab-signal-client-errors.c and its
 * start_transfer questions in a ConfabStartTransferQueue. */

struct _ConfabSignalClient
{
  GObject                   parent_instance;

  GMainContext             *context;
  SoupSession              *session;

  char                     *url;       /* as the user wrote it, for messages */
  GUri                     *uri;       /* what we connect to */
  char                     *name;
  GError                   *last_error;
  ConfabSignalClientState   state;

  guint                     keepalive_interval;
  guint                     backoff_initial_ms;
  guint                     backoff_max_ms;
  guint                     n_failures;  /* reconnection attempts since the last success */

  /* The connection attempt under way, first or reconnection: cancelled by
   * disconnect(), a newer connect_async() or dispose. */
  GCancellable             *attempt_cancellable;
  GSource                  *attempt_timeout;
  GSource                  *retry_source; /* waiting out the backoff */

  /* connect_async()'s task until the name is registered (or not), and the
   * watch on its caller's cancellable. */
  GTask                    *connect_task;
  GSource                  *connect_cancel_source;

  SoupWebsocketConnection  *connection;
  gboolean                  registering; /* store_user sent, no answer yet */
  gint64                    last_heard;  /* monotonic time of the last frame or pong */
  GSource                  *watchdog;

  /* The start_transfer questions of this connection. */
  ConfabStartTransferQueue *transfers;
  ConfabNetworkWatch       *network_watch;
};

static inline void
_confab_signal_client_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* confab-signal-client.c */
void     _confab_signal_client_set_state          (ConfabSignalClient      *self,
                                                   ConfabSignalClientState  state);
void     _confab_signal_client_take_last_error    (ConfabSignalClient      *self,
                                                   GError                  *error);
void     _confab_signal_client_complete_connect   (ConfabSignalClient      *self,
                                                   GError                  *error);
void     _confab_signal_client_emit_message       (ConfabSignalClient      *self,
                                                   ConfabMessage           *message,
                                                   const char              *peer);
void     _confab_signal_client_emit_server_error  (ConfabSignalClient      *self,
                                                   ConfabMessage           *error);

/* confab-signal-client-connection.c */
void     _confab_signal_client_start_attempt      (ConfabSignalClient      *self);
void     _confab_signal_client_send_message       (ConfabSignalClient      *self,
                                                   ConfabMessage           *message);
void     _confab_signal_client_drop_connection    (ConfabSignalClient      *self,
                                                   const GError            *error);

/* confab-signal-client-reconnect.c */
void     _confab_signal_client_watch_network      (ConfabSignalClient      *self);
void     _confab_signal_client_unwatch_network    (ConfabSignalClient      *self);
GSource *_confab_signal_client_add_timeout        (ConfabSignalClient      *self,
                                                   guint                    interval_ms,
                                                   GSourceFunc              func);
void     _confab_signal_client_arm_attempt_timeout (ConfabSignalClient     *self);
void     _confab_signal_client_cancel_attempt     (ConfabSignalClient      *self);
void     _confab_signal_client_attempt_failed     (ConfabSignalClient      *self,
                                                   GError                  *error);
void     _confab_signal_client_connection_lost    (ConfabSignalClient      *self);
void     _confab_signal_client_start_watchdog     (ConfabSignalClient      *self);

G_END_DECLS
