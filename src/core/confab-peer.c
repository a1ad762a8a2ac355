/* confab-peer.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <interfaces.h>
#include <string.h>

#include "confab-channel-frame.h"
#include "confab-core-enums.h"
#include "confab-ice-server.h"
#include "confab-peer.h"
#include "confab-peer-private.h"

/* The mobile app's channel, which carries plain text, and ours. */
#define LOCAL_CHANNEL_LABEL  "localDataChannel"
#define CONFAB_CHANNEL_LABEL "confab"
/* The session-level SDP attribute by which a Confab tells the other side,
 * in its offer or answer, that it opens "confab": the order in which
 * webrtcbin announces channels is not the order they were made in, so
 * without it a peer could not tell "no confab" from "confab not yet". */
#define CONFAB_SDP_ATTRIBUTE "confab-channel"
#define CONFAB_SDP_VERSION   "1"

/* A heartbeat goes out every HEARTBEAT_INTERVAL_MS on the confab channel;
 * hearing nothing for HEARTBEAT_TIMEOUT_MS means the peer vanished (ICE
 * in webrtcbin 1.22 has no consent freshness to tell us). */
#define HEARTBEAT_INTERVAL_MS 2000
#define HEARTBEAT_TIMEOUT_MS  6000
/* From the answer to open channels; libnice gives up well before. */
#define CONNECT_TIMEOUT_S     30
/* How long a peer that announced "confab" has to open it, once our
 * localDataChannel is open, before we settle for plain text. */
#define DECIDE_TIMEOUT_MS     1000
/* How long a peer that said it hangs up may still deliver what it had sent. */
#define REMOTE_CLOSE_GRACE_MS 2000
#define DEFAULT_ANSWER_TIMEOUT_S 60

/* Flow control: stop handing data to a channel above HIGH bytes buffered,
 * resume when webrtcbin says it went under LOW.  The poll is a safety net
 * for an "on-buffered-amount-low" that never comes. */
#define BUFFERED_HIGH    (4 * 1024 * 1024)
#define BUFFERED_LOW     (1 * 1024 * 1024)
#define PUMP_RETRY_MS    20

/* libnice paces connectivity checks 20 ms apart by default; with a dozen
 * candidate pairs that alone is most of the time to connect.  5 ms is the
 * smallest pace RFC 8445 allows. */
#define STUN_PACING_MS   5

/* Teardown: how long to let buffered data drain, then the channels close. */
#define DRAIN_TIMEOUT_MS 2000
#define CLOSE_TIMEOUT_MS 1000
#define TEARDOWN_POLL_MS 10

/* At most this many remote candidates wait for the remote description. */
#define MAX_QUEUED_CANDIDATES 64

typedef enum
{
  CHANNEL_OURS,
  CHANNEL_REMOTE,
  CHANNEL_REMOTE_CONFAB,
} ChannelKind;

/* Shared by the peer and every callback GStreamer runs on its own threads:
 * those only ever queue work to the context through the weak reference. */
typedef struct
{
  gatomicrefcount  ref_count;
  GWeakRef         peer;
  GMainContext    *context;
} PeerLink;

/* The GStreamer side of a peer: handed whole to a Teardown when the peer
 * ends, so that it can outlive the peer. */
typedef struct
{
  PeerLink             *link;
  GstElement           *pipeline;
  GstElement           *webrtcbin;
  GSource              *bus_source;
  GstWebRTCDataChannel *local_channel;
  GstWebRTCDataChannel *confab_channel;
  GPtrArray            *remote_channels;
} Connection;

typedef struct
{
  guint64  id;
  char    *text;
  gsize    length;
  gsize    offset;
  gboolean plain;
} OutMessage;

typedef struct
{
  int   mline;
  char *mid;
  char *candidate;
} RemoteCandidate;

struct _ConfabPeer
{
  GObject                 parent_instance;

  GMainContext           *context;
  PeerLink               *link;

  char                   *local_name;
  char                   *remote_name;
  ConfabPeerState         state;
  ConfabPeerReason        reason;
  guint                   answer_timeout;
  char                   *stun_server;
  GStrv                   turn_servers;

  /* incoming: the offer, kept until accept */
  char                   *offer_sdp;

  Connection             *conn;
  GPtrArray              *local_mids;
  GPtrArray              *remote_mids;
  /* The caller's candidates wait for the answer: the mobile app drops
   * those that reach it before its user accepts. */
  GPtrArray              *held_candidates;
  GPtrArray              *remote_candidates;

  GQueue                  outgoing;
  GQueue                  control;
  GHashTable             *awaiting_receipt;
  ConfabChannelAssembler *assembler;
  guint64                 next_id;
  gint64                  last_heard;

  GSource                *answer_timeout_source;
  GSource                *connect_timeout_source;
  GSource                *decide_source;
  GSource                *heartbeat_source;
  GSource                *pump_source;
  GSource                *remote_close_source;

  guint                   is_caller : 1;
  guint                   confab_channel_enabled : 1;
  guint                   offer_sent : 1;
  guint                   answer_received : 1;
  guint                   remote_description_set : 1;
  guint                   local_gathering_done : 1;
  guint                   local_open : 1;
  guint                   confab_open : 1;
  guint                   remote_confab_seen : 1;
  guint                   remote_announces_confab : 1;
  guint                   plain_decided : 1;
  guint                   extended : 1;
};

G_DEFINE_FINAL_TYPE (ConfabPeer, confab_peer, G_TYPE_OBJECT)
G_DEFINE_QUARK (confab-peer-error-quark, confab_peer_error)

enum {
  PROP_0,
  PROP_LOCAL_NAME,
  PROP_REMOTE_NAME,
  PROP_CONFAB_CHANNEL,
  PROP_STATE,
  PROP_FAILURE_REASON,
  PROP_EXTENDED,
  PROP_ANSWER_TIMEOUT,
  N_PROPS
};

enum {
  SEND_MESSAGE,
  TEXT_RECEIVED,
  MESSAGE_STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static int n_closing;

static void set_state          (ConfabPeer       *self,
                                ConfabPeerState   state,
                                ConfabPeerReason  reason);
static void fail_connection    (ConfabPeer       *self);
static void pump               (ConfabPeer       *self);
static void connection_teardown (Connection      *conn);

/* Links and hops */

static PeerLink *
peer_link_new (ConfabPeer *peer)
{
  PeerLink *link = g_new0 (PeerLink, 1);

  g_atomic_ref_count_init (&link->ref_count);
  g_weak_ref_init (&link->peer, peer);
  link->context = g_main_context_ref (peer->context);

  return link;
}

static PeerLink *
peer_link_ref (PeerLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

static void
peer_link_unref (gpointer data)
{
  PeerLink *link = data;

  if (g_atomic_ref_count_dec (&link->ref_count))
    {
      g_weak_ref_clear (&link->peer);
      g_main_context_unref (link->context);
      g_free (link);
    }
}

typedef void (*HopFunc) (ConfabPeer *self,
                         gpointer    data);

typedef struct
{
  PeerLink       *link;
  HopFunc         func;
  gpointer        data;
  GDestroyNotify  destroy;
} Hop;

static void
hop_free (gpointer data)
{
  Hop *hop = data;

  if (hop->destroy != NULL && hop->data != NULL)
    hop->destroy (hop->data);
  peer_link_unref (hop->link);
  g_free (hop);
}

static gboolean
hop_dispatch_cb (gpointer data)
{
  Hop *hop = data;
  g_autoptr(ConfabPeer) self = g_weak_ref_get (&hop->link->peer);

  /* A peer that is gone, or whose connection is already torn down, has
   * nothing left to update. */
  if (self != NULL && self->conn != NULL)
    hop->func (self, hop->data);

  return G_SOURCE_REMOVE;
}

/* Queues @func to run on the peer's context.  Always queued, even from the
 * context's own thread: webrtcbin emits some signals synchronously inside
 * calls we make, and running the handler there would re-enter the peer. */
static void
peer_link_hop (PeerLink       *link,
               HopFunc         func,
               gpointer        data,
               GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Hop *hop = g_new0 (Hop, 1);

  hop->link = peer_link_ref (link);
  hop->func = func;
  hop->data = data;
  hop->destroy = destroy;

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hop_dispatch_cb, hop, hop_free);
  g_source_set_static_name (source, "[confab] peer hop");
  g_source_attach (source, link->context);
}

static GSource *
peer_add_timeout (ConfabPeer  *self,
                  guint        msec,
                  GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (msec);

  g_source_set_callback (source, func, self, NULL);
  g_source_set_static_name (source, "[confab] peer timeout");
  g_source_attach (source, self->context);

  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Small helpers */

static ChannelKind
channel_get_kind (GstWebRTCDataChannel *channel)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (channel), "confab-channel-kind"));
}

