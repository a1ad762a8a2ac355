/* confab-peer-channels.c: ConfabPeer's data channels and what they carry
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "confab-peer-internal.h"

/* A heartbeat goes out every HEARTBEAT_INTERVAL_MS on the confab channel;
 * hearing nothing for HEARTBEAT_TIMEOUT_MS means the peer vanished (ICE
 * in webrtcbin 1.22 has no consent freshness to tell us). */
#define HEARTBEAT_INTERVAL_MS 2000
#define HEARTBEAT_TIMEOUT_MS  6000
/* How long a peer that announced "confab" has to open it, once our
 * localDataChannel is open, before we settle for plain text. */
#define DECIDE_TIMEOUT_MS     1000
/* webrtcbin says "buffered amount low" under this; the queue resumes. */
#define BUFFERED_LOW          (1 * 1024 * 1024)

static ChannelKind
channel_get_kind (GstWebRTCDataChannel *channel)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (channel), "confab-channel-kind"));
}

/* Receiving */

static void
handle_frame (ConfabPeer   *self,
              const guint8 *data,
              gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *assembled = NULL;
  ConfabChannelFrame frame;
  guint64 id = 0;

  if (!confab_channel_frame_decode (data, length, &frame, &error))
    {
      g_message ("Ignoring a bad frame from “%s”: %s", self->remote_name, error->message);
      return;
    }

  /* Version 1 does not know the frames that came after it. */
  if (self->confab_version < 2 &&
      (frame.type == CONFAB_CHANNEL_FRAME_ACK || frame.type == CONFAB_CHANNEL_FRAME_MESSAGE_ACK))
    {
      g_message ("Ignoring a bad frame from “%s”: unknown frame type", self->remote_name);
      return;
    }

  switch (frame.type)
    {
    case CONFAB_CHANNEL_FRAME_MESSAGE_ACK:
      confab_outgoing_queue_receipt_received (self->queue, frame.ack, TRUE);
      G_GNUC_FALLTHROUGH;

    case CONFAB_CHANNEL_FRAME_MESSAGE:
      assembled = g_strndup ((const char *) frame.payload, frame.payload_length);
      id = frame.id;
      break;

    case CONFAB_CHANNEL_FRAME_CHUNK:
      assembled = confab_channel_assembler_add (self->assembler, &frame, &id, &error);
      if (error != NULL)
        {
          g_message ("Dropping a message from “%s”: %s", self->remote_name, error->message);
          /* An acknowledgement of everything up to a later id would
           * claim this one too: one receipt a message from now on. */
          confab_outgoing_queue_set_cumulative_receipts (self->queue, FALSE);
        }
      break;

    case CONFAB_CHANNEL_FRAME_RECEIPT:
      confab_outgoing_queue_receipt_received (self->queue, frame.id, FALSE);
      return;

    case CONFAB_CHANNEL_FRAME_ACK:
      confab_outgoing_queue_receipt_received (self->queue, frame.id, TRUE);
      return;

    case CONFAB_CHANNEL_FRAME_HEARTBEAT:
      return;

    case CONFAB_CHANNEL_FRAME_BYE:
      /* The channel is ordered: everything the peer sent came first. */
      if (self->state == CONFAB_PEER_STATE_OPEN)
        _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
      return;

    default:
      g_assert_not_reached ();
    }

  if (assembled == NULL)
    return;

  _confab_peer_emit_text (self, assembled);

  /* Only now has the application got it. */
  if (self->state == CONFAB_PEER_STATE_OPEN && self->conn != NULL && self->confab_open)
    confab_outgoing_queue_acknowledge (self->queue, id);
}

typedef struct
{
  ChannelKind  kind;
  GBytes      *bytes;
  char        *string;
} Received;

static void
received_free (gpointer data)
{
  Received *received = data;

  g_clear_pointer (&received->bytes, g_bytes_unref);
  g_free (received->string);
  g_free (received);
}

