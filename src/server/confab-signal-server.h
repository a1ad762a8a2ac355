/* confab-signal-server.h: the signalling server, over SoupServer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-signal-hub.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGNAL_SERVER (confab_signal_server_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSignalServer, confab_signal_server, CONFAB, SIGNAL_SERVER, GObject)

#define CONFAB_SIGNAL_SERVER_DEFAULT_PORT 3000

/* Websockets at "/" (any path, in fact: the mobile app asks for
 * ws://HOST:3000 with no path), GET /healthz and GET /metrics.  Runs on
 * the thread-default main context of the thread that starts it. */
ConfabSignalServer *confab_signal_server_new                 (void);

gboolean            confab_signal_server_start               (ConfabSignalServer  *self,
                                                              GError             **error);
/* Sets the host (NULL: every interface) and port, then starts. */
gboolean            confab_signal_server_listen              (ConfabSignalServer  *self,
                                                              const char          *host,
                                                              guint                port,
                                                              GError             **error);
/* Stops listening and sends every client a close frame (1001, going
 * away).  Clients are counted in n-clients until their close completes. */
void                confab_signal_server_stop                (ConfabSignalServer  *self);
gboolean            confab_signal_server_get_running         (ConfabSignalServer  *self);

const char         *confab_signal_server_get_host            (ConfabSignalServer  *self);
void                confab_signal_server_set_host            (ConfabSignalServer  *self,
                                                              const char          *host);
/* The port asked for; 0 picks a free one. */
guint               confab_signal_server_get_port            (ConfabSignalServer  *self);
void                confab_signal_server_set_port            (ConfabSignalServer  *self,
                                                              guint                port);
/* The port listened on while running, else 0. */
guint               confab_signal_server_get_bound_port      (ConfabSignalServer  *self);
/* 0: no limit. */
guint               confab_signal_server_get_max_clients     (ConfabSignalServer  *self);
void                confab_signal_server_set_max_clients     (ConfabSignalServer  *self,
                                                              guint                max_clients);
guint               confab_signal_server_get_max_frame       (ConfabSignalServer  *self);
void                confab_signal_server_set_max_frame       (ConfabSignalServer  *self,
                                                              guint                max_frame);
double              confab_signal_server_get_rate            (ConfabSignalServer  *self);
void                confab_signal_server_set_rate            (ConfabSignalServer  *self,
                                                              double               rate);
guint               confab_signal_server_get_burst           (ConfabSignalServer  *self);
void                confab_signal_server_set_burst           (ConfabSignalServer  *self,
                                                              guint                burst);
/* Seconds between pings; 0 turns keepalive and reaping off. */
guint               confab_signal_server_get_keepalive_interval (ConfabSignalServer *self);
void                confab_signal_server_set_keepalive_interval (ConfabSignalServer *self,
                                                                 guint               interval);
/* Seconds a websocket has to register a name before it is closed (1008,
 * policy violation); 0: for ever. */
guint               confab_signal_server_get_register_timeout (ConfabSignalServer *self);
void                confab_signal_server_set_register_timeout (ConfabSignalServer *self,
                                                               guint               seconds);
/* Browser origins (the Origin header, "https://example.org") allowed to
 * open a websocket; NULL, the default: any.  Upgrades without an Origin
 * header, from anything but a browser, are always allowed. */
const char * const *confab_signal_server_get_allowed_origins (ConfabSignalServer  *self);
void                confab_signal_server_set_allowed_origins (ConfabSignalServer  *self,
                                                              const char * const  *origins);
/* With a certificate (and its private key) the server speaks wss:// and
 * https:// only.  Takes effect at the next start. */
GTlsCertificate    *confab_signal_server_get_tls_certificate (ConfabSignalServer  *self);
void                confab_signal_server_set_tls_certificate (ConfabSignalServer  *self,
                                                              GTlsCertificate     *certificate);
/* Websocket connections open now, including those closing. */
guint               confab_signal_server_get_n_clients       (ConfabSignalServer  *self);
ConfabSignalHub    *confab_signal_server_get_hub             (ConfabSignalServer  *self);

G_END_DECLS