static void
out_message_free (gpointer data)
{
  OutMessage *message = data;

  g_free (message->text);
  g_free (message);
}

static void
remote_candidate_free (gpointer data)
{
  RemoteCandidate *candidate = data;

  g_free (candidate->mid);
  g_free (candidate->candidate);
  g_free (candidate);
}

static GPtrArray *
sdp_mids (const GstSDPMessage *sdp)
{
  GPtrArray *mids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
      const char *mid = gst_sdp_media_get_attribute_val (media, "mid");

      g_ptr_array_add (mids, mid != NULL ? g_strdup (mid) : g_strdup_printf ("%u", i));
    }

  return mids;
}

static gboolean
sdp_has_application (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

      if (g_strcmp0 (gst_sdp_media_get_media (media), "application") == 0)
        return TRUE;
    }

  return FALSE;
}

static GstWebRTCSessionDescription *
parse_description (GstWebRTCSDPType   type,
                   const char        *text)
{
  GstSDPMessage *sdp = NULL;

  if (text == NULL || gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK)
    return NULL;

  if (!sdp_has_application (sdp))
    {
      gst_sdp_message_free (sdp);
      return NULL;
    }

  return gst_webrtc_session_description_new (type, sdp);
}

static guint
channel_buffered_amount (GstWebRTCDataChannel *channel)
{
  guint64 amount = 0;

  g_object_get (channel, "buffered-amount", &amount, NULL);
  return MIN (amount, G_MAXUINT);
}

static GstWebRTCDataChannelState
channel_ready_state (GstWebRTCDataChannel *channel)
{
  GstWebRTCDataChannelState ready_state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;

  g_object_get (channel, "ready-state", &ready_state, NULL);
  return ready_state;
}

static void
emit_send (ConfabPeer    *self,
           ConfabMessage *message)
{
  g_autoptr(ConfabMessage) owned = message;

  g_signal_emit (self, signals[SEND_MESSAGE], 0, owned);
}

static void
emit_message_state (ConfabPeer          *self,
                    guint64              id,
                    ConfabDeliveryState  state)
{
  g_signal_emit (self, signals[MESSAGE_STATE_CHANGED], 0, id, state);
}

static void
emit_text (ConfabPeer *self,
           const char *text)
{
  /* The mobile app drops empty messages; so do we. */
  if (text == NULL || text[0] == '\0')
    return;

  g_signal_emit (self, signals[TEXT_RECEIVED], 0, text);
}

/* Teardown: survives the peer, and webrtcbin 1.22's shutdown bugs */

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
  GstWebRTCDataChannelState ready_state = channel_ready_state (channel);

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

  if (channel_ready_state (channel) == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    *total += channel_buffered_amount (channel);
}

static void
count_unclosed_cb (gpointer data,
                   gpointer user_data)
{
  GstWebRTCDataChannel *channel = data;
  guint *unclosed = user_data;

  if (channel_ready_state (channel) != GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED)
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
  peer_link_unref (conn->link);
  g_free (conn);
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

      g_clear_pointer (&teardown->conn, connection_free);
      g_atomic_int_dec_and_test (&n_closing);
      return G_SOURCE_REMOVE;
    }
}

static void
connection_teardown (Connection *conn)
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
  if (conn->webrtcbin != NULL)
    g_signal_handlers_disconnect_by_data (conn->webrtcbin, conn->link);
  connection_for_each_channel (conn, disconnect_channel_cb, conn->link);

  teardown = g_new0 (Teardown, 1);
  teardown->conn = conn;
  teardown->phase = TEARDOWN_DRAINING;
  teardown->deadline = g_get_monotonic_time () + DRAIN_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  g_atomic_int_inc (&n_closing);

  source = g_timeout_source_new (TEARDOWN_POLL_MS);
  g_source_set_callback (source, teardown_poll_cb, teardown, g_free);
  g_source_set_static_name (source, "[confab] peer teardown");
  g_source_attach (source, conn->link->context);
}

guint
confab_peer_get_n_closing (void)
{
  return g_atomic_int_get (&n_closing);
}

/* Sending */

static void
fail_outgoing (ConfabPeer *self)
{
  OutMessage *message;

  while ((message = g_queue_pop_head (&self->outgoing)) != NULL)
    {
      guint64 id = message->id;

      out_message_free (message);
      emit_message_state (self, id, CONFAB_DELIVERY_FAILED);
    }

  g_queue_clear_full (&self->control, (GDestroyNotify) g_bytes_unref);
}

static gboolean
pump_retry_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->pump_source, g_source_unref);
  pump (self);

  return G_SOURCE_REMOVE;
}

/* The next piece of @message as a frame for @channel; advances its offset. */
static gboolean
send_next_piece (ConfabPeer            *self,
                 GstWebRTCDataChannel  *channel,
                 OutMessage            *message,
                 GError               **error)
{
  if (message->plain)
    {
      /* The mobile app only knows whole text messages: a text over 64 KiB
       * goes as several, cut between characters. */
      gsize end = MIN (message->length, message->offset + CONFAB_CHANNEL_FRAME_MAX_SIZE);
      g_autofree char *piece = NULL;

      while (end < message->length && end > message->offset &&
             ((guchar) message->text[end] & 0xC0) == 0x80)
        end--;

      piece = g_strndup (message->text + message->offset, end - message->offset);
      message->offset = end;

      return gst_webrtc_data_channel_send_string_full (channel, piece, error);
    }
  else if (message->offset == 0 && message->length <= CONFAB_CHANNEL_FRAME_MAX_TEXT)
    {
      g_autoptr(GBytes) frame = confab_channel_frame_encode_message (message->id,
                                                                     message->text,
                                                                     message->length);

      message->offset = message->length;
      return gst_webrtc_data_channel_send_data_full (channel, frame, error);
    }
  else
    {
      gsize length = MIN (message->length - message->offset,
                          CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA);
      g_autoptr(GBytes) frame = NULL;

      frame = confab_channel_frame_encode_chunk (message->id,
                                                 message->length,
                                                 message->offset,
                                                 (const guint8 *) message->text + message->offset,
                                                 length);
      message->offset += length;
      return gst_webrtc_data_channel_send_data_full (channel, frame, error);
    }
}

