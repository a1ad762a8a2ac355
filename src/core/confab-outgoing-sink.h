/* confab-outgoing-sink.h: where a ConfabOutgoingQueue hands its frames
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The little a ConfabOutgoingQueue needs of a connection: two routes to
 * send on, how much each holds unsent, and whether it is open.  ConfabPeer
 * implements it over its webrtcbin data channels; the queue's tests over
 * an array.  Every method is called on the queue's main context. */

#define CONFAB_TYPE_OUTGOING_SINK (confab_outgoing_sink_get_type ())

typedef enum
{
  CONFAB_OUTGOING_ROUTE_FRAMES, /* binary frames of CHANNEL.md, on the "confab" channel */
  CONFAB_OUTGOING_ROUTE_PLAIN,  /* whole UTF-8 text messages, on "localDataChannel" */
} ConfabOutgoingRoute;

G_DECLARE_INTERFACE (ConfabOutgoingSink, confab_outgoing_sink, CONFAB, OUTGOING_SINK, GObject)

struct _ConfabOutgoingSinkInterface
{
  GTypeInterface parent_iface;

  gboolean (*is_open)             (ConfabOutgoingSink   *self,
                                   ConfabOutgoingRoute   route);
  /* Bytes handed to @route and not yet sent on the network. */
  guint64  (*get_buffered_amount) (ConfabOutgoingSink   *self,
                                   ConfabOutgoingRoute   route);
  /* One binary message of at most 64 KiB on the frames route. */
  gboolean (*send_frame)          (ConfabOutgoingSink   *self,
                                   GBytes               *frame,
                                   GError              **error);
  /* One text message of at most 64 KiB on the plain route. */
  gboolean (*send_text)           (ConfabOutgoingSink   *self,
                                   const char           *text,
                                   GError              **error);
};

gboolean confab_outgoing_sink_is_open             (ConfabOutgoingSink   *self,
                                                   ConfabOutgoingRoute   route);
guint64  confab_outgoing_sink_get_buffered_amount (ConfabOutgoingSink   *self,
                                                   ConfabOutgoingRoute   route);
gboolean confab_outgoing_sink_send_frame          (ConfabOutgoingSink   *self,
                                                   GBytes               *frame,
                                                   GError              **error);
gboolean confab_outgoing_sink_send_text           (ConfabOutgoingSink   *self,
                                                   const char           *text,
                                                   GError              **error);

G_END_DECLS
