/* confab-soup-transport.h: a ConfabSignalTransport over libsoup's websocket
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "confab-signal-transport.h"

G_BEGIN_DECLS

/* For the connections the epoll loop cannot carry: wss://, whose bytes
 * go through GIO's TLS.  Takes over @stream, the connection stolen after
 * the upgrade (with @uri, @origin and @protocol of its request), as a
 * libsoup websocket whose queue and fragmented messages it bounds.
 * libsoup pings on a timer of its own, every @keepalive_interval seconds
 * (0: never). */
ConfabSignalTransport *confab_soup_transport_new (GIOStream                         *stream,
                                                  GUri                              *uri,
                                                  const char                        *origin,
                                                  const char                        *protocol,
                                                  gsize                              max_payload,
                                                  guint                              keepalive_interval,
                                                  const ConfabSignalTransportEvents *events,
                                                  gpointer                           user_data);

G_END_DECLS
