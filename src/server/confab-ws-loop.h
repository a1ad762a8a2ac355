/* confab-ws-loop.h
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The server side of plain (ws://) websocket connections, after the HTTP
 * upgrade, over one epoll set that is a single source of a GMainContext.
 * A GSource a connection (what SoupWebsocketConnection costs) makes every
 * main loop iteration walk every connection: with thousands of clients
 * that walk, not the relaying, is where the time goes. */

typedef struct _ConfabWsLoop ConfabWsLoop;
typedef struct _ConfabWsConn ConfabWsConn;

typedef struct
{
  /* A whole message (fragments joined), text already checked as UTF-8. */
  void (*message) (gpointer    user_data,
                   const char *data,
                   gsize       length,
                   gboolean    binary);
  /* Any frame arrived, a pong included: the peer is alive. */
  void (*heard)   (gpointer    user_data);
  /* The connection is closed.  It is freed once this returns. */
  void (*closed)  (gpointer    user_data,
                   gushort     code);
} ConfabWsConnFuncs;

/* The close codes of RFC 6455 that the loop sends */
#define CONFAB_WS_CLOSE_NORMAL           1000
#define CONFAB_WS_CLOSE_GOING_AWAY       1001
#define CONFAB_WS_CLOSE_PROTOCOL_ERROR   1002
#define CONFAB_WS_CLOSE_NO_STATUS        1005
#define CONFAB_WS_CLOSE_ABNORMAL         1006
#define CONFAB_WS_CLOSE_BAD_DATA         1007
#define CONFAB_WS_CLOSE_POLICY_VIOLATION 1008
#define CONFAB_WS_CLOSE_TOO_BIG          1009

ConfabWsLoop *confab_ws_loop_new          (GMainContext            *context);
void          confab_ws_loop_free         (ConfabWsLoop            *loop);

ConfabWsConn *confab_ws_loop_add          (ConfabWsLoop            *loop,
                                           GIOStream               *stream,
                                           int                      fd,
                                           gsize                    max_payload,
                                           const ConfabWsConnFuncs *funcs,
                                           gpointer                 user_data);

gboolean      confab_ws_conn_is_open      (ConfabWsConn            *conn);
void          confab_ws_conn_send_text    (ConfabWsConn            *conn,
                                           const char              *text,
                                           gsize                    length);
void          confab_ws_conn_ping         (ConfabWsConn            *conn);
void          confab_ws_conn_close        (ConfabWsConn            *conn,
                                           gushort                  code,
                                           const char              *reason);
void          confab_ws_conn_abort        (ConfabWsConn            *conn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabWsLoop, confab_ws_loop_free)

G_END_DECLS
