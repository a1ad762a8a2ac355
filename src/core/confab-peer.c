/* confab-peer.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-core-enums.h"
#include "confab-ice-server.h"
#include "confab-peer-internal.h"
#include "confab-runtime.h"

/* From the answer to open channels; libnice gives up well before. */
#define CONNECT_TIMEOUT_S     30
/* How long a peer that said it hangs up may still deliver what it had sent. */
#define REMOTE_CLOSE_GRACE_MS 2000
#define DEFAULT_ANSWER_TIMEOUT_S 60

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabPeer, confab_peer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CONFAB_TYPE_OUTGOING_SINK,
                                                      _confab_peer_channels_init_sink))
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
  PROP_RELAY_ONLY,
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

GSource *
_confab_peer_add_timeout (ConfabPeer  *self,
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

void
_confab_peer_emit_send (ConfabPeer    *self,
                        ConfabMessage *message)
{
  g_autoptr(ConfabMessage) owned = message;

  g_signal_emit (self, signals[SEND_MESSAGE], 0, owned);
}

void
_confab_peer_notify_extended (ConfabPeer *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTENDED]);
}

/* The outgoing queue reports on the messages it carries... */
static void
queue_message_state_changed_cb (ConfabOutgoingQueue *queue,
                                guint64              id,
                                ConfabDeliveryState  state,
                                ConfabPeer          *self)
{
  g_signal_emit (self, signals[MESSAGE_STATE_CHANGED], 0, id, state);
}

/* ...and gives up when a channel refuses a frame. */
static void
queue_failed_cb (ConfabOutgoingQueue *queue,
                 const GError        *error,
                 ConfabPeer          *self)
{
  g_message ("Could not send to “%s”: %s", self->remote_name, error->message);
  _confab_peer_fail_connection (self);
}

void
_confab_peer_emit_text (ConfabPeer *self,
                        const char *text)
{
  /* The mobile app drops empty messages; so do we. */
  if (text == NULL || text[0] == '\0')
    return;

  g_signal_emit (self, signals[TEXT_RECEIVED], 0, text);
}

/* States */

void
_confab_peer_fail_connection (ConfabPeer *self)
{
  if (self->state == CONFAB_PEER_STATE_OPEN)
    _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_VANISHED);
  else if (self->state != CONFAB_PEER_STATE_CLOSED && self->state != CONFAB_PEER_STATE_FAILED)
    /* A connection that could not use its servers never started. */
    _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED,
                            self->ice_servers_problem != NULL ? CONFAB_PEER_REASON_ICE_SERVERS
                                                              : CONFAB_PEER_REASON_ICE_FAILED);
}

void
_confab_peer_set_state (ConfabPeer       *self,
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
      clear_source (&self->remote_close_source);
      if (self->conn != NULL)
        _confab_peer_connection_teardown (g_steal_pointer (&self->conn));
      _confab_peer_clear_candidates (self);
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

  /* Last: what was not sent is reported failed, after the state that
   * explains why. */
  if (ended)
    confab_outgoing_queue_close (self->queue);
}

static gboolean
connect_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->connect_timeout_source, g_source_unref);
  _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);

  return G_SOURCE_REMOVE;
}

static void
enter_connecting (ConfabPeer *self)
{
  clear_source (&self->answer_timeout_source);
  self->connect_timeout_source = _confab_peer_add_timeout (self, CONNECT_TIMEOUT_S * 1000,
                                                           connect_timeout_cb);
  _confab_peer_set_state (self, CONFAB_PEER_STATE_CONNECTING, CONFAB_PEER_REASON_NONE);
}

static gboolean
answer_timeout_cb (gpointer data)
{
  ConfabPeer *self = data;
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  g_clear_pointer (&self->answer_timeout_source, g_source_unref);
  _confab_peer_emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
  _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_NO_ANSWER);

  return G_SOURCE_REMOVE;
}

void
confab_peer_call (ConfabPeer *self)
{
  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_NEW);

  self->is_caller = TRUE;
  if (self->answer_timeout > 0)
    self->answer_timeout_source = _confab_peer_add_timeout (self, self->answer_timeout * 1000,
                                                            answer_timeout_cb);

  _confab_peer_set_state (self, CONFAB_PEER_STATE_CALLING, CONFAB_PEER_REASON_NONE);
  _confab_peer_emit_send (self, confab_message_new_start_transfer (self->local_name, self->remote_name));
}

