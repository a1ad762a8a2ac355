/* confab-signal-http.h: what the signalling server answers over plain HTTP
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "confab-signal-hub.h"

G_BEGIN_DECLS

/* GET /healthz ("ok") and GET /metrics (Prometheus text, from @hub's
 * metrics).  @hub must outlive @soup's handlers. */
void confab_signal_http_add_handlers (SoupServer        *soup,
                                      ConfabSignalHub   *hub);

/* A request at @path that is not a websocket upgrade and that no other
 * handler took: 426 at "/", which only websockets use, else 404. */
void confab_signal_http_respond_root (SoupServerMessage *msg,
                                      const char        *path);

G_END_DECLS