static void
pump (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  if (self->conn == NULL || self->state != CONFAB_PEER_STATE_OPEN)
    return;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GstWebRTCDataChannel *channel;
      OutMessage *message;
      gboolean ok;

      if (self->conn == NULL || self->state != CONFAB_PEER_STATE_OPEN)
        return;

      message = g_queue_peek_head (&self->outgoing);

      if (!g_queue_is_empty (&self->control))
        channel = self->conn->confab_channel;
      else if (message == NULL)
        return;
      else if ((message->offset == 0 && self->extended) || (message->offset > 0 && !message->plain))
        channel = self->conn->confab_channel;
      else
        channel = self->conn->local_channel;

      if (channel_buffered_amount (channel) >= BUFFERED_HIGH)
        {
          if (self->pump_source == NULL)
            self->pump_source = peer_add_timeout (self, PUMP_RETRY_MS, pump_retry_cb);
          return;
        }

      if (!g_queue_is_empty (&self->control))
        {
          g_autoptr(GBytes) frame = g_queue_pop_head (&self->control);

          if (!gst_webrtc_data_channel_send_data_full (channel, frame, &error))
            {
              g_message ("Could not send a control frame to “%s”: %s",
                         self->remote_name, error->message);
              fail_connection (self);
              return;
            }
          continue;
        }

      if (message->offset == 0)
        message->plain = channel == self->conn->local_channel;

      ok = send_next_piece (self, channel, message, &error);
      if (!ok || message->offset == message->length)
        {
          guint64 id = message->id;
          gboolean plain = message->plain;

          g_queue_pop_head (&self->outgoing);
          out_message_free (message);

          if (!ok)
            {
              g_message ("Could not send a message to “%s”: %s",
                         self->remote_name, error->message);
              emit_message_state (self, id, CONFAB_DELIVERY_FAILED);
            }
          else
            {
              if (!plain)
                g_hash_table_add (self->awaiting_receipt, g_memdup2 (&id, sizeof id));
              emit_message_state (self, id, CONFAB_DELIVERY_SENT);
            }
        }
    }
}

static void
queue_control (ConfabPeer *self,
               GBytes     *frame)
{
  g_queue_push_tail (&self->control, frame);
  pump (self);
}

guint64
confab_peer_send_text (ConfabPeer  *self,
                       const char  *text,
                       GError     **error)
{
  OutMessage *message;
  gsize length;

  g_return_val_if_fail (CONFAB_IS_PEER (self), 0);
  g_return_val_if_fail (text != NULL, 0);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  length = strlen (text);
  if (length == 0)
    {
      g_set_error_literal (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_EMPTY_TEXT,
                           "An empty message cannot be sent");
      return 0;
    }

  if (self->state == CONFAB_PEER_STATE_CLOSED || self->state == CONFAB_PEER_STATE_FAILED)
    {
      g_set_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_CLOSED,
                   "The conversation with “%s” has ended", self->remote_name);
      return 0;
    }

  message = g_new0 (OutMessage, 1);
  message->id = ++self->next_id;
  message->text = g_strdup (text);
  message->length = length;
  g_queue_push_tail (&self->outgoing, message);

  emit_message_state (self, message->id, CONFAB_DELIVERY_SENDING);
  pump (self);

  return self->next_id;
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

  switch (frame.type)
    {
    case CONFAB_CHANNEL_FRAME_MESSAGE:
      assembled = g_strndup ((const char *) frame.payload, frame.payload_length);
      id = frame.id;
      break;

    case CONFAB_CHANNEL_FRAME_CHUNK:
      assembled = confab_channel_assembler_add (self->assembler, &frame, &id, &error);
      if (error != NULL)
        g_message ("Dropping a message from “%s”: %s", self->remote_name, error->message);
      break;

    case CONFAB_CHANNEL_FRAME_RECEIPT:
      if (g_hash_table_remove (self->awaiting_receipt, &frame.id))
        emit_message_state (self, frame.id, CONFAB_DELIVERY_DELIVERED);
      return;

    case CONFAB_CHANNEL_FRAME_HEARTBEAT:
      return;

    case CONFAB_CHANNEL_FRAME_BYE:
      /* The channel is ordered: everything the peer sent came first. */
      if (self->state == CONFAB_PEER_STATE_OPEN)
        set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
      return;

    default:
      g_assert_not_reached ();
    }

  if (assembled == NULL)
    return;

  emit_text (self, assembled);

  if (self->state == CONFAB_PEER_STATE_OPEN && self->conn != NULL &&
      self->conn->confab_channel != NULL && self->confab_open)
    queue_control (self, confab_channel_frame_encode_receipt (id));
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
received_hop (ConfabPeer *self,
              gpointer    data)
{
  Received *received = data;

  self->last_heard = g_get_monotonic_time ();

  if (received->string != NULL)
    {
      emit_text (self, received->string);
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

          emit_text (self, text);
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
                      PeerLink             *link)
{
  Received *received = g_new0 (Received, 1);

  received->kind = channel_get_kind (channel);
  received->string = g_strdup (string);
  peer_link_hop (link, received_hop, received, received_free);
}

static void
on_message_data_cb (GstWebRTCDataChannel *channel,
                    GBytes               *bytes,
                    PeerLink             *link)
{
  Received *received;

  if (bytes == NULL)
    return;

  received = g_new0 (Received, 1);
  received->kind = channel_get_kind (channel);
  received->bytes = g_bytes_ref (bytes);
  peer_link_hop (link, received_hop, received, received_free);
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTENDED]);
}

static gboolean
decide_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->decide_source, g_source_unref);

  if (self->state == CONFAB_PEER_STATE_CONNECTING && self->local_open)
    {
      self->plain_decided = TRUE;
      set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
      pump (self);
    }

  return G_SOURCE_REMOVE;
}

/* Open as soon as we know how to talk: through "confab" when both sides
 * announced it in their descriptions and both are open, in plain text
 * at once otherwise. */
static void
maybe_open (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  if (self->state == CONFAB_PEER_STATE_OPEN)
    {
      update_extended (self);
      pump (self);
      return;
    }

  if (self->state != CONFAB_PEER_STATE_CONNECTING || !self->local_open)
    return;

  if (self->remote_confab_seen && self->confab_open)
    {
      set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
      update_extended (self);
    }
  else if (!self->remote_announces_confab || !self->confab_channel_enabled)
    {
      self->plain_decided = TRUE;
      set_state (self, CONFAB_PEER_STATE_OPEN, CONFAB_PEER_REASON_NONE);
    }
  else if (self->decide_source == NULL)
    {
      self->decide_source = peer_add_timeout (self, DECIDE_TIMEOUT_MS, decide_timeout_cb);
      return;
    }

  pump (self);
}

static void
channel_open_hop (ConfabPeer *self,
                  gpointer    data)
{
  GstWebRTCDataChannel *channel = data;

  if (channel == self->conn->local_channel)
    self->local_open = TRUE;
  else if (channel == self->conn->confab_channel)
    self->confab_open = TRUE;

  maybe_open (self);
}

