/* confab-signal-listener.h: the listening sockets and the websocket upgrade
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-signal-hub.h"
#include "confab-signal-transport.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGNAL_LISTENER (confab_signal_listener_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSignalListener, confab_signal_listener, CONFAB, SIGNAL_LISTENER, GObject)

/* Messages up to the hub's max-frame are read and answered
 * frame-too-large; past this many times max-frame the transport stops
 * reading and drops the connection, so that nobody makes us buffer a
 * gigabyte. */
#define CONFAB_SIGNAL_LISTENER_HARD_LIMIT_FACTOR 16

/* Seconds a connection has from its accept() to the end of its
 * websocket upgrade (TLS handshake included): one that sends nothing, or
 * half a request, holds a descriptor for nothing. */
#define CONFAB_SIGNAL_LISTENER_UPGRADE_TIMEOUT 10

/* A client finished its websocket upgrade.  @transport has no events
 * yet: set them (and keep it, or close it) before returning.  @remote is
 * the client's address, for logs. */
typedef void (*ConfabSignalListenerFunc) (ConfabSignalListener  *listener,
                                          ConfabSignalTransport *transport,
                                          const char            *remote,
                                          gpointer               user_data);

/* Accepts HTTP on the thread-default main context of the thread that
 * starts it: websockets at any path (the mobile app asks for
 * ws://HOST:3000 with no path), and what confab-signal-http.c answers.
 * @hub gives the metrics and the frame size limit. */
ConfabSignalListener *confab_signal_listener_new                    (ConfabSignalHub          *hub,
                                                                     ConfabSignalListenerFunc  func,
                                                                     gpointer                  user_data);

/* @host: every interface when NULL or empty, else an address or a name
 * (each of its addresses, on one port).  @port 0 picks a free one.  With
 * @certificate, wss:// and https:// only. */
gboolean              confab_signal_listener_start                  (ConfabSignalListener     *self,
                                                                     const char               *host,
                                                                     guint                     port,
                                                                     GTlsCertificate          *certificate,
                                                                     GError                  **error);
/* Closes the listening sockets.  Upgraded connections are the owner's
 * and stay open. */
void                  confab_signal_listener_stop                   (ConfabSignalListener     *self);
gboolean              confab_signal_listener_get_listening          (ConfabSignalListener     *self);
/* The port listened on, else 0. */
guint                 confab_signal_listener_get_port               (ConfabSignalListener     *self);
/* For the transports that ping on their own (wss://), the interval they
 * start with. */
void                  confab_signal_listener_set_keepalive_interval (ConfabSignalListener     *self,
                                                                     guint                     interval);
/* Connections accepted but not upgraded yet past which a new one is
 * closed at once (G_MAXUINT, the default: no limit). */
void                  confab_signal_listener_set_max_pending        (ConfabSignalListener     *self,
                                                                     guint                     max_pending);
void                  confab_signal_listener_set_upgrade_timeout    (ConfabSignalListener     *self,
                                                                     guint                     seconds);
/* When not NULL, an upgrade whose Origin header is not one of @origins
 * gets 403.  Upgrades without an Origin (anything but a browser) pass. */
void                  confab_signal_listener_set_allowed_origins    (ConfabSignalListener     *self,
                                                                     const char * const       *origins);

G_END_DECLS
