/* confab-outgoing-sink.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-outgoing-sink.h"

G_DEFINE_INTERFACE (ConfabOutgoingSink, confab_outgoing_sink, G_TYPE_OBJECT)

static void
confab_outgoing_sink_default_init (ConfabOutgoingSinkInterface *iface)
{
}

gboolean
confab_outgoing_sink_is_open (ConfabOutgoingSink  *self,
                              ConfabOutgoingRoute  route)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_SINK (self), FALSE);

  return CONFAB_OUTGOING_SINK_GET_IFACE (self)->is_open (self, route);
}

guint64
confab_outgoing_sink_get_buffered_amount (ConfabOutgoingSink  *self,
                                          ConfabOutgoingRoute  route)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_SINK (self), 0);

  return CONFAB_OUTGOING_SINK_GET_IFACE (self)->get_buffered_amount (self, route);
}

gboolean
confab_outgoing_sink_send_frame (ConfabOutgoingSink  *self,
                                 GBytes              *frame,
                                 GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_SINK (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CONFAB_OUTGOING_SINK_GET_IFACE (self)->send_frame (self, frame, error);
}

gboolean
confab_outgoing_sink_send_text (ConfabOutgoingSink  *self,
                                const char          *text,
                                GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_SINK (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return CONFAB_OUTGOING_SINK_GET_IFACE (self)->send_text (self, text, error);
}