static void
channel_closed_hop (ConfabPeer *self,
                    gpointer    data)
{
  GstWebRTCDataChannel *channel = data;

  /* A browser may open and close channels of its own; only the two that
   * carry the chat end it. */
  if (channel_get_kind (channel) == CHANNEL_REMOTE)
    {
      g_autofree char *label = NULL;

      g_object_get (channel, "label", &label, NULL);
      if (g_strcmp0 (label, LOCAL_CHANNEL_LABEL) != 0)
        return;
    }

  switch (self->state)
    {
    case CONFAB_PEER_STATE_OPEN:
      /* The mobile app hangs up by closing its connection. */
      set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
      break;

    case CONFAB_PEER_STATE_CONNECTING:
      set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);
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
channel_error_hop (ConfabPeer *self,
                   gpointer    data)
{
  const char *message = data;

  g_message ("Data channel error with “%s”: %s", self->remote_name, message);
  fail_connection (self);
}

static void
on_open_cb (GstWebRTCDataChannel *channel,
            PeerLink             *link)
{
  peer_link_hop (link, channel_open_hop, g_object_ref (channel), g_object_unref);
}

static void
on_close_cb (GstWebRTCDataChannel *channel,
             PeerLink             *link)
{
  peer_link_hop (link, channel_closed_hop, g_object_ref (channel), g_object_unref);
}

static void
on_error_cb (GstWebRTCDataChannel *channel,
             GError               *error,
             PeerLink             *link)
{
  peer_link_hop (link, channel_error_hop,
                 g_strdup (error != NULL ? error->message : "unknown error"), g_free);
}

static void
pump_hop (ConfabPeer *self,
          gpointer    data)
{
  pump (self);
}

static void
on_buffered_amount_low_cb (GstWebRTCDataChannel *channel,
                           PeerLink             *link)
{
  peer_link_hop (link, pump_hop, NULL, NULL);
}

static void
channel_connect (GstWebRTCDataChannel *channel,
                 ChannelKind           kind,
                 PeerLink             *link)
{
  /* Set before any handler can run, and never changed. */
  g_object_set_data (G_OBJECT (channel), "confab-channel-kind", GINT_TO_POINTER (kind));

  g_signal_connect_data (channel, "on-message-string", G_CALLBACK (on_message_string_cb),
                         peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (channel, "on-message-data", G_CALLBACK (on_message_data_cb),
                         peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (channel, "on-close", G_CALLBACK (on_close_cb),
                         peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (channel, "on-error", G_CALLBACK (on_error_cb),
                         peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);

  if (kind == CHANNEL_OURS)
    {
      g_object_set (channel, "buffered-amount-low-threshold", (guint64) BUFFERED_LOW, NULL);
      g_signal_connect_data (channel, "on-open", G_CALLBACK (on_open_cb),
                             peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);
      g_signal_connect_data (channel, "on-buffered-amount-low",
                             G_CALLBACK (on_buffered_amount_low_cb),
                             peer_link_ref (link), (GClosureNotify) peer_link_unref, 0);
    }
}

static void
remote_channel_hop (ConfabPeer *self,
                    gpointer    data)
{
  GstWebRTCDataChannel *channel = data;
  g_autofree char *label = NULL;

  g_object_get (channel, "label", &label, NULL);
  g_ptr_array_add (self->conn->remote_channels, g_object_ref (channel));

  if (g_strcmp0 (label, CONFAB_CHANNEL_LABEL) == 0)
    self->remote_confab_seen = TRUE;

  maybe_open (self);
}

static void
on_data_channel_cb (GstElement           *webrtcbin,
                    GstWebRTCDataChannel *channel,
                    PeerLink             *link)
{
  g_autofree char *label = NULL;

  /* Handlers go on here, on the streaming thread, before the first
   * message can arrive; the peer hears of the channel through the hop. */
  g_object_get (channel, "label", &label, NULL);
  channel_connect (channel,
                   g_strcmp0 (label, CONFAB_CHANNEL_LABEL) == 0 ? CHANNEL_REMOTE_CONFAB
                                                                : CHANNEL_REMOTE,
                   link);
  peer_link_hop (link, remote_channel_hop, g_object_ref (channel), g_object_unref);
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
      set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_VANISHED);
      return G_SOURCE_REMOVE;
    }

  queue_control (self, confab_channel_frame_encode_heartbeat ());
  return G_SOURCE_CONTINUE;
}

static void
heartbeat_start (ConfabPeer *self)
{
  if (self->heartbeat_source == NULL)
    self->heartbeat_source = peer_add_timeout (self, HEARTBEAT_INTERVAL_MS, heartbeat_cb);
}

/* ICE */

static void
send_candidate (ConfabPeer    *self,
                ConfabMessage *message)
{
  if (self->is_caller && !self->answer_received)
    g_ptr_array_add (self->held_candidates, message);
  else
    emit_send (self, message);
}

typedef struct
{
  guint  mline;
  char  *candidate;
} LocalCandidate;

static void
local_candidate_free (gpointer data)
{
  LocalCandidate *candidate = data;

  g_free (candidate->candidate);
  g_free (candidate);
}

static void
local_candidate_hop (ConfabPeer *self,
                     gpointer    data)
{
  LocalCandidate *candidate = data;
  g_autofree char *fallback_mid = NULL;
  const char *mid;

  /* webrtcbin gives only the m-line index; the mobile app needs the mid. */
  if (self->local_mids != NULL && candidate->mline < self->local_mids->len)
    mid = g_ptr_array_index (self->local_mids, candidate->mline);
  else
    mid = fallback_mid = g_strdup_printf ("%u", candidate->mline);

  send_candidate (self,
                  confab_message_new_ice_candidate (self->local_name, self->remote_name,
                                                    candidate->mline, mid,
                                                    candidate->candidate));
}

static void
on_ice_candidate_cb (GstElement *webrtcbin,
                     guint       mline,
                     const char *candidate,
                     PeerLink   *link)
{
  LocalCandidate *local = g_new0 (LocalCandidate, 1);

  local->mline = mline;
  local->candidate = g_strdup (candidate);
  peer_link_hop (link, local_candidate_hop, local, local_candidate_free);
}

static void
add_remote_candidate (ConfabPeer      *self,
                      RemoteCandidate *candidate)
{
  int mline = candidate->mline;

  if (mline < 0 && candidate->mid != NULL && self->remote_mids != NULL)
    {
      for (guint i = 0; i < self->remote_mids->len; i++)
        {
          if (g_strcmp0 (g_ptr_array_index (self->remote_mids, i), candidate->mid) == 0)
            mline = i;
        }
    }

  /* One bundled m-line is all a data-channel-only connection has. */
  if (mline < 0)
    mline = 0;

  g_signal_emit_by_name (self->conn->webrtcbin, "add-ice-candidate",
                         (guint) mline, candidate->candidate);
}

static void
flush_remote_candidates (ConfabPeer *self)
{
  for (guint i = 0; i < self->remote_candidates->len; i++)
    add_remote_candidate (self, g_ptr_array_index (self->remote_candidates, i));

  g_ptr_array_set_size (self->remote_candidates, 0);
}

static void
flush_held_candidates (ConfabPeer *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held_candidates);

  self->held_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  for (guint i = 0; i < held->len; i++)
    emit_send (self, confab_message_ref (g_ptr_array_index (held, i)));
}

static void
connection_state_hop (ConfabPeer *self,
                      gpointer    data)
{
  GstWebRTCPeerConnectionState connection_state;
  GstWebRTCICEConnectionState ice_state;
  GstWebRTCICEGatheringState gathering_state;

  g_object_get (self->conn->webrtcbin,
                "connection-state", &connection_state,
                "ice-connection-state", &ice_state,
                "ice-gathering-state", &gathering_state,
                NULL);

  if (gathering_state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE && !self->local_gathering_done)
    {
      const char *mid = self->local_mids != NULL && self->local_mids->len > 0
                        ? g_ptr_array_index (self->local_mids, 0) : "0";

      /* An empty candidate: the end of ours. */
      self->local_gathering_done = TRUE;
      send_candidate (self,
                      confab_message_new_ice_candidate (self->local_name, self->remote_name,
                                                        0, mid, ""));
    }

  if (connection_state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
      ice_state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    fail_connection (self);
}

static void
on_state_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    PeerLink   *link)
{
  peer_link_hop (link, connection_state_hop, NULL, NULL);
}

static gboolean
message_is_from_sctp (GstMessage *message)
{
  GstElementFactory *factory;
  const char *name;

  if (!GST_IS_ELEMENT (GST_MESSAGE_SRC (message)))
    return FALSE;

  factory = gst_element_get_factory (GST_ELEMENT (GST_MESSAGE_SRC (message)));
  name = factory != NULL ? GST_OBJECT_NAME (factory) : NULL;

  return g_strcmp0 (name, "sctpenc") == 0 || g_strcmp0 (name, "sctpdec") == 0;
}

static gboolean
bus_message_cb (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  ConfabPeer *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);

      /* Chromium (and so the mobile app) hangs up by aborting the SCTP
       * association; webrtcbin 1.22 then reports an error from its SCTP
       * elements and never closes the channels.  Only the other side's
       * stack sends an abort: a vanished peer sends nothing. */
      if (self->state == CONFAB_PEER_STATE_OPEN && message_is_from_sctp (message))
        {
          g_debug ("“%s” ended the SCTP association: %s", self->remote_name, error->message);
          set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
          return G_SOURCE_CONTINUE;
        }

      g_message ("Connection with “%s” broke: %s (%s)",
                 self->remote_name, error->message, debug != NULL ? debug : "");
      fail_connection (self);
    }

  return G_SOURCE_CONTINUE;
}

