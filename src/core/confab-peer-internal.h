/* confab-peer-internal.h: what the files of ConfabPeer share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "confab-channel-frame.h"
#include "confab-hop.h"
#include "confab-outgoing-queue.h"
#include "confab-peer.h"

G_BEGIN_DECLS

/* ConfabPeer is one class in several files, as GNOME Text Editor splits
 * its window:
 *   confab-peer.c              the object, its states and its public API;
 *   confab-peer-channels.c     the data channels: opening, plain or
 *                              extended mode, receiving, the heartbeat,
 *                              and the outgoing queue's sink;
 *   confab-peer-negotiation.c  webrtcbin, offer and answer, ICE;
 *   confab-peer-verification.c the certificate the handshake proved,
 *                              checked against the remote description;
 *   confab-peer-teardown.c     the connection's end, which outlives it;
 *   confab-peer-testing.c      fault injection (confab-peer-private.h).
 * Only these files include this header. */

/* The mobile app's channel, which carries plain text, and ours. */
#define CONFAB_PEER_LOCAL_CHANNEL_LABEL  "localDataChannel"
#define CONFAB_PEER_CONFAB_CHANNEL_LABEL "confab"
/* The version of CHANNEL.md's frames this peer speaks. */
#define CONFAB_PEER_CHANNEL_VERSION      2

typedef enum
{
  CHANNEL_OURS,
  CHANNEL_REMOTE,
  CHANNEL_REMOTE_CONFAB,
} ChannelKind;

typedef enum
{
  CONFAB_PEER_VERDICT_PENDING,
  CONFAB_PEER_VERDICT_VERIFIED,
  CONFAB_PEER_VERDICT_REFUSED,
} ConfabPeerVerdict;

/* The verdict on the other side's certificate, shared with the thread
 * that finished the DTLS handshake (confab-peer-verification.c). */
typedef struct _ConfabPeerCheck ConfabPeerCheck;

/* The GStreamer side of a peer: handed whole to the teardown when the
 * peer ends, so that it can outlive the peer. */
typedef struct
{
  ConfabHopLink        *link;
  GstElement           *pipeline;
  GstElement           *webrtcbin;
  GSource              *bus_source;
  GstWebRTCDataChannel *local_channel;
  GstWebRTCDataChannel *confab_channel;
  GPtrArray            *remote_channels;
  ConfabPeerCheck      *check;
} Connection;

struct _ConfabPeer
{
  GObject                 parent_instance;

  GMainContext           *context;
  ConfabHopLink          *link;

  char                   *local_name;
  char                   *remote_name;
  ConfabPeerState         state;
  ConfabPeerReason        reason;
  guint                   answer_timeout;
  char                   *stun_server;
  GStrv                   turn_servers;
  /* A sentence: the servers given are unusable (see
   * confab_peer_set_ice_servers()), or webrtcbin refused one. */
  char                   *ice_servers_problem;

  /* incoming: the offer, kept until accept */
  char                   *offer_sdp;

  Connection             *conn;
  GPtrArray              *local_mids;
  GPtrArray              *remote_mids;
  /* The caller's candidates wait for the answer: the mobile app drops
   * those that reach it before its user accepts. */
  GPtrArray              *held_candidates;
  GPtrArray              *remote_candidates;
  /* The version of the frames we announce (CONFAB_PEER_CHANNEL_VERSION
   * but in tests), and the one the other side did; 0 for none. */
  guint                   confab_version;
  guint                   remote_confab_version;

  ConfabOutgoingQueue    *queue;
  ConfabChannelAssembler *assembler;
  gint64                  last_heard;

  GSource                *answer_timeout_source;
  GSource                *connect_timeout_source;
  GSource                *decide_source;
  GSource                *heartbeat_source;
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
  guint                   receipts_per_message : 1;
  guint                   relay_only : 1;
};

/* confab-peer.c */
void        _confab_peer_set_state           (ConfabPeer           *self,
                                              ConfabPeerState       state,
                                              ConfabPeerReason      reason);
/* Fails the connection with the reason that fits its state. */
void        _confab_peer_fail_connection     (ConfabPeer           *self);
void        _confab_peer_notify_extended     (ConfabPeer           *self);
void        _confab_peer_emit_send           (ConfabPeer           *self,
                                              ConfabMessage        *message);
void        _confab_peer_emit_text           (ConfabPeer           *self,
                                              const char           *text);
GSource    *_confab_peer_add_timeout         (ConfabPeer           *self,
                                              guint                 msec,
                                              GSourceFunc           func);

/* confab-peer-channels.c */
void        _confab_peer_channels_init_sink  (ConfabOutgoingSinkInterface *iface);
void        _confab_peer_channel_connect     (GstWebRTCDataChannel *channel,
                                              ChannelKind           kind,
                                              ConfabHopLink        *link);
void        _confab_peer_create_channels     (ConfabPeer           *self);
void        _confab_peer_on_data_channel_cb  (GstElement           *webrtcbin,
                                              GstWebRTCDataChannel *channel,
                                              ConfabHopLink        *link);
void        _confab_peer_open_queue          (ConfabPeer           *self);
/* Opens the peer once its channels are open and its certificate is
 * verified. */
void        _confab_peer_maybe_open          (ConfabPeer           *self);

/* confab-peer-negotiation.c */
void        _confab_peer_negotiation_init    (ConfabPeer           *self);
GstWebRTCSessionDescription *
            _confab_peer_parse_description   (GstWebRTCSDPType      type,
                                              const char           *text);
gboolean    _confab_peer_connection_start    (ConfabPeer           *self);
void        _confab_peer_start_offer         (ConfabPeer           *self);
/* Fails the peer as tampered, and sets nothing, when @text names no
 * certificate to check the handshake against. */
void        _confab_peer_set_remote_description (ConfabPeer                  *self,
                                                 GstWebRTCSessionDescription *description,
                                                 const char                  *text);
void        _confab_peer_flush_held_candidates (ConfabPeer         *self);
gboolean    _confab_peer_handle_ice_candidate  (ConfabPeer         *self,
                                                ConfabMessage      *message);
/* Forgets the candidates held for either side. */
void        _confab_peer_clear_candidates    (ConfabPeer           *self);

/* confab-peer-verification.c */
ConfabPeerCheck  *_confab_peer_check_new          (ConfabHopLink    *link);
/* Disconnects from the handshake and drops the connection's reference. */
void              _confab_peer_check_free         (ConfabPeerCheck  *check);
ConfabPeerVerdict _confab_peer_check_get_verdict  (ConfabPeerCheck  *check);
/* Keeps @sdp to check the handshake against; fails, keeping nothing, on
 * an SDP without a well-formed SHA-256 fingerprint. */
gboolean          _confab_peer_check_set_remote_sdp (ConfabPeerCheck  *check,
                                                     const char       *sdp,
                                                     GError          **error);
/* Watches the DTLS transport once webrtcbin has made it; idempotent. */
void              _confab_peer_watch_transport    (ConfabPeer       *self);
/* Whether the handshake proved the certificate the remote description
 * names: until then nothing is read, sent or shown. */
gboolean          _confab_peer_is_verified        (ConfabPeer       *self);

/* confab-peer-teardown.c */
/* Takes @conn: from here on nothing of it reaches the peer; its data
 * drains and its channels close, then it is freed. */
void        _confab_peer_connection_teardown (Connection           *conn);
guint       _confab_peer_channel_buffered_amount (GstWebRTCDataChannel *channel);
GstWebRTCDataChannelState
            _confab_peer_channel_ready_state (GstWebRTCDataChannel *channel);

G_END_DECLS
