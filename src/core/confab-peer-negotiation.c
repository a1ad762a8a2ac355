/* confab-peer-negotiation.c: webrtcbin, offer and answer, ICE
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/sdp/sdp.h>
#include <interfaces.h>
#include <stdlib.h>
#include <string.h>

#include "confab-peer-internal.h"

/* The session-level SDP attribute by which a Confab tells the other side,
 * in its offer or answer, that it opens "confab", and which version of the
 * frames it speaks (CHANNEL.md): the order in which webrtcbin announces
 * channels is not the order they were made in, so without it a peer could
 * not tell "no confab" from "confab not yet". */
#define CONFAB_SDP_ATTRIBUTE "confab-channel"

/* libnice paces connectivity checks 20 ms apart by default; with a dozen
 * candidate pairs that alone is most of the time to connect.  5 ms is the
 * smallest pace RFC 8445 allows. */
#define STUN_PACING_MS   5

/* At most this many remote candidates wait for the remote description. */
#define MAX_QUEUED_CANDIDATES 64

typedef struct
{
  int   mline;
  char *mid;
  char *candidate;
} RemoteCandidate;

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

GstWebRTCSessionDescription *
_confab_peer_parse_description (GstWebRTCSDPType   type,
                                const char        *text)
{
  GstSDPMessage *sdp = NULL;

  /* An empty text is refused by an assertion in the parser, not by an
   * error: it is no description either. */
  if (text == NULL || text[0] == '\0')
    return NULL;

  /* The parser makes the message before it reads the text, and leaves it
   * to the caller when the text does not parse. */
  if (gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK)
    {
      g_clear_pointer (&sdp, gst_sdp_message_free);
      return NULL;
    }

  if (!sdp_has_application (sdp))
    {
      gst_sdp_message_free (sdp);
      return NULL;
    }

  return gst_webrtc_session_description_new (type, sdp);
}

/* ICE */

static void
send_candidate (ConfabPeer    *self,
                ConfabMessage *message)
{
  if (self->is_caller && !self->answer_received)
    g_ptr_array_add (self->held_candidates, message);
  else
    _confab_peer_emit_send (self, message);
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
local_candidate_hop (gpointer owner,
                     gpointer data)
{
  ConfabPeer *self = owner;
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
                     ConfabHopLink *link)
{
  LocalCandidate *local = g_new0 (LocalCandidate, 1);

  local->mline = mline;
  local->candidate = g_strdup (candidate);
  confab_hop_link_invoke (link, local_candidate_hop, local, local_candidate_free);
}

/* A candidate as RFC 8839 writes it: "candidate:" foundation, component,
 * transport, priority, address, port, "typ", type, then extensions.
 * webrtcbin 1.22 hands whatever libnice parses to libnice, which trusts
 * it: a component of 0 fails libnice's assertions on webrtcbin's thread
 * (found by fuzz-peer-signalling).  What is not of that form is no
 * candidate we could use: it never reaches webrtcbin. */
static gboolean
candidate_is_well_formed (const char *text)
{
  static const char * const types[] = { "host", "srflx", "prflx", "relay", NULL };
  g_auto(GStrv) fields = NULL;

  if (g_str_has_prefix (text, "a="))
    text += strlen ("a=");
  if (!g_str_has_prefix (text, "candidate:"))
    return FALSE;

  fields = g_strsplit (text + strlen ("candidate:"), " ", 9);
  if (g_strv_length (fields) < 8)
    return FALSE;

  for (guint i = 0; i < 8; i++)
    {
      if (fields[i][0] == '\0')
        return FALSE;
    }

  return g_ascii_string_to_unsigned (fields[1], 10, 1, 256, NULL, NULL) &&
         (g_ascii_strcasecmp (fields[2], "udp") == 0 ||
          g_ascii_strcasecmp (fields[2], "tcp") == 0) &&
         g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXUINT32, NULL, NULL) &&
         g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT16, NULL, NULL) &&
         strcmp (fields[6], "typ") == 0 &&
         g_strv_contains (types, fields[7]);
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

void
_confab_peer_flush_held_candidates (ConfabPeer *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->held_candidates);

  self->held_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  for (guint i = 0; i < held->len; i++)
    _confab_peer_emit_send (self, confab_message_ref (g_ptr_array_index (held, i)));
}

static void
connection_state_hop (gpointer owner,
                      gpointer data)
{
  ConfabPeer *self = owner;
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
    _confab_peer_fail_connection (self);
}