/* Offer and answer */

typedef struct
{
  GstWebRTCSessionDescription *description;
  char                        *error;
} PromiseReply;

static void
promise_reply_free (gpointer data)
{
  PromiseReply *reply = data;

  g_clear_pointer (&reply->description, gst_webrtc_session_description_free);
  g_free (reply->error);
  g_free (reply);
}

/* Runs on webrtcbin's thread: copies what the reply holds and hops. */
static PromiseReply *
promise_reply_take (GstPromise *promise,
                    const char *field)
{
  PromiseReply *reply = g_new0 (PromiseReply, 1);
  const GstStructure *structure;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    {
      reply->error = g_strdup ("no reply");
      return reply;
    }

  /* set-*-description replies with nothing at all when it worked. */
  structure = gst_promise_get_reply (promise);
  if (structure == NULL)
    {
      if (field != NULL)
        reply->error = g_strdup ("an empty reply");
    }
  else if (gst_structure_has_field (structure, "error"))
    {
      g_autoptr(GError) error = NULL;

      gst_structure_get (structure, "error", G_TYPE_ERROR, &error, NULL);
      reply->error = g_strdup (error != NULL ? error->message : "error");
    }
  else if (field != NULL)
    {
      gst_structure_get (structure, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                         &reply->description, NULL);
      if (reply->description == NULL)
        reply->error = g_strdup_printf ("no %s in the reply", field);
    }

  return reply;
}

/* webrtcbin keeps its own reference to the promise: the caller unrefs. */
static GstPromise *
new_promise (ConfabPeer           *self,
             GstPromiseChangeFunc  func)
{
  return gst_promise_new_with_change_func (func, peer_link_ref (self->conn->link),
                                           peer_link_unref);
}

static void
local_description_created (ConfabPeer   *self,
                           PromiseReply *reply)
{
  g_autofree char *sdp = NULL;

  if (reply->error != NULL)
    {
      g_warning ("webrtcbin could not make the %s for “%s”: %s",
                 self->is_caller ? "offer" : "answer", self->remote_name, reply->error);
      fail_connection (self);
      return;
    }

  g_clear_pointer (&self->local_mids, g_ptr_array_unref);
  self->local_mids = sdp_mids (reply->description->sdp);

  g_signal_emit_by_name (self->conn->webrtcbin, "set-local-description",
                         reply->description, NULL);

  if (self->confab_channel_enabled)
    {
      g_autoptr(GstSDPMessage) announced = NULL;

      gst_sdp_message_copy (reply->description->sdp, &announced);
      gst_sdp_message_add_attribute (announced, CONFAB_SDP_ATTRIBUTE, CONFAB_SDP_VERSION);
      sdp = gst_sdp_message_as_text (announced);
    }
  else
    {
      sdp = gst_sdp_message_as_text (reply->description->sdp);
    }

  if (self->is_caller)
    {
      self->offer_sent = TRUE;
      emit_send (self, confab_message_new_create_offer (self->local_name, self->remote_name, sdp));
    }
  else
    {
      emit_send (self, confab_message_new_create_answer (self->local_name, self->remote_name, sdp));
    }
}

static void
description_created_hop (ConfabPeer *self,
                         gpointer    data)
{
  local_description_created (self, data);
}

static void
on_offer_created_cb (GstPromise *promise,
                     gpointer    user_data)
{
  peer_link_hop (user_data, description_created_hop,
                 promise_reply_take (promise, "offer"), promise_reply_free);
}

static void
on_answer_created_cb (GstPromise *promise,
                      gpointer    user_data)
{
  peer_link_hop (user_data, description_created_hop,
                 promise_reply_take (promise, "answer"), promise_reply_free);
}

static void
create_channels (ConfabPeer *self)
{
  Connection *conn = self->conn;

  if (self->confab_channel_enabled)
    {
      g_signal_emit_by_name (conn->webrtcbin, "create-data-channel",
                             CONFAB_CHANNEL_LABEL, NULL, &conn->confab_channel);
      if (conn->confab_channel != NULL)
        channel_connect (conn->confab_channel, CHANNEL_OURS, conn->link);
    }

  g_signal_emit_by_name (conn->webrtcbin, "create-data-channel",
                         LOCAL_CHANNEL_LABEL, NULL, &conn->local_channel);
  if (conn->local_channel != NULL)
    channel_connect (conn->local_channel, CHANNEL_OURS, conn->link);
}

static void
remote_description_set_hop (ConfabPeer *self,
                            gpointer    data)
{
  g_autoptr(GstPromise) promise = NULL;
  PromiseReply *reply = data;

  if (reply->error != NULL)
    {
      g_message ("webrtcbin refused the %s of “%s”: %s",
                 self->is_caller ? "answer" : "offer", self->remote_name, reply->error);
      fail_connection (self);
      return;
    }

  self->remote_description_set = TRUE;
  flush_remote_candidates (self);

  if (!self->is_caller)
    {
      create_channels (self);
      if (self->conn->local_channel == NULL)
        {
          g_warning ("webrtcbin could not create a data channel for “%s”", self->remote_name);
          fail_connection (self);
          return;
        }

      promise = new_promise (self, on_answer_created_cb);
      g_signal_emit_by_name (self->conn->webrtcbin, "create-answer", NULL, promise);
    }
}

static void
on_remote_description_set_cb (GstPromise *promise,
                              gpointer    user_data)
{
  peer_link_hop (user_data, remote_description_set_hop,
                 promise_reply_take (promise, NULL), promise_reply_free);
}

static void
set_remote_description (ConfabPeer                  *self,
                        GstWebRTCSessionDescription *description)
{
  g_autoptr(GstPromise) promise = new_promise (self, on_remote_description_set_cb);

  g_clear_pointer (&self->remote_mids, g_ptr_array_unref);
  self->remote_mids = sdp_mids (description->sdp);
  self->remote_announces_confab =
    gst_sdp_message_get_attribute_val (description->sdp, CONFAB_SDP_ATTRIBUTE) != NULL;

  g_signal_emit_by_name (self->conn->webrtcbin, "set-remote-description", description, promise);
}

/* The connection */

static gboolean
host_has_only_loopback (void)
{
  GList *addresses = nice_interfaces_get_local_ips (FALSE);
  gboolean only_loopback = addresses == NULL;

  g_list_free_full (addresses, g_free);
  return only_loopback;
}

static void
tune_ice_agent (ConfabPeer *self,
                GstElement *webrtcbin)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);

  if (agent != NULL)
    {
      /* Keepalives that expect an answer let libnice notice a peer that
       * is gone: the only dead-peer detection a mobile-app peer gets. */
      /* No UPnP port mapping either: gupnp-igd searches the LAN for a
       * router, for seconds, before gathering completes. */
      g_object_set (agent,
                    "stun-pacing-timer", STUN_PACING_MS,
                    "keepalive-conncheck", TRUE,
                    "upnp", FALSE,
                    NULL);
    }

  /* libnice ignores loopback interfaces unless told about them, so on a
   * host with nothing else two peers would have no candidate at all. */
  if (host_has_only_loopback ())
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &added);
      if (!added)
        g_warning ("libnice refused 127.0.0.1 as a local address");
    }
}

