/* confab-signal-transport.h: one websocket connection, whatever carries it
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server talks to every client through this and never asks what
 * carries it: plain ws:// connections live on the epoll loop
 * (confab-ws-loop.c), wss:// ones on libsoup's websocket over GIO's TLS
 * (confab-soup-transport.c).  Limits, timeouts and bounds that must hold
 * on every path are written against this, once.
 *
 * A table of functions and a struct that each implementation embeds
 * first, rather than a GInterface: a server holds a hundred thousand
 * connections, and a relay calls send_text() without a type lookup. */

/* The close codes of RFC 6455 that the server sends */
#define CONFAB_WS_CLOSE_NORMAL           1000
#define CONFAB_WS_CLOSE_GOING_AWAY       1001
#define CONFAB_WS_CLOSE_PROTOCOL_ERROR   1002
#define CONFAB_WS_CLOSE_NO_STATUS        1005
#define CONFAB_WS_CLOSE_ABNORMAL         1006
#define CONFAB_WS_CLOSE_BAD_DATA         1007
#define CONFAB_WS_CLOSE_POLICY_VIOLATION 1008
#define CONFAB_WS_CLOSE_TOO_BIG          1009

typedef struct _ConfabSignalTransport ConfabSignalTransport;

/* What a transport tells its owner, on the main context it runs in */
typedef struct
{
  /* A whole message (fragments joined), text already checked as UTF-8. */
  void (*message) (gpointer    user_data,
                   const char *data,
                   gsize       length,
                   gboolean    binary);
  /* Any frame arrived, a pong included: the peer is alive. */
  void (*heard)   (gpointer    user_data);
  /* The connection is over.  The transport frees itself once this
   * returns: drop every pointer to it here. */
  void (*closed)  (gpointer    user_data,
                   gushort     code);
} ConfabSignalTransportEvents;

/* What each kind of transport implements; see the functions below. */
typedef struct
{
  gboolean (*is_open)         (ConfabSignalTransport *self);
  void     (*send_text)       (ConfabSignalTransport *self,
                               const char            *text,
                               gsize                  length);
  void     (*keepalive)       (ConfabSignalTransport *self,
                               guint                  interval);
  void     (*set_max_payload) (ConfabSignalTransport *self,
                               gsize                  max_payload);
  void     (*close)           (ConfabSignalTransport *self,
                               gushort                code,
                               const char            *reason);
  void     (*abort)           (ConfabSignalTransport *self);
} ConfabSignalTransportVTable;

/* Only implementations touch the fields. */
struct _ConfabSignalTransport
{
  const ConfabSignalTransportVTable *vtable;
  const ConfabSignalTransportEvents *events;
  gpointer                           user_data;
};

/* Who hears the transport's events.  Whoever receives a new transport
 * sets them before its main context runs again: nothing is reported
 * before that. */
static inline void
confab_signal_transport_set_events (ConfabSignalTransport             *self,
                                    const ConfabSignalTransportEvents *events,
                                    gpointer                           user_data)
{
  self->events = events;
  self->user_data = user_data;
}

/* FALSE once a close began, from either side. */
static inline gboolean
confab_signal_transport_is_open (ConfabSignalTransport *self)
{
  return self->vtable->is_open (self);
}

/* One text frame; @text is @length bytes of UTF-8.  Nothing happens once
 * the transport is not open: a relay to a client that is just leaving is
 * normal, not a bug. */
static inline void
confab_signal_transport_send_text (ConfabSignalTransport *self,
                                   const char            *text,
                                   gsize                  length)
{
  self->vtable->send_text (self, text, length);
}

/* The owner's keepalive sweep, every @interval seconds, found the peer
 * alive: see that it is pinged in time to answer before the next sweep.
 * Also called once when the interval changes (0: no more pings). */
static inline void
confab_signal_transport_keepalive (ConfabSignalTransport *self,
                                   guint                  interval)
{
  self->vtable->keepalive (self, interval);
}

/* The largest message the peer may send; past it the transport closes
 * with CONFAB_WS_CLOSE_TOO_BIG. */
static inline void
confab_signal_transport_set_max_payload (ConfabSignalTransport *self,
                                         gsize                  max_payload)
{
  self->vtable->set_max_payload (self, max_payload);
}

/* Sends a close frame; closed is reported when the peer answers with its
 * own, or after a timeout. */
static inline void
confab_signal_transport_close (ConfabSignalTransport *self,
                               gushort                code,
                               const char            *reason)
{
  self->vtable->close (self, code, reason);
}

/* Drops the connection and frees the transport at once, without a close
 * frame or the closed event: for the owner's own teardown. */
static inline void
confab_signal_transport_abort (ConfabSignalTransport *self)
{
  self->vtable->abort (self);
}

G_END_DECLS