static void
on_state_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    ConfabHopLink *link)
{
  confab_hop_link_invoke (link, connection_state_hop, NULL, NULL);
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
          _confab_peer_set_state (self, CONFAB_PEER_STATE_CLOSED, CONFAB_PEER_REASON_HUNG_UP);
          return G_SOURCE_CONTINUE;
        }

      g_message ("Connection with “%s” broke: %s (%s)",
                 self->remote_name, error->message, debug != NULL ? debug : "");
      _confab_peer_fail_connection (self);
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
  return gst_promise_new_with_change_func (func, confab_hop_link_ref (self->conn->link),
                                           (GDestroyNotify) confab_hop_link_unref);
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
      _confab_peer_fail_connection (self);
      return;
    }

  g_clear_pointer (&self->local_mids, g_ptr_array_unref);
  self->local_mids = sdp_mids (reply->description->sdp);

  g_signal_emit_by_name (self->conn->webrtcbin, "set-local-description",
                         reply->description, NULL);

  if (self->confab_channel_enabled)
    {
      g_autoptr(GstSDPMessage) announced = NULL;
      char version[16];

      g_snprintf (version, sizeof version, "%u", self->confab_version);
      gst_sdp_message_copy (reply->description->sdp, &announced);
      gst_sdp_message_add_attribute (announced, CONFAB_SDP_ATTRIBUTE, version);
      sdp = gst_sdp_message_as_text (announced);
    }
  else
    {
      sdp = gst_sdp_message_as_text (reply->description->sdp);
    }

  if (self->is_caller)
    {
      self->offer_sent = TRUE;
      _confab_peer_emit_send (self, confab_message_new_create_offer (self->local_name,
                                                                     self->remote_name, sdp));
    }
  else
    {
      _confab_peer_emit_send (self, confab_message_new_create_answer (self->local_name,
                                                                      self->remote_name, sdp));
    }
}

static void
description_created_hop (gpointer owner,
                         gpointer data)
{
  ConfabPeer *self = owner;

  local_description_created (self, data);
}

static void
on_offer_created_cb (GstPromise *promise,
                     gpointer    user_data)
{
  confab_hop_link_invoke (user_data, description_created_hop,
                          promise_reply_take (promise, "offer"), promise_reply_free);
}

static void
on_answer_created_cb (GstPromise *promise,
                      gpointer    user_data)
{
  confab_hop_link_invoke (user_data, description_created_hop,
                          promise_reply_take (promise, "answer"), promise_reply_free);
}