static gboolean
connection_start (ConfabPeer *self)
{
  g_autoptr(GstBus) bus = NULL;
  Connection *conn;

  g_assert (self->conn == NULL);

  conn = g_new0 (Connection, 1);
  conn->link = peer_link_ref (self->link);
  conn->remote_channels = g_ptr_array_new_with_free_func (g_object_unref);
  conn->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  conn->webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  self->conn = conn;

  if (conn->webrtcbin == NULL)
    {
      g_warning ("GStreamer's webrtcbin is missing (gst-plugins-bad)");
      return FALSE;
    }

  gst_object_ref_sink (conn->webrtcbin);
  gst_bin_add (GST_BIN (conn->pipeline), conn->webrtcbin);

  g_object_set (conn->webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (self->stun_server != NULL)
    g_object_set (conn->webrtcbin, "stun-server", self->stun_server, NULL);
  for (guint i = 0; self->turn_servers != NULL && self->turn_servers[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (conn->webrtcbin, "add-turn-server", self->turn_servers[i], &added);
      if (!added)
        g_warning ("webrtcbin refused a TURN server");
    }
  tune_ice_agent (self, conn->webrtcbin);

  g_signal_connect_data (conn->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb),
                         peer_link_ref (conn->link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "on-data-channel", G_CALLBACK (on_data_channel_cb),
                         peer_link_ref (conn->link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::connection-state",
                         G_CALLBACK (on_state_notify_cb),
                         peer_link_ref (conn->link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::ice-connection-state",
                         G_CALLBACK (on_state_notify_cb),
                         peer_link_ref (conn->link), (GClosureNotify) peer_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::ice-gathering-state",
                         G_CALLBACK (on_state_notify_cb),
                         peer_link_ref (conn->link), (GClosureNotify) peer_link_unref, 0);

  bus = gst_pipeline_get_bus (GST_PIPELINE (conn->pipeline));
  conn->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (conn->bus_source, G_SOURCE_FUNC (bus_message_cb), self, NULL);
  g_source_attach (conn->bus_source, self->context);

  if (gst_element_set_state (conn->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_warning ("Could not start webrtcbin");
      return FALSE;
    }

  return TRUE;
}

/* States */

static void
fail_connection (ConfabPeer *self)
{
  if (self->state == CONFAB_PEER_STATE_OPEN)
    set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_VANISHED);
  else if (self->state != CONFAB_PEER_STATE_CLOSED && self->state != CONFAB_PEER_STATE_FAILED)
    set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);
}

static void
set_state (ConfabPeer       *self,
           ConfabPeerState   state,
           ConfabPeerReason  reason)
{
  g_autoptr(ConfabPeer) hold = g_object_ref (self);
  gboolean ended = state == CONFAB_PEER_STATE_CLOSED || state == CONFAB_PEER_STATE_FAILED;

  if (self->state == state)
    return;

  self->state = state;

  if (ended)
    {
      clear_source (&self->answer_timeout_source);
      clear_source (&self->connect_timeout_source);
      clear_source (&self->decide_source);
      clear_source (&self->heartbeat_source);
      clear_source (&self->pump_source);
      clear_source (&self->remote_close_source);
      if (self->conn != NULL)
        connection_teardown (g_steal_pointer (&self->conn));
      g_ptr_array_set_size (self->held_candidates, 0);
      g_ptr_array_set_size (self->remote_candidates, 0);
      g_clear_pointer (&self->offer_sdp, g_free);
    }

  if (state == CONFAB_PEER_STATE_OPEN)
    {
      clear_source (&self->connect_timeout_source);
      clear_source (&self->decide_source);
    }

  /* The reason first: whoever watches "state" reads it. */
  if (self->reason != reason)
    {
      self->reason = reason;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (ended)
    fail_outgoing (self);
}

static gboolean
connect_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->connect_timeout_source, g_source_unref);
  set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);

  return G_SOURCE_REMOVE;
}

static void
enter_connecting (ConfabPeer *self)
{
  clear_source (&self->answer_timeout_source);
  self->connect_timeout_source = peer_add_timeout (self, CONNECT_TIMEOUT_S * 1000,
                                                   connect_timeout_cb);
  set_state (self, CONFAB_PEER_STATE_CONNECTING, CONFAB_PEER_REASON_NONE);
}

static gboolean
answer_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  g_clear_pointer (&self->answer_timeout_source, g_source_unref);
  emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
  set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_NO_ANSWER);

  return G_SOURCE_REMOVE;
}

void
confab_peer_call (ConfabPeer *self)
{
  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_NEW);

  self->is_caller = TRUE;
  if (self->answer_timeout > 0)
    self->answer_timeout_source = peer_add_timeout (self, self->answer_timeout * 1000,
                                                    answer_timeout_cb);

  set_state (self, CONFAB_PEER_STATE_CALLING, CONFAB_PEER_REASON_NONE);
  emit_send (self, confab_message_new_start_transfer (self->local_name, self->remote_name));
}

static void
start_offer (ConfabPeer *self)
{
  g_autoptr(GstPromise) promise = NULL;

  if (!connection_start (self))
    {
      fail_connection (self);
      return;
    }

  create_channels (self);
  if (self->conn->local_channel == NULL)
    {
      g_warning ("webrtcbin could not create a data channel for “%s”", self->remote_name);
      fail_connection (self);
      return;
    }

  promise = new_promise (self, on_offer_created_cb);
  g_signal_emit_by_name (self->conn->webrtcbin, "create-offer", NULL, promise);
}

void
confab_peer_accept (ConfabPeer *self)
{
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;
  g_autoptr(ConfabPeer) hold = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_INCOMING);

  hold = g_object_ref (self);
  offer = parse_description (GST_WEBRTC_SDP_TYPE_OFFER, self->offer_sdp);
  g_clear_pointer (&self->offer_sdp, g_free);
  g_assert (offer != NULL);

  enter_connecting (self);
  if (!connection_start (self))
    {
      fail_connection (self);
      return;
    }

  set_remote_description (self, offer);
}

void
confab_peer_decline (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_INCOMING);

  hold = g_object_ref (self);
  emit_send (self, confab_message_new_decline (self->local_name, self->remote_name));
  set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_DECLINED);
}

void
confab_peer_hang_up (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));

  hold = g_object_ref (self);

  switch (self->state)
    {
    case CONFAB_PEER_STATE_INCOMING:
      confab_peer_decline (self);
      return;

    case CONFAB_PEER_STATE_NEW:
      set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_NONE);
      return;

    case CONFAB_PEER_STATE_CALLING:
    case CONFAB_PEER_STATE_CONNECTING:
    case CONFAB_PEER_STATE_OPEN:
      /* Said on the channel too, after everything sent so far: it arrives
       * even when the signalling server is gone. */
      if (self->state == CONFAB_PEER_STATE_OPEN && self->extended)
        {
          g_autoptr(GBytes) bye = confab_channel_frame_encode_bye ();

          gst_webrtc_data_channel_send_data_full (self->conn->confab_channel, bye, NULL);
        }

      /* Before the offer went out, the callee knows of nothing. */
      if (self->state != CONFAB_PEER_STATE_CALLING || self->offer_sent)
        emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
      set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_NONE);
      return;

    case CONFAB_PEER_STATE_CLOSED:
    case CONFAB_PEER_STATE_FAILED:
    default:
      return;
    }
}

static gboolean
remote_close_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->remote_close_source, g_source_unref);
  set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);

  return G_SOURCE_REMOVE;
}

