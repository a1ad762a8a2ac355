/* confab-ws-loop.h
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-signal-transport.h"

G_BEGIN_DECLS

/* The server side of plain (ws://) websocket connections, after the HTTP
 * upgrade, over one epoll set that is a single source of a GMainContext.
 * A GSource a connection (what SoupWebsocketConnection costs) makes every
 * main loop iteration walk every connection: with thousands of clients
 * that walk, not the relaying, is where the time goes.  Each connection
 * is a ConfabSignalTransport. */

typedef struct _ConfabWsLoop ConfabWsLoop;

ConfabWsLoop          *confab_ws_loop_new  (GMainContext                      *context);
void                   confab_ws_loop_free (ConfabWsLoop                      *loop);

/* Takes over a connection after the HTTP upgrade: @stream is kept (it
 * owns @fd) and closed at the end; @fd is read and written directly.
 * @events may be NULL if they are set before the loop runs again. */
ConfabSignalTransport *confab_ws_loop_add  (ConfabWsLoop                      *loop,
                                            GIOStream                         *stream,
                                            int                                fd,
                                            gsize                              max_payload,
                                            const ConfabSignalTransportEvents *events,
                                            gpointer                           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabWsLoop, confab_ws_loop_free)

G_END_DECLS
