/* confab-peer-teardown.c: a connection's end, which outlives its peer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <agent.h>

#include "confab-peer-internal.h"
#include "confab-runtime.h"

/* webrtcbin 1.22 has crash and leak bugs on shutdown, so a connection ends
 * in this order, from the main context: nothing reaches the peer any more;
 * buffered data drains (at most DRAIN_TIMEOUT_MS); every channel is closed
 * and its closing awaited (at most CLOSE_TIMEOUT_MS); the pipeline goes to
 * NULL; the channels are released; webrtcbin is released last. */
#define DRAIN_TIMEOUT_MS 2000
#define CLOSE_TIMEOUT_MS 1000
#define TEARDOWN_POLL_MS 10

typedef enum
{
  TEARDOWN_DRAINING,
  TEARDOWN_CLOSING,
} TeardownPhase;

typedef struct
{
  Connection    *conn;
  TeardownPhase  phase;
  gint64         deadline;
} Teardown;

guint
_confab_peer_channel_buffered_amount (GstWebRTCDataChannel *channel)
{
  guint64 amount = 0;

  g_object_get (channel, "buffered-amount", &amount, NULL);
  return MIN (amount, G_MAXUINT);
}

GstWebRTCDataChannelState
_confab_peer_channel_ready_state (GstWebRTCDataChannel *channel)
{
  GstWebRTCDataChannelState ready_state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;

  g_object_get (channel, "ready-state", &ready_state, NULL);
  return ready_state;
}

static void
connection_for_each_channel (Connection *conn,
                             GFunc       func,
                             gpointer    data)
{
  if (conn->local_channel != NULL)
    func (conn->local_channel, data);
  if (conn->confab_channel != NULL)
    func (conn->confab_channel, data);
  g_ptr_array_foreach (conn->remote_channels, func, data);
}

static void
disconnect_channel_cb (gpointer data,
                       gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (data, user_data);
}

static void
close_channel_cb (gpointer data,
                  gpointer user_data)
{
  GstWebRTCDataChannel *channel = data;
  GstWebRTCDataChannelState ready_state = _confab_peer_channel_ready_state (channel);

  if (ready_state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN ||
      ready_state == GST_WEBRTC_DATA_CHANNEL_STATE_CONNECTING)
    gst_webrtc_data_channel_close (channel);
}

static void
count_buffered_cb (gpointer data,
                   gpointer user_data)
{
  GstWebRTCDataChannel *channel = data;
  guint64 *total = user_data;

  if (_confab_peer_channel_ready_state (channel) == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    *total += _confab_peer_channel_buffered_amount (channel);
}

static void
count_unclosed_cb (gpointer data,
                   gpointer user_data)
{
  GstWebRTCDataChannel *channel = data;
  guint *unclosed = user_data;

  if (_confab_peer_channel_ready_state (channel) != GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED)
    (*unclosed)++;
}

static void
connection_free (Connection *conn)
{
  /* To NULL from the main thread, and the channels dropped before the
   * webrtcbin that owns their transport: the order 1.22 survives. */
  gst_element_set_state (conn->pipeline, GST_STATE_NULL);
  g_clear_object (&conn->local_channel);
  g_clear_object (&conn->confab_channel);
  g_clear_pointer (&conn->remote_channels, g_ptr_array_unref);
  gst_clear_object (&conn->webrtcbin);
  gst_clear_object (&conn->pipeline);
  confab_hop_link_unref (conn->link);
  g_free (conn);
}

static void
ice_closed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Connection *conn = user_data;

  connection_free (conn);
  confab_runtime_release_closing ();
}

/* Gives back what libnice holds on servers (TURN allocations, and their
 * refreshes) before webrtcbin drops its agent, which 1.22 does without:
 * coturn frees the relay at once rather than when it times out, and
 * libnice does not warn about "alive TURN refreshes". */
static void
connection_close_ice (Connection *conn)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;
  GMainContext *context = confab_hop_link_get_context (conn->link);

  if (conn->webrtcbin != NULL)
    g_object_get (conn->webrtcbin, "ice-agent", &ice, NULL);
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);

  if (agent == NULL)
    {
      connection_free (conn);
      confab_runtime_release_closing ();
      return;
    }

  /* The callback comes back to the peer's context. */
  g_main_context_push_thread_default (context);
  nice_agent_close_async (NICE_AGENT (agent), ice_closed_cb, conn);
  g_main_context_pop_thread_default (context);
}

static gboolean
teardown_poll_cb (gpointer data)
{
  Teardown *teardown = data;
  Connection *conn = teardown->conn;
  gint64 now = g_get_monotonic_time ();

  if (teardown->phase == TEARDOWN_DRAINING)
    {
      guint64 buffered = 0;

      connection_for_each_channel (conn, count_buffered_cb, &buffered);
      if (buffered > 0 && now < teardown->deadline)
        return G_SOURCE_CONTINUE;

      connection_for_each_channel (conn, close_channel_cb, NULL);
      teardown->phase = TEARDOWN_CLOSING;
      teardown->deadline = now + CLOSE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
      return G_SOURCE_CONTINUE;
    }
  else
    {
      guint unclosed = 0;

      connection_for_each_channel (conn, count_unclosed_cb, &unclosed);
      if (unclosed > 0 && now < teardown->deadline)
        return G_SOURCE_CONTINUE;

      connection_close_ice (g_steal_pointer (&teardown->conn));
      return G_SOURCE_REMOVE;
    }
}

void
_confab_peer_connection_teardown (Connection *conn)
{
  g_autoptr(GSource) source = NULL;
  Teardown *teardown;

  if (conn->bus_source != NULL)
    {
      g_source_destroy (conn->bus_source);
      g_clear_pointer (&conn->bus_source, g_source_unref);
    }

  /* From here on nothing reaches the peer: webrtcbin first, so that no
   * new channel comes in while the others are being disconnected. */
  g_clear_pointer (&conn->check, _confab_peer_check_free);
  if (conn->webrtcbin != NULL)
    g_signal_handlers_disconnect_by_data (conn->webrtcbin, conn->link);
  connection_for_each_channel (conn, disconnect_channel_cb, conn->link);

  teardown = g_new0 (Teardown, 1);
  teardown->conn = conn;
  teardown->phase = TEARDOWN_DRAINING;
  teardown->deadline = g_get_monotonic_time () + DRAIN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  confab_runtime_hold_closing ();

  source = g_timeout_source_new (TEARDOWN_POLL_MS);
  g_source_set_callback (source, teardown_poll_cb, teardown, g_free);
  g_source_set_static_name (source, "[confab] peer teardown");
  g_source_attach (source, confab_hop_link_get_context (conn->link));
}