static gboolean
handle_ice_candidate (ConfabPeer    *self,
                      ConfabMessage *message)
{
  RemoteCandidate *candidate;
  const char *text = confab_message_get_candidate (message);

  switch (self->state)
    {
    case CONFAB_PEER_STATE_CALLING:
    case CONFAB_PEER_STATE_INCOMING:
    case CONFAB_PEER_STATE_CONNECTING:
    case CONFAB_PEER_STATE_OPEN:
      break;

    case CONFAB_PEER_STATE_NEW:
    case CONFAB_PEER_STATE_CLOSED:
    case CONFAB_PEER_STATE_FAILED:
    default:
      return FALSE;
    }

  /* The end of the peer's candidates: webrtcbin 1.22 has no use for it,
   * it keeps checking what it has until libnice gives up. */
  if (text == NULL || text[0] == '\0')
    return TRUE;

  candidate = g_new0 (RemoteCandidate, 1);
  candidate->mline = confab_message_get_sdp_mline_index (message);
  candidate->mid = g_strdup (confab_message_get_sdp_mid (message));
  candidate->candidate = g_strdup (text);

  if (self->conn != NULL && self->remote_description_set)
    {
      add_remote_candidate (self, candidate);
      remote_candidate_free (candidate);
    }
  else if (self->remote_candidates->len < MAX_QUEUED_CANDIDATES)
    {
      g_ptr_array_add (self->remote_candidates, candidate);
    }
  else
    {
      g_message ("Too many ICE candidates from “%s” before its description; dropping one",
                 self->remote_name);
      remote_candidate_free (candidate);
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_peer_handle_message (ConfabPeer    *self,
                            ConfabMessage *message)
{
  g_autoptr(ConfabPeer) hold = NULL;
  ConfabMessageKind kind;

  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  hold = g_object_ref (self);
  kind = confab_message_get_kind (message);

  switch (kind)
    {
    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
      {
        const char *user = confab_message_get_user (message);

        if (self->state != CONFAB_PEER_STATE_CALLING || self->conn != NULL)
          return FALSE;

        if (user == NULL)
          {
            set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_PEER_OFFLINE);
            return TRUE;
          }

        if (g_strcmp0 (user, self->remote_name) != 0)
          return FALSE;

        start_offer (self);
        return TRUE;
      }

    case CONFAB_MESSAGE_ANSWER_RECEIVED:
      {
        g_autoptr(GstWebRTCSessionDescription) answer = NULL;

        if (self->state != CONFAB_PEER_STATE_CALLING || !self->offer_sent)
          return FALSE;

        answer = parse_description (GST_WEBRTC_SDP_TYPE_ANSWER,
                                    confab_message_get_sdp (message));
        if (answer == NULL)
          {
            g_message ("“%s” answered with an unusable SDP", self->remote_name);
            set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);
            return TRUE;
          }

        self->answer_received = TRUE;
        enter_connecting (self);
        set_remote_description (self, answer);
        flush_held_candidates (self);
        return TRUE;
      }

    case CONFAB_MESSAGE_ICE_CANDIDATE:
      return handle_ice_candidate (self, message);

    case CONFAB_MESSAGE_OFFER_DECLINED:
      if (self->state != CONFAB_PEER_STATE_CALLING)
        return FALSE;
      set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_DECLINED);
      return TRUE;

    case CONFAB_MESSAGE_PEER_HUNG_UP:
      switch (self->state)
        {
        case CONFAB_PEER_STATE_OPEN:
        case CONFAB_PEER_STATE_CONNECTING:
          /* What the peer sent before hanging up may still be on its way
           * through the data channel, which is slower than the server:
           * even while connecting here, for the other side opens first
           * and may have sent (and left) before our channels open. */
          if (self->remote_close_source == NULL)
            self->remote_close_source = peer_add_timeout (self, REMOTE_CLOSE_GRACE_MS,
                                                          remote_close_cb);
          return TRUE;

        case CONFAB_PEER_STATE_CALLING:
        case CONFAB_PEER_STATE_INCOMING:
          set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
          return TRUE;

        case CONFAB_PEER_STATE_NEW:
        case CONFAB_PEER_STATE_CLOSED:
        case CONFAB_PEER_STATE_FAILED:
        default:
          return FALSE;
        }

    case CONFAB_MESSAGE_ERROR:
      /* The server lost track of the peer: it matters only while we still
       * need the server to reach it. */
      if (g_strcmp0 (confab_message_get_error_code (message), "unknown-target") == 0 &&
          self->state == CONFAB_PEER_STATE_CALLING)
        {
          set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_PEER_OFFLINE);
          return TRUE;
        }
      return FALSE;

    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
    case CONFAB_MESSAGE_USER_STORED:
    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_N_KINDS:
    default:
      return FALSE;
    }
}

/* Pre-warming */

/* The pre-warming thread until someone joined it */
static GMutex prewarm_lock;
static GThread *prewarm_worker;

static gpointer
prewarm_thread (gpointer data)
{
  static const char * const factories[] = {
    "webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "dtlssrtpdec",
    "sctpenc", "sctpdec", "rtpbin", "srtpenc", "srtpdec", "funnel",
    /* Made without a certificate, a dtlsdec generates the one every DTLS
     * connection of the process shares: an RSA key, 0.1 to 0.5 s. */
    "dtlsdec",
  };

  /* Making an element loads its plugin. */
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    {
      GstElement *element = gst_element_factory_make (factories[i], NULL);

      if (element != NULL)
        gst_object_unref (gst_object_ref_sink (element));
    }

  return NULL;
}

/* Waits for the pre-warming thread to end.  A process must not exit while
 * it is inside OpenSSL making the certificate: exit() runs OpenSSL's
 * atexit cleanup under it, which crashes it or leaks the random
 * generator it was making.  At most once, and a fraction of a second. */
void
confab_peer_prewarm_join (void)
{
  GThread *worker;

  g_mutex_lock (&prewarm_lock);
  worker = g_steal_pointer (&prewarm_worker);
  g_mutex_unlock (&prewarm_lock);

  if (worker != NULL)
    g_thread_join (worker);
}

void
confab_peer_prewarm (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      if (!gst_is_initialized ())
        gst_init (NULL, NULL);

      g_mutex_lock (&prewarm_lock);
      prewarm_worker = g_thread_new ("confab-prewarm", prewarm_thread, NULL);
      g_mutex_unlock (&prewarm_lock);
      g_once_init_leave (&started, 1);
    }
}

/* Testing */

static GstPadProbeReturn
drop_probe_cb (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  return GST_PAD_PROBE_DROP;
}

static void
drop_element_traffic (const GValue *value,
                      gpointer      user_data)
{
  GstElement *element = g_value_get_object (value);
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory != NULL ? GST_OBJECT_NAME (factory) : NULL;
  g_autoptr(GstPad) pad = NULL;

  if (g_strcmp0 (name, "nicesrc") == 0)
    pad = gst_element_get_static_pad (element, "src");
  else if (g_strcmp0 (name, "nicesink") == 0)
    pad = gst_element_get_static_pad (element, "sink");

  if (pad != NULL)
    /* Buffers only: the stream's events still flow, as they would on a
     * dead network. */
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       drop_probe_cb, NULL, NULL);
}

/* webrtcbin makes its ICE transport's elements only when it applies a
 * description: those made later lose their traffic too. */
static void
drop_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, GST_TYPE_ELEMENT);
  g_value_set_object (&value, element);
  drop_element_traffic (&value, NULL);
  g_value_unset (&value);
}

void
_confab_peer_drop_network (ConfabPeer *self)
{
  g_autoptr(GstIterator) iter = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->conn != NULL);

  g_signal_connect (self->conn->pipeline, "deep-element-added",
                    G_CALLBACK (drop_element_added_cb), NULL);
  iter = gst_bin_iterate_recurse (GST_BIN (self->conn->pipeline));
  while (gst_iterator_foreach (iter, drop_element_traffic, NULL) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (iter);
}

/* GObject */

