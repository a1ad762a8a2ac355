/* confab-soup-transport.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-metered-input-stream.h"
#include "confab-metered-output-stream.h"
#include "confab-soup-transport.h"

/* What a peer that stopped reading may make libsoup queue for it before
 * it is dropped: the epoll loop's bound. */
#define MAX_OUT_BACKLOG (4 * 1024 * 1024)
/* libsoup reads ahead of the message it is joining; what it read of the
 * next one is counted against this one. */
#define READ_AHEAD      (64 * 1024)

/* libsoup 3.2 neither bounds what it queues for a peer nor the total of
 * a fragmented message (each frame only).  Its stream is wrapped in
 * metered ones to bound both: bytes handed to libsoup and not written
 * yet, and bytes read since the last whole message. */
typedef struct
{
  ConfabSignalTransport    parent;
  SoupWebsocketConnection *ws;
  /* The stolen connection, closed at the end (the metered streams leave
   * it open) */
  GIOStream               *base;
  GInputStream            *input;
  GOutputStream           *output;
  gsize                    max_payload;
  gsize                    queued;
  gsize                    unfinished;
  /* A bound was passed: the connection ends from an idle callback, never
   * inside a relay or a libsoup read */
  guint                    fail_id;
  gushort                  fail_code;
} ConfabSoupTransport;

static void soup_transport_abort (ConfabSignalTransport *transport);

static gboolean
soup_transport_is_open (ConfabSignalTransport *transport)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  return self->fail_id == 0 &&
         soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static gboolean
fail_cb (gpointer user_data)
{
  ConfabSoupTransport *self = user_data;

  self->fail_id = 0;

  if (self->fail_code == CONFAB_WS_CLOSE_TOO_BIG)
    {
      /* The peer reads: it can be told. */
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, CONFAB_WS_CLOSE_TOO_BIG, NULL);
      return G_SOURCE_REMOVE;
    }

  /* The peer does not read: a close frame would wait behind the rest. */
  self->parent.events->closed (self->parent.user_data, self->fail_code);
  soup_transport_abort (&self->parent);

  return G_SOURCE_REMOVE;
}

static void
soup_transport_fail (ConfabSoupTransport *self,
                     gushort              code)
{
  if (self->fail_id != 0)
    return;

  self->fail_code = code;
  self->fail_id = g_idle_add (fail_cb, self);
}

static void
written_cb (gpointer user_data,
            gsize    n_bytes)
{
  ConfabSoupTransport *self = user_data;

  /* Pings and pongs libsoup writes on its own are counted too: the
   * estimate errs towards less queued, never more. */
  self->queued -= MIN (self->queued, n_bytes);
}

static void
read_cb (gpointer user_data,
         gsize    n_bytes)
{
  ConfabSoupTransport *self = user_data;

  self->unfinished += n_bytes;
  if (self->unfinished > self->max_payload + READ_AHEAD)
    soup_transport_fail (self, CONFAB_WS_CLOSE_TOO_BIG);
}

static void
soup_transport_send_text (ConfabSignalTransport *transport,
                          const char            *text,
                          gsize                  length)
{
  ConfabSoupTransport *self = (ConfabSoupTransport *) transport;

  /* libsoup warns about sending on a closing connection. */
  if (!soup_transport_is_open (transport))
    return;

  /* The payload and the longest frame header */
  self->queued += length + 10;
  if (self->queued > MAX_OUT_BACKLOG)
    {
      soup_transport_fail (self, CONFAB_WS_CLOSE_ABNORMAL);
      return;
    }

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

  self->max_payload = max_payload;

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

  g_clear_handle_id (&self->fail_id, g_source_remove);
  confab_metered_input_stream_detach (CONFAB_METERED_INPUT_STREAM (self->input));
  confab_metered_output_stream_detach (CONFAB_METERED_OUTPUT_STREAM (self->output));
  g_signal_handlers_disconnect_by_data (self->ws, self);
  g_clear_object (&self->ws);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_io_stream_close_async (self->base, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&self->base);
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

  self->unfinished = 0;
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

  self->unfinished = 0;
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
confab_soup_transport_new (GIOStream                         *stream,
                           GUri                              *uri,
                           const char                        *origin,
                           const char                        *protocol,
                           gsize                              max_payload,
                           guint                              keepalive_interval,
                           const ConfabSignalTransportEvents *events,
                           gpointer                           user_data)
{
  ConfabSoupTransport *self;
  g_autoptr(GIOStream) metered = NULL;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = g_new0 (ConfabSoupTransport, 1);
  self->parent.vtable = &soup_transport_vtable;
  confab_signal_transport_set_events (&self->parent, events, user_data);
  self->base = g_object_ref (stream);
  self->input = confab_metered_input_stream_new (g_io_stream_get_input_stream (stream),
                                                 read_cb, self);
  self->output = confab_metered_output_stream_new (g_io_stream_get_output_stream (stream),
                                                   written_cb, self);
  metered = g_simple_io_stream_new (self->input, self->output);

  /* What SoupServer's own websocket handler does */
  self->ws = soup_websocket_connection_new (metered, uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                            origin, protocol, NULL);

  soup_transport_set_max_payload (&self->parent, max_payload);
  soup_websocket_connection_set_keepalive_interval (self->ws, keepalive_interval);

  g_signal_connect (self->ws, "message", G_CALLBACK (soup_transport_message_cb), self);
  g_signal_connect (self->ws, "pong", G_CALLBACK (soup_transport_pong_cb), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (soup_transport_closed_cb), self);

  return &self->parent;
}