static void
remote_description_set_hop (gpointer owner,
                            gpointer data)
{
  ConfabPeer *self = owner;
  g_autoptr(GstPromise) promise = NULL;
  PromiseReply *reply = data;

  if (reply->error != NULL)
    {
      g_message ("webrtcbin refused the %s of “%s”: %s",
                 self->is_caller ? "answer" : "offer", self->remote_name, reply->error);
      _confab_peer_fail_connection (self);
      return;
    }

  self->remote_description_set = TRUE;
  /* The callee's transport exists from here, before its answer does. */
  _confab_peer_watch_transport (self);
  flush_remote_candidates (self);

  if (!self->is_caller)
    {
      _confab_peer_create_channels (self);
      if (self->conn->local_channel == NULL)
        {
          g_warning ("webrtcbin could not create a data channel for “%s”", self->remote_name);
          _confab_peer_fail_connection (self);
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
  confab_hop_link_invoke (user_data, remote_description_set_hop,
                          promise_reply_take (promise, NULL), promise_reply_free);
}

void
_confab_peer_set_remote_description (ConfabPeer                  *self,
                                     GstWebRTCSessionDescription *description,
                                     const char                  *text)
{
  g_autoptr(GstPromise) promise = NULL;
  g_autoptr(GError) error = NULL;
  const char *version;

  if (!_confab_peer_check_set_remote_sdp (self->conn->check, text, &error))
    {
      g_message ("Refusing the %s of “%s”: %s",
                 self->is_caller ? "answer" : "offer", self->remote_name, error->message);
      _confab_peer_emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
      _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_TAMPERED);
      return;
    }

  /* The caller's transport exists since its offer was set: watched
   * before webrtcbin can start ICE with what the answer says. */
  _confab_peer_watch_transport (self);

  g_clear_pointer (&self->remote_mids, g_ptr_array_unref);
  self->remote_mids = sdp_mids (description->sdp);
  version = gst_sdp_message_get_attribute_val (description->sdp, CONFAB_SDP_ATTRIBUTE);
  self->remote_announces_confab = version != NULL;
  /* Version 1 did not know it would have successors: anything unreadable
   * counts as 1, the frames every Confab reads. */
  self->remote_confab_version = version == NULL ? 0 : MAX (1, (guint) MIN (strtoul (version, NULL, 10), 255));
  /* Both sides speak the lower of the two versions. */
  confab_outgoing_queue_set_cumulative_receipts (self->queue,
                                                 MIN (self->confab_version,
                                                      self->remote_confab_version) >= 2);

  promise = new_promise (self, on_remote_description_set_cb);
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

/* The TURN URL without its user name and password, for a sentence. */
static char *
turn_server_for_display (const char *uri)
{
  const char *at = strrchr (uri, '@');

  return at != NULL ? g_strdup (at + 1) : g_strdup (uri);
}

/* Hands the STUN and TURN servers to webrtcbin, and the relay-only
 * policy.  What webrtcbin refuses, and relay-only with no TURN server to
 * relay through, fail the connection with a sentence: a person who asked
 * for a relay, or to hide their address, must not get a chat without. */
static gboolean
apply_ice_servers (ConfabPeer *self,
                   GstElement *webrtcbin)
{
  if (self->ice_servers_problem != NULL)
    return FALSE;

  if (self->stun_server != NULL)
    {
      g_autofree char *taken = NULL;

      g_object_set (webrtcbin, "stun-server", self->stun_server, NULL);
      g_object_get (webrtcbin, "stun-server", &taken, NULL);
      if (taken == NULL)
        {
          self->ice_servers_problem =
            g_strdup_printf (_("The STUN server %s could not be used. Check it in Preferences."),
                             self->stun_server);
          return FALSE;
        }
    }

  for (guint i = 0; self->turn_servers != NULL && self->turn_servers[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (webrtcbin, "add-turn-server", self->turn_servers[i], &added);
      if (!added)
        {
          g_autofree char *shown = turn_server_for_display (self->turn_servers[i]);

          self->ice_servers_problem =
            g_strdup_printf (_("The TURN server %s could not be used. Check it in Preferences."),
                             shown);
          return FALSE;
        }
    }

  if (self->relay_only)
    {
      if (self->turn_servers == NULL || self->turn_servers[0] == NULL)
        {
          self->ice_servers_problem =
            g_strdup (_("Hiding your network address needs a TURN server to relay the chat. "
                        "Add one in Preferences, or stop hiding your address."));
          return FALSE;
        }

      /* libnice's "force-relay" underneath: only relay candidates are
       * gathered, signalled and checked. */
      g_object_set (webrtcbin, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
    }

  return TRUE;
}

gboolean
_confab_peer_connection_start (ConfabPeer *self)
{
  g_autoptr(GstBus) bus = NULL;
  Connection *conn;

  g_assert (self->conn == NULL);

  conn = g_new0 (Connection, 1);
  conn->link = confab_hop_link_ref (self->link);
  conn->remote_channels = g_ptr_array_new_with_free_func (g_object_unref);
  conn->check = _confab_peer_check_new (conn->link);
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
  if (!apply_ice_servers (self, conn->webrtcbin))
    return FALSE;
  tune_ice_agent (self, conn->webrtcbin);

  g_signal_connect_data (conn->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb),
                         confab_hop_link_ref (conn->link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "on-data-channel", G_CALLBACK (_confab_peer_on_data_channel_cb),
                         confab_hop_link_ref (conn->link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::connection-state",
                         G_CALLBACK (on_state_notify_cb),
                         confab_hop_link_ref (conn->link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::ice-connection-state",
                         G_CALLBACK (on_state_notify_cb),
                         confab_hop_link_ref (conn->link), (GClosureNotify) confab_hop_link_unref, 0);
  g_signal_connect_data (conn->webrtcbin, "notify::ice-gathering-state",
                         G_CALLBACK (on_state_notify_cb),
                         confab_hop_link_ref (conn->link), (GClosureNotify) confab_hop_link_unref, 0);

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

void
_confab_peer_start_offer (ConfabPeer *self)
{
  g_autoptr(GstPromise) promise = NULL;

  if (!_confab_peer_connection_start (self))
    {
      _confab_peer_fail_connection (self);
      return;
    }

  _confab_peer_create_channels (self);
  if (self->conn->local_channel == NULL)
    {
      g_warning ("webrtcbin could not create a data channel for “%s”", self->remote_name);
      _confab_peer_fail_connection (self);
      return;
    }

  promise = new_promise (self, on_offer_created_cb);
  g_signal_emit_by_name (self->conn->webrtcbin, "create-offer", NULL, promise);
}

gboolean
_confab_peer_handle_ice_candidate (ConfabPeer    *self,
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

  if (!candidate_is_well_formed (text))
    {
      g_message ("“%s” sent an ICE candidate that is not one; ignoring it", self->remote_name);
      return FALSE;
    }

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


void
_confab_peer_negotiation_init (ConfabPeer *self)
{
  self->held_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  self->remote_candidates = g_ptr_array_new_with_free_func (remote_candidate_free);
}

void
_confab_peer_clear_candidates (ConfabPeer *self)
{
  g_ptr_array_set_size (self->held_candidates, 0);
  g_ptr_array_set_size (self->remote_candidates, 0);
}