void
confab_peer_accept (ConfabPeer *self)
{
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;
  g_autoptr(ConfabPeer) hold = NULL;
  g_autofree char *offer_sdp = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_INCOMING);

  hold = g_object_ref (self);
  offer_sdp = g_steal_pointer (&self->offer_sdp);
  offer = _confab_peer_parse_description (GST_WEBRTC_SDP_TYPE_OFFER, offer_sdp);
  g_assert (offer != NULL);

  enter_connecting (self);
  if (!_confab_peer_connection_start (self))
    {
      /* The caller would otherwise wait for an answer until it gives up. */
      if (self->ice_servers_problem != NULL)
        _confab_peer_emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
      _confab_peer_fail_connection (self);
      return;
    }

  _confab_peer_set_remote_description (self, offer, offer_sdp);
}

void
confab_peer_decline (ConfabPeer *self)
{
  g_autoptr(ConfabPeer) hold = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->state == CONFAB_PEER_STATE_INCOMING);

  hold = g_object_ref (self);
  _confab_peer_emit_send (self, confab_message_new_decline (self->local_name, self->remote_name));
  _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_DECLINED);
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
      _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_NONE);
      return;

    case CONFAB_PEER_STATE_CALLING:
    case CONFAB_PEER_STATE_CONNECTING:
    case CONFAB_PEER_STATE_OPEN:
      /* Said on the channel too, after everything sent so far: it arrives
       * even when the signalling server is gone. */
      if (self->state == CONFAB_PEER_STATE_OPEN && self->extended)
        confab_outgoing_queue_send_last (self->queue, confab_channel_frame_encode_bye ());

      /* Before the offer went out, the callee knows of nothing. */
      if (self->state != CONFAB_PEER_STATE_CALLING || self->offer_sent)
        _confab_peer_emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
      _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_NONE);
      return;

    case CONFAB_PEER_STATE_CLOSED:
    case CONFAB_PEER_STATE_FAILED:
    default:
      return;
    }
}

gboolean
confab_peer_send_text (ConfabPeer  *self,
                       guint64      id,
                       const char  *text,
                       GError     **error)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);
  g_return_val_if_fail (id != 0, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text[0] == '\0')
    {
      g_set_error_literal (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_EMPTY_TEXT,
                           "An empty message cannot be sent");
      return FALSE;
    }

  if (self->state == CONFAB_PEER_STATE_CLOSED || self->state == CONFAB_PEER_STATE_FAILED)
    {
      g_set_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_CLOSED,
                   "The conversation with “%s” has ended", self->remote_name);
      return FALSE;
    }

  confab_outgoing_queue_push_text (self->queue, id, text);

  return TRUE;
}

static gboolean
remote_close_cb (gpointer data)
{
  ConfabPeer *self = data;

  g_clear_pointer (&self->remote_close_source, g_source_unref);
  _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);

  return G_SOURCE_REMOVE;
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
            _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_PEER_OFFLINE);
            return TRUE;
          }

        if (g_strcmp0 (user, self->remote_name) != 0)
          return FALSE;

        _confab_peer_start_offer (self);
        return TRUE;
      }

    case CONFAB_MESSAGE_ANSWER_RECEIVED:
      {
        g_autoptr(GstWebRTCSessionDescription) answer = NULL;

        if (self->state != CONFAB_PEER_STATE_CALLING || !self->offer_sent)
          return FALSE;

        answer = _confab_peer_parse_description (GST_WEBRTC_SDP_TYPE_ANSWER,
                                                 confab_message_get_sdp (message));
        if (answer == NULL)
          {
            g_message ("“%s” answered with an unusable SDP", self->remote_name);
            _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_ICE_FAILED);
            return TRUE;
          }

        self->answer_received = TRUE;
        enter_connecting (self);
        _confab_peer_set_remote_description (self, answer, confab_message_get_sdp (message));
        if (self->state == CONFAB_PEER_STATE_CONNECTING)
          _confab_peer_flush_held_candidates (self);
        return TRUE;
      }

    case CONFAB_MESSAGE_ICE_CANDIDATE:
      return _confab_peer_handle_ice_candidate (self, message);

    case CONFAB_MESSAGE_OFFER_DECLINED:
      if (self->state != CONFAB_PEER_STATE_CALLING)
        return FALSE;
      _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_DECLINED);
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
            self->remote_close_source = _confab_peer_add_timeout (self, REMOTE_CLOSE_GRACE_MS,
                                                                  remote_close_cb);
          return TRUE;

        case CONFAB_PEER_STATE_CALLING:
          /* Before our offer went out the callee cannot have answered this
           * call: this is the hang-up of the connection before, relayed by
           * the server after its BYE had already closed that connection on
           * the data channel, and calling again at once must not end the
           * new call.  After the offer, a callee whose accept failed hangs
           * up. */
          if (!self->offer_sent)
            {
              g_debug ("Ignoring a hang-up from “%s”, who has not had this call's offer",
                       self->remote_name);
              return FALSE;
            }
          G_GNUC_FALLTHROUGH;
        case CONFAB_PEER_STATE_INCOMING:
          _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
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
          _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_PEER_OFFLINE);
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

/* GObject */

