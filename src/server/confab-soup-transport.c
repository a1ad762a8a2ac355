/* confab-soup-transport.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-soup-transport.h"

typedef struct
{
  ConfabSignalTransport    parent;
  SoupWebsocketConnection *ws;
} ConfabSoupTransport;

static gboolean
soup_transport_is_open (ConfabSignalTransport *transport)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  return soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
soup_transport_send_text (ConfabSignalTransport *transport,
                          const char            *text,
                          gsize                  length)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  /* libsoup warns about sending on a closing connection. */
  if (soup_transport_is_open (transport))
    soup_websocket_connection_send_text (self->ws, text);
}

/* libsoup 3.2 has no call that sends one ping, only a timer of its own
 * per connection; keeping that at the sweep's interval pings as often.
 * libsoup restarts the timer only when the interval changes. */
static void
soup_transport_keepalive (ConfabSignalTransport *transport,
                          guint                  interval)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  soup_websocket_connection_set_keepalive_interval (self->ws, interval);
}

static void
soup_transport_set_max_payload (ConfabSignalTransport *transport,
                                gsize                  max_payload)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  /* libsoup 3.2 checks each frame against max-incoming-payload-size but
   * not a message fragmented into many frames; 3.6 adds
   * max-total-message-size for that, which we set where it exists. */
  soup_websocket_connection_set_max_incoming_payload_size (self->ws, max_payload);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->ws), "max-total-message-size") != NULL)
    g_object_set (self->ws, "max-total-message-size", (guint64) max_payload, NULL);
}

static void
soup_transport_close (ConfabSignalTransport *transport,
                      gushort                code,
                      const char            *reason)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  if (soup_transport_is_open (transport))
    soup_websocket_connection_close (self->ws, code, reason);
}

/* Dropping the last reference closes the stream at once. */
static void
soup_transport_abort (ConfabSignalTransport *transport)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  g_signal_handlers_disconnect_by_data (self->ws, self);
  g_clear_object (&self->ws);
  g_free (self);
}

static const ConfabSignalTransportVTable soup_transport_vtable = {
  .is_open = soup_transport_is_open,
  .send_text = soup_transport_send_text,
  .keepalive = soup_transport_keepalive,
  .set_max_payload = soup_transport_set_max_payload,
  .close = soup_transport_close,
  .abort = soup_transport_abort,
};

static void
soup_transport_message_cb (SoupWebsocketConnection *ws,
                           int                      type,
                           GBytes                  *message,
                           gpointer                 user_data)
{
  ConfabSoupTransport *self = user_data;
  const char *data;
  gsize length;

  g_assert (self->ws == ws);

  self->parent.events->heard (self->parent.user_data);

  data = g_bytes_get_data (message, &length);
  self->parent.events->message (self->parent.user_data, data, length,
                                type == SOUP_WEBSOCKET_DATA_BINARY);
}

static void
soup_transport_pong_cb (SoupWebsocketConnection *ws,
                        GBytes                  *message,
                        gpointer                 user_data)
{
  ConfabSoupTransport *self = user_data;

  self->parent.events->heard (self->parent.user_data);
}

static void
soup_transport_closed_cb (SoupWebsocketConnection *ws,
                          gpointer                 user_data)
{
  ConfabSoupTransport *self = user_data;

  self->parent.events->closed (self->parent.user_data,
                               soup_websocket_connection_get_close_code (ws));
  soup_transport_abort (&self->parent);
}

ConfabSignalTransport *
confab_soup_transport_new (SoupWebsocketConnection           *ws,
                           gsize                              max_payload,
                           guint                              keepalive_interval,
                           const ConfabSignalTransportEvents *events,
                           gpointer                           user_data)
{
  ConfabSoupTransport *self;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (ws), NULL);

  self = g_new0 (ConfabSoupTransport, 1);
  self->parent.vtable = &soup_transport_vtable;
  confab_signal_transport_set_events (&self->parent, events, user_data);
  self->ws = g_object_ref (ws);

  soup_transport_set_max_payload (&self->parent, max_payload);
  soup_websocket_connection_set_keepalive_interval (ws, keepalive_interval);

  g_signal_connect (ws, "message", G_CALLBACK (soup_transport_message_cb), self);
  g_signal_connect (ws, "pong", G_CALLBACK (soup_transport_pong_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (soup_transport_closed_cb), self);

  return &self->parent;
}