static void
received_hop (gpointer owner,
              gpointer data)
{
  ConfabPeer *self = owner;
  Received *received = data;

  /* Nothing of a peer whose certificate is not the one its description
   * names is read, let alone shown.  The verdict comes before the first
   * packet is decrypted, so nothing of an honest peer's is lost here. */
  if (!_confab_peer_is_verified (self))
    {
      g_debug ("Dropping what “%s” sent before its certificate was verified", self->remote_name);
      return;
    }

  self->last_heard = g_get_monotonic_time ();

  if (received->string != NULL)
    {
      _confab_peer_emit_text (self, received->string);
    }
  else if (received->kind == CHANNEL_REMOTE_CONFAB)
    {
      gsize length;
      const guint8 *bytes = g_bytes_get_data (received->bytes, &length);

      handle_frame (self, bytes, length);
    }
  else
    {
      /* Text someone sent as binary: accept it if it is text. */
      gsize length;
      const char *bytes = g_bytes_get_data (received->bytes, &length);

      if (length > 0 && g_utf8_validate_len (bytes, length, NULL))
        {
          g_autofree char *text = g_strndup (bytes, length);

          _confab_peer_emit_text (self, text);
        }
      else if (length > 0)
        {
          g_message ("Ignoring %" G_GSIZE_FORMAT " bytes of binary data from “%s”",
                     length, self->remote_name);
        }
    }
}

static void
on_message_string_cb (GstWebRTCDataChannel *channel,
                      const char           *string,
                      ConfabHopLink        *link)
{
  Received *received = g_new0 (Received, 1);

  received->kind = channel_get_kind (channel);
  received->string = g_strdup (string);
  confab_hop_link_invoke (link, received_hop, received, received_free);
}

static void
on_message_data_cb (GstWebRTCDataChannel *channel,
                    GBytes               *bytes,
                    ConfabHopLink        *link)
{
  Received *received;

  if (bytes == NULL)
    return;

  received = g_new0 (Received, 1);
  received->kind = channel_get_kind (channel);
  received->bytes = g_bytes_ref (bytes);
  confab_hop_link_invoke (link, received_hop, received, received_free);
}

/* Channel state */

static void
heartbeat_start (ConfabPeer *self);

static void
update_extended (ConfabPeer *self)
{
  if (self->extended || self->state != CONFAB_PEER_STATE_OPEN)
    return;

  if (!self->confab_open || !self->remote_confab_seen)
    return;

  self->extended = TRUE;
  self->last_heard = g_get_monotonic_time ();
  heartbeat_start (self);
  _confab_peer_notify_extended (self);
}

static gboolean
decide_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->decide_source, g_source_unref);

  if (self->state == CONFAB_PEER_STATE_CONNECTING && self->local_open && _confab_peer_is_verified (self))
    {
      self->plain_decided = TRUE;
      _confab_peer_set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
      _confab_peer_open_queue (self);
    }

  return G_SOURCE_REMOVE;
}

/* Open as soon as we know how to talk: through "confab" when both sides
 * announced it in their descriptions and both are open, in plain text
 * at once otherwise.  Never before the other side's certificate is
 * verified: opening flushes what waits in the queue. */
void
_confab_peer_maybe_open (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  if (!_confab_peer_is_verified (self))
    return;

  if (self->state == CONFAB_PEER_STATE_OPEN)
    {
      update_extended (self);
      _confab_peer_open_queue (self);
      return;
    }

  if (self->state != CONFAB_PEER_STATE_CONNECTING || !self->local_open)
    return;

  if (self->remote_confab_seen && self->confab_open)
    {
      _confab_peer_set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
      update_extended (self);
    }
  else if (!self->remote_announces_confab || !self->confab_channel_enabled)
    {
      self->plain_decided = TRUE;
      _confab_peer_set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
    }
  else if (self->decide_source == NULL)
    {
      self->decide_source = _confab_peer_add_timeout (self, DECIDE_TIMEOUT_MS, decide_timeout_cb);
      return;
    }

  _confab_peer_open_queue (self);
}

static void
channel_open_hop (gpointer owner,
                  gpointer data)
{
  ConfabPeer *self = owner;
  GstWebRTCDataChannel *channel = data;

  if (channel == self->conn->local_channel)
    self->local_open = TRUE;
  else if (channel == self->conn->confab_channel)
    self->confab_open = TRUE;

  _confab_peer_maybe_open (self);
}