/* Work hopped from GStreamer's threads concerns the connection it came
 * from: once that is torn down, nothing is left to update. */
static gboolean
peer_has_connection (gpointer owner)
{
  return ((ConfabPeer *) owner)->conn != NULL;
}

static void
confab_peer_dispose (GObject *object)
{
  ConfabPeer *self = (ConfabPeer *) object;

  clear_source (&self->answer_timeout_source);
  clear_source (&self->connect_timeout_source);
  clear_source (&self->decide_source);
  clear_source (&self->heartbeat_source);
  clear_source (&self->remote_close_source);

  if (self->conn != NULL)
    _confab_peer_connection_teardown (g_steal_pointer (&self->conn));

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);

  G_OBJECT_CLASS (confab_peer_parent_class)->dispose (object);
}

static void
confab_peer_finalize (GObject *object)
{
  ConfabPeer *self = (ConfabPeer *) object;

  g_clear_pointer (&self->link, confab_hop_link_unref);
  g_clear_pointer (&self->local_name, g_free);
  g_clear_pointer (&self->remote_name, g_free);
  g_clear_pointer (&self->stun_server, g_free);
  g_clear_pointer (&self->turn_servers, g_strfreev);
  g_clear_pointer (&self->ice_servers_problem, g_free);
  g_clear_pointer (&self->offer_sdp, g_free);
  g_clear_pointer (&self->local_mids, g_ptr_array_unref);
  g_clear_pointer (&self->remote_mids, g_ptr_array_unref);
  g_clear_pointer (&self->held_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->remote_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->assembler, confab_channel_assembler_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  /* A process ends after its last peer: not before the pre-warming. */
  confab_runtime_prewarm_join ();

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

    case PROP_RELAY_ONLY:
      g_value_set_boolean (value, self->relay_only);
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

    case PROP_RELAY_ONLY:
      confab_peer_set_relay_only (self, g_value_get_boolean (value));
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

  properties[PROP_RELAY_ONLY] =
    g_param_spec_boolean ("relay-only", NULL, NULL,
                          FALSE,
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
  confab_runtime_prewarm ();
}

static void
confab_peer_init (ConfabPeer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->link = confab_hop_link_new (G_OBJECT (self), self->context, peer_has_connection);
  self->answer_timeout = DEFAULT_ANSWER_TIMEOUT_S;
  self->confab_channel_enabled = TRUE;
  self->confab_version = CONFAB_PEER_CHANNEL_VERSION;
  _confab_peer_negotiation_init (self);
  self->assembler = confab_channel_assembler_new ();
  self->queue = confab_outgoing_queue_new (CONFAB_OUTGOING_SINK (self));
  g_signal_connect (self->queue, "message-state-changed",
                    G_CALLBACK (queue_message_state_changed_cb), self);
  g_signal_connect (self->queue, "failed", G_CALLBACK (queue_failed_cb), self);
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

  offer = _confab_peer_parse_description (GST_WEBRTC_SDP_TYPE_OFFER, confab_message_get_sdp (offer_received));
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

  g_clear_pointer (&self->stun_server, g_free);
  g_clear_pointer (&self->turn_servers, g_strfreev);
  g_clear_pointer (&self->ice_servers_problem, g_free);

  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      ConfabIceServerKind kind;
      g_autofree char *uri = confab_ice_server_to_webrtcbin (urls[i], &kind, &local_error);

      if (uri == NULL)
        {
          /* Remembered, so that the chat fails with the sentence rather
           * than go on without servers the person relies on. */
          self->ice_servers_problem = g_strdup (local_error->message);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* webrtcbin 1.22 has one "stun-server", and so has the libnice
       * agent under it: the others go unused, as README says. */
      if (kind != CONFAB_ICE_SERVER_STUN)
        g_strv_builder_add (turn, uri);
      else if (stun == NULL)
        stun = g_steal_pointer (&uri);
      else
        g_debug ("webrtcbin takes one STUN server; not using %s", urls[i]);
    }

  self->stun_server = g_steal_pointer (&stun);
  self->turn_servers = g_strv_builder_end (turn);

  return TRUE;
}

gboolean
confab_peer_get_relay_only (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);

  return self->relay_only;
}

void
confab_peer_set_relay_only (ConfabPeer *self,
                            gboolean    relay_only)
{
  g_return_if_fail (CONFAB_IS_PEER (self));

  relay_only = !!relay_only;
  if (self->relay_only == relay_only)
    return;

  self->relay_only = relay_only;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RELAY_ONLY]);
}

const char *
confab_peer_get_ice_servers_problem (ConfabPeer *self)
{
  g_return_val_if_fail (CONFAB_IS_PEER (self), NULL);

  return self->reason == CONFAB_PEER_REASON_ICE_SERVERS ? self->ice_servers_problem : NULL;
}