static void
confab_peer_dispose (GObject *object)
{
  ConfabPeer *self = (ConfabPeer *) object;

  clear_source (&self->answer_timeout_source);
  clear_source (&self->connect_timeout_source);
  clear_source (&self->decide_source);
  clear_source (&self->heartbeat_source);
  clear_source (&self->pump_source);
  clear_source (&self->remote_close_source);

  if (self->conn != NULL)
    connection_teardown (g_steal_pointer (&self->conn));

  g_queue_clear_full (&self->outgoing, out_message_free);
  g_queue_clear_full (&self->control, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (confab_peer_parent_class)->dispose (object);
}

static void
confab_peer_finalize (GObject *object)
{
  ConfabPeer *self = (ConfabPeer *) object;

  g_clear_pointer (&self->link, peer_link_unref);
  g_clear_pointer (&self->local_name, g_free);
  g_clear_pointer (&self->remote_name, g_free);
  g_clear_pointer (&self->stun_server, g_free);
  g_clear_pointer (&self->turn_servers, g_strfreev);
  g_clear_pointer (&self->offer_sdp, g_free);
  g_clear_pointer (&self->local_mids, g_ptr_array_unref);
  g_clear_pointer (&self->remote_mids, g_ptr_array_unref);
  g_clear_pointer (&self->held_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->remote_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->awaiting_receipt, g_hash_table_unref);
  g_clear_pointer (&self->assembler, confab_channel_assembler_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  /* A process ends after its last peer: not before the pre-warming. */
  confab_peer_prewarm_join ();

  G_OBJECT_CLASS (confab_peer_parent_class)->finalize (object);
}

static void
confab_peer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ConfabPeer *self = CONFAB_PEER (object);

  switch (prop_id)
    {
    case PROP_LOCAL_NAME:
      g_value_set_string (value, self->local_name);
      break;

    case PROP_REMOTE_NAME:
      g_value_set_string (value, self->remote_name);
      break;

    case PROP_CONFAB_CHANNEL:
      g_value_set_boolean (value, self->confab_channel_enabled);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_FAILURE_REASON:
      g_value_set_enum (value, self->reason);
      break;

    case PROP_EXTENDED:
      g_value_set_boolean (value, self->extended);
      break;

    case PROP_ANSWER_TIMEOUT:
      g_value_set_uint (value, self->answer_timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_peer_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ConfabPeer *self = CONFAB_PEER (object);

  switch (prop_id)
    {
    case PROP_LOCAL_NAME:
      self->local_name = g_value_dup_string (value);
      break;

    case PROP_REMOTE_NAME:
      self->remote_name = g_value_dup_string (value);
      break;

    case PROP_CONFAB_CHANNEL:
      self->confab_channel_enabled = g_value_get_boolean (value);
      break;

    case PROP_ANSWER_TIMEOUT:
      confab_peer_set_answer_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_peer_class_init (ConfabPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_peer_dispose;
  object_class->finalize = confab_peer_finalize;
  object_class->get_property = confab_peer_get_property;
  object_class->set_property = confab_peer_set_property;

  properties[PROP_LOCAL_NAME] =
    g_param_spec_string ("local-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_REMOTE_NAME] =
    g_param_spec_string ("remote-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* FALSE makes the peer behave like the mobile app: localDataChannel
   * only, plain text, no receipts. */
  properties[PROP_CONFAB_CHANNEL] =
    g_param_spec_boolean ("confab-channel", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CONFAB_TYPE_PEER_STATE,
                       CONFAB_PEER_STATE_NEW,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FAILURE_REASON] =
    g_param_spec_enum ("failure-reason", NULL, NULL,
                       CONFAB_TYPE_PEER_REASON,
                       CONFAB_PEER_REASON_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_EXTENDED] =
    g_param_spec_boolean ("extended", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ANSWER_TIMEOUT] =
    g_param_spec_uint ("answer-timeout", NULL, NULL,
                       0, G_MAXUINT / 1000, DEFAULT_ANSWER_TIMEOUT_S,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SEND_MESSAGE] =
    g_signal_new ("send-message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[TEXT_RECEIVED] =
    g_signal_new ("text-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[MESSAGE_STATE_CHANGED] =
    g_signal_new ("message-state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, CONFAB_TYPE_DELIVERY_STATE);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  /* By the time a user accepts a call, or the server says the callee is
   * online, the certificate is ready. */
  confab_peer_prewarm ();
}

static void
confab_peer_init (ConfabPeer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->link = peer_link_new (self);
  self->answer_timeout = DEFAULT_ANSWER_TIMEOUT_S;
  self->confab_channel_enabled = TRUE;
  self->held_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  self->remote_candidates = g_ptr_array_new_with_free_func (remote_candidate_free);
  self->awaiting_receipt = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->assembler = confab_channel_assembler_new ();
  g_queue_init (&self->outgoing);
  g_queue_init (&self->control);
}

/* Public API */

ConfabPeer *
confab_peer_new_outgoing (const char *local_name,
                          const char *remote_name)
{
  g_return_val_if_fail (local_name != NULL, NULL);
  g_return_val_if_fail (remote_name != NULL, NULL);

  return g_object_new (CONFAB_TYPE_PEER,
                       "local-name", local_name,
                       "remote-name", remote_name,
                       NULL);
}

ConfabPeer *
confab_peer_new_incoming (const char     *local_name,
                          ConfabMessage  *offer_received,
                          GError        **error)
{
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;
  ConfabPeer *self;

  g_return_val_if_fail (local_name != NULL, NULL);
  g_return_val_if_fail (offer_received != NULL, NULL);
  g_return_val_if_fail (confab_message_get_kind (offer_received) == CONFAB_MESSAGE_OFFER_RECEIVED,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  offer = parse_description (GST_WEBRTC_SDP_TYPE_OFFER, confab_message_get_sdp (offer_received));
  if (offer == NULL || confab_message_get_name (offer_received) == NULL)
    {
      g_set_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_INVALID_OFFER,
                   "The offer from “%s” has no usable session description",
                   confab_message_get_name (offer_received));
      return NULL;
    }

  self = g_object_new (CONFAB_TYPE_PEER,
                       "local-name", local_name,
                       "remote-name", confab_message_get_name (offer_received),
                       NULL);
  self->offer_sdp = g_strdup (confab_message_get_sdp (offer_received));
  self->state = CONFAB_PEER_STATE_INCOMING;

  return self;
}

const char *
confab_peer_get_local_name (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), NULL);

  return self->local_name;
}

const char *
confab_peer_get_remote_name (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), NULL);

  return self->remote_name;
}

ConfabPeerState
confab_peer_get_state (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), CONFAB_PEER_STATE_FAILED);

  return self->state;
}

ConfabPeerReason
confab_peer_get_failure_reason (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), CONFAB_PEER_REASON_NONE);

  return self->reason;
}

gboolean
confab_peer_get_extended (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);

  return self->extended;
}

guint
confab_peer_get_answer_timeout (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), 0);

  return self->answer_timeout;
}

void
confab_peer_set_answer_timeout (ConfabPeer *self,
                                guint       seconds)
{
  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (seconds <= G_MAXUINT / 1000);

  if (self->answer_timeout == seconds)
    return;

  self->answer_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_TIMEOUT]);
}

gboolean
confab_peer_set_ice_servers (ConfabPeer          *self,
                             const char * const  *urls,
                             GError             **error)
{
  g_autoptr(GStrvBuilder) turn = g_strv_builder_new ();
  g_autofree char *stun = NULL;

  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      ConfabIceServerKind kind;
      g_autofree char *uri = confab_ice_server_to_webrtcbin (urls[i], &kind, error);

      if (uri == NULL)
        return FALSE;

      if (kind != CONFAB_ICE_SERVER_STUN)
        g_strv_builder_add (turn, uri);
      else if (stun == NULL)
        stun = g_steal_pointer (&uri);
      else
        g_debug ("webrtcbin takes one STUN server; ignoring %s", urls[i]);
    }

  g_free (self->stun_server);
  self->stun_server = g_steal_pointer (&stun);
  g_strfreev (self->turn_servers);
  self->turn_servers = g_strv_builder_end (turn);

  return TRUE;
}