static void
channel_closed_hop (gpointer owner,
                    gpointer data)
{
  ConfabPeer *self = owner;
  GstWebRTCDataChannel *channel = data;

  /* A browser may open and close channels of its own; only the two that
   * carry the chat end it. */
  if (channel_get_kind (channel) == CHANNEL_REMOTE)
    {
      g_autofree char *label = NULL;

      g_object_get (channel, "label", &label, NULL);
      if (g_strcmp0 (label, CONFAB_PEER_LOCAL_CHANNEL_LABEL) != 0)
        return;
    }

  switch (self->state)
    {
    case CONFAB_PEER_STATE_OPEN:
      /* The mobile app hangs up by closing its connection. */
      _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
      break;

    case CONFAB_PEER_STATE_CONNECTING:
      _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);
      break;

    case CONFAB_PEER_STATE_NEW:
    case CONFAB_PEER_STATE_CALLING:
    case CONFAB_PEER_STATE_INCOMING:
    case CONFAB_PEER_STATE_CLOSED:
    case CONFAB_PEER_STATE_FAILED:
    default:
      break;
    }
}

static void
channel_error_hop (gpointer owner,
                   gpointer data)
{
  ConfabPeer *self = owner;
  const char *message = data;

  g_message ("Data channel error with “%s”: %s", self->remote_name, message);
  _confab_peer_fail_connection (self);
}

static void
on_open_cb (GstWebRTCDataChannel *channel,
            ConfabHopLink        *link)
{
  confab_hop_link_invoke (link, channel_open_hop, g_object_ref (channel), g_object_unref);
}

static void
on_close_cb (GstWebRTCDataChannel *channel,
             ConfabHopLink        *link)
{
  confab_hop_link_invoke (link, channel_closed_hop, g_object_ref (channel), g_object_unref);
}

static void
on_error_cb (GstWebRTCDataChannel *channel,
             GError               *error,
             ConfabHopLink        *link)
{
  confab_hop_link_invoke (link, channel_error_hop,
                          g_strdup (error != NULL ? error->message : "unknown error"), g_free);
}

static void
buffered_amount_low_hop (gpointer owner,
                         gpointer data)
{
  ConfabPeer *self = owner;

  confab_outgoing_queue_buffered_amount_low (self->queue);
}

static void
on_buffered_amount_low_cb (GstWebRTCDataChannel *channel,
                           ConfabHopLink        *link)
{
  confab_hop_link_invoke (link, buffered_amount_low_hop, NULL, NULL);
}

void
_confab_peer_channel_connect (GstWebRTCDataChannel *channel,
                              ChannelKind           kind,
                              ConfabHopLink        *link)
{
  /* Set before any handler can run, and never changed. */
  g_object_set_data (G_OBJECT (channel), "confab-channel-kind", GINT_TO_POINTER (kind));

  g_signal_connect_data (channel, "on-message-string", G_CALLBACK (on_message_string_cb),
                         confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (channel, "on-message-data", G_CALLBACK (on_message_data_cb),
                         confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (channel, "on-close", G_CALLBACK (on_close_cb),
                         confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (channel, "on-error", G_CALLBACK (on_error_cb),
                         confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);

  if (kind == CHANNEL_OURS)
    {
      g_object_set (channel, "buffered-amount-low-threshold", (guint64) BUFFERED_LOW, NULL);
      g_signal_connect_data (channel, "on-open", G_CALLBACK (on_open_cb),
                             confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);
      g_signal_connect_data (channel, "on-buffered-amount-low",
                             G_CALLBACK (on_buffered_amount_low_cb),
                             confab_hop_link_ref (link), (GClosureNotify) confab_hop_link_unref, 0);
    }
}

static void
remote_channel_hop (gpointer owner,
                    gpointer data)
{
  ConfabPeer *self = owner;
  GstWebRTCDataChannel *channel = data;
  g_autofree char *label = NULL;

  g_object_get (channel, "label", &label, NULL);
  g_ptr_array_add (self->conn->remote_channels, g_object_ref (channel));

  if (g_strcmp0 (label, CONFAB_PEER_CONFAB_CHANNEL_LABEL) == 0)
    self->remote_confab_seen = TRUE;

  _confab_peer_maybe_open (self);
}

void
_confab_peer_on_data_channel_cb (GstElement           *webrtcbin,
                                 GstWebRTCDataChannel *channel,
                                 ConfabHopLink        *link)
{
  g_autofree char *label = NULL;
  ChannelKind kind;

  /* Handlers go on here, on the streaming thread, before the first
   * message can arrive; the peer hears of the channel through the hop. */
  g_object_get (channel, "label", &label, NULL);
  kind = g_strcmp0 (label, CONFAB_PEER_CONFAB_CHANNEL_LABEL) == 0 ? CHANNEL_REMOTE_CONFAB
                                                                  : CHANNEL_REMOTE;
  _confab_peer_channel_connect (channel, kind, link);
  confab_hop_link_invoke (link, remote_channel_hop, g_object_ref (channel), g_object_unref);
}

/* Heartbeat */

static gboolean
heartbeat_cb (gpointer data)
{
  ConfabPeer *self = data;
  gint64 silence = g_get_monotonic_time () - self->last_heard;

  if (silence > HEARTBEAT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND)
    {
      g_clear_pointer (&self->heartbeat_source, g_source_unref);
      _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_VANISHED);
      return G_SOURCE_REMOVE;
    }

  confab_outgoing_queue_push_control (self->queue, confab_channel_frame_encode_heartbeat ());
  return G_SOURCE_CONTINUE;
}

static void
heartbeat_start (ConfabPeer *self)
{
  if (self->heartbeat_source == NULL)
    self->heartbeat_source = _confab_peer_add_timeout (self, HEARTBEAT_INTERVAL_MS, heartbeat_cb);
}

void
_confab_peer_create_channels (ConfabPeer *self)
{
  Connection *conn = self->conn;

  if (self->confab_channel_enabled)
    {
      g_signal_emit_by_name (conn->webrtcbin, "create-data-channel",
                             CONFAB_PEER_CONFAB_CHANNEL_LABEL, NULL, &conn->confab_channel);
      if (conn->confab_channel != NULL)
        _confab_peer_channel_connect (conn->confab_channel, CHANNEL_OURS, conn->link);
    }

  g_signal_emit_by_name (conn->webrtcbin, "create-data-channel",
                         CONFAB_PEER_LOCAL_CHANNEL_LABEL, NULL, &conn->local_channel);
  if (conn->local_channel != NULL)
    _confab_peer_channel_connect (conn->local_channel, CHANNEL_OURS, conn->link);
}


/* Sending: the outgoing queue's sink, over our two channels */

void
_confab_peer_open_queue (ConfabPeer *self)
{
  if (self->conn != NULL && self->state == CONFAB_PEER_STATE_OPEN)
    confab_outgoing_queue_open (self->queue, self->extended);
}

static GstWebRTCDataChannel *
route_channel (ConfabPeer          *self,
               ConfabOutgoingRoute  route)
{
  /* Not a byte to a peer that has not proved its certificate. */
  if (!_confab_peer_is_verified (self))
    return NULL;

  return route == CONFAB_OUTGOING_ROUTE_FRAMES ? self->conn->confab_channel
                                               : self->conn->local_channel;
}

static gboolean
sink_is_open (ConfabOutgoingSink  *sink,
              ConfabOutgoingRoute  route)
{
  ConfabPeer *self = (ConfabPeer *) sink;

  if (route_channel (self, route) == NULL)
    return FALSE;

  return route == CONFAB_OUTGOING_ROUTE_FRAMES ? self->confab_open : self->local_open;
}

static guint64
sink_get_buffered_amount (ConfabOutgoingSink  *sink,
                          ConfabOutgoingRoute  route)
{
  GstWebRTCDataChannel *channel = route_channel ((ConfabPeer *) sink, route);

  return channel != NULL ? _confab_peer_channel_buffered_amount (channel) : 0;
}

static gboolean
no_channel (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The data channel is gone");
  return FALSE;
}

static gboolean
sink_send_frame (ConfabOutgoingSink  *sink,
                 GBytes              *frame,
                 GError             **error)
{
  GstWebRTCDataChannel *channel = route_channel ((ConfabPeer *) sink, CONFAB_OUTGOING_ROUTE_FRAMES);

  if (channel == NULL)
    return no_channel (error);

  return gst_webrtc_data_channel_send_data_full (channel, frame, error);
}

static gboolean
sink_send_text (ConfabOutgoingSink  *sink,
                const char          *text,
                GError             **error)
{
  GstWebRTCDataChannel *channel = route_channel ((ConfabPeer *) sink, CONFAB_OUTGOING_ROUTE_PLAIN);

  if (channel == NULL)
    return no_channel (error);

  return gst_webrtc_data_channel_send_string_full (channel, text, error);
}

void
_confab_peer_channels_init_sink (ConfabOutgoingSinkInterface *iface)
{
  iface->is_open = sink_is_open;
  iface->get_buffered_amount = sink_get_buffered_amount;
  iface->send_frame = sink_send_frame;
  iface->send_text = sink_send_text;
}
