/* confab-peer.h: one peer-to-peer chat connection over webrtcbin
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-chat-message.h"
#include "confab-message.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabPeer is one conversation's peer connection: webrtcbin alone in a
 * pipeline of its own, data channels only.  It knows nothing of websockets:
 * the owner (ConfabSession) feeds it the signalling messages meant for it
 * with confab_peer_handle_message() and sends on its behalf every message
 * it emits through "send-message".  Everything it does, and every signal
 * and notification it emits, happens on the GMainContext that was the
 * thread-default one when it was made.
 *
 * Signals:
 *   send-message (ConfabMessage *message): a request for the signalling
 *     server (start_transfer, create_offer, create_answer, ice_candidate,
 *     decline, hang_up), already addressed to the remote peer.
 *   text-received (const char *text): a chat message from the remote
 *     peer, never empty.
 *   message-state-changed (guint64 id, ConfabDeliveryState state): the
 *     fate of a message given to confab_peer_send_text(): sent, then
 *     delivered (the other Confab's application got it) or failed.
 *
 * Properties: "local-name", "remote-name" and "confab-channel"
 * (construct-only), "state", "failure-reason", "extended" (read-only) and
 * "answer-timeout". */

#define CONFAB_TYPE_PEER (confab_peer_get_type ())
#define CONFAB_PEER_ERROR (confab_peer_error_quark ())

typedef enum
{
  CONFAB_PEER_STATE_NEW,        /* an outgoing call not started yet */
  CONFAB_PEER_STATE_CALLING,    /* checking the peer is online, then waiting for the answer */
  CONFAB_PEER_STATE_INCOMING,   /* an offer waiting for accept or decline */
  CONFAB_PEER_STATE_CONNECTING, /* offer and answer exchanged: ICE, DTLS, SCTP */
  CONFAB_PEER_STATE_OPEN,       /* chatting */
  CONFAB_PEER_STATE_CLOSED,     /* hung up, by either side, or declined here */
  CONFAB_PEER_STATE_FAILED,     /* see "failure-reason" */
} ConfabPeerState;

/* Why a peer is closed or failed. */
typedef enum
{
  CONFAB_PEER_REASON_NONE,
  CONFAB_PEER_REASON_DECLINED,     /* the callee declined (closed here if we did) */
  CONFAB_PEER_REASON_PEER_OFFLINE, /* nobody of that name is connected to the server */
  CONFAB_PEER_REASON_ICE_FAILED,   /* no network path, or DTLS or SCTP failed */
  CONFAB_PEER_REASON_NO_ANSWER,    /* the callee did not answer within "answer-timeout" */
  CONFAB_PEER_REASON_HUNG_UP,      /* the other side hung up (the state is closed) */
  CONFAB_PEER_REASON_VANISHED,     /* the other side stopped answering while open */
  CONFAB_PEER_REASON_ICE_SERVERS,  /* the STUN or TURN servers cannot be used, or relay-only
                                    * has no TURN server: see confab_peer_get_ice_servers_problem() */
  CONFAB_PEER_REASON_TAMPERED,     /* the DTLS handshake proved a certificate the remote
                                    * description does not name, or it named none:
                                    * someone between the two rewrote it */
} ConfabPeerReason;

typedef enum
{
  CONFAB_PEER_ERROR_INVALID_OFFER, /* an offer_received without a usable SDP */
  CONFAB_PEER_ERROR_EMPTY_TEXT,    /* sending an empty message */
  CONFAB_PEER_ERROR_CLOSED,        /* sending on a closed or failed peer */
} ConfabPeerError;

G_DECLARE_FINAL_TYPE (ConfabPeer, confab_peer, CONFAB, PEER, GObject)

GQuark              confab_peer_error_quark        (void);

/* An outgoing call to @remote_name, in state new: connect to its signals,
 * then confab_peer_call(). */
ConfabPeer         *confab_peer_new_outgoing       (const char          *local_name,
                                                    const char          *remote_name);
/* An incoming call, in state incoming, from an offer_received message.
 * Nothing of the connection exists until confab_peer_accept(). */
ConfabPeer         *confab_peer_new_incoming       (const char          *local_name,
                                                    ConfabMessage       *offer_received,
                                                    GError             **error);

const char         *confab_peer_get_local_name     (ConfabPeer          *self);
const char         *confab_peer_get_remote_name    (ConfabPeer          *self);
ConfabPeerState     confab_peer_get_state          (ConfabPeer          *self);
ConfabPeerReason    confab_peer_get_failure_reason (ConfabPeer          *self);
/* TRUE once the remote peer is a Confab that opened the "confab" channel
 * too: delivery receipts, messages over 64 KiB, the heartbeat. */
gboolean            confab_peer_get_extended       (ConfabPeer          *self);
/* Seconds a call waits for an answer before failing with "no answer";
 * 0 waits for ever.  Default 60. */
guint               confab_peer_get_answer_timeout (ConfabPeer          *self);
void                confab_peer_set_answer_timeout (ConfabPeer          *self,
                                                    guint                seconds);
/* STUN and TURN servers as browsers write them (see confab-ice-server.h),
 * used from the moment the connection is made.  webrtcbin takes one STUN
 * server: the first is used, the others are not.  Fails on the first bad
 * URL, using none of them; the connection, when it is made, then fails
 * with the reason ice-servers rather than go on without the servers the
 * user asked for. */
gboolean            confab_peer_set_ice_servers    (ConfabPeer          *self,
                                                    const char * const  *urls,
                                                    GError             **error);
/* Relay-only ("relay-only"): the connection uses TURN relay candidates
 * only, so no host or server-reflexive address of ours reaches the other
 * side.  Without a TURN server the connection fails (reason ice-servers).
 * Takes effect from the moment the connection is made. */
gboolean            confab_peer_get_relay_only     (ConfabPeer          *self);
void                confab_peer_set_relay_only     (ConfabPeer          *self,
                                                    gboolean             relay_only);
/* Why the STUN and TURN servers cannot be used, as a sentence for a
 * person, or NULL: set when the failure reason is ice-servers. */
const char         *confab_peer_get_ice_servers_problem (ConfabPeer     *self);

/* new -> calling: sends start_transfer. */
void                confab_peer_call               (ConfabPeer          *self);
/* incoming -> connecting: makes the connection and sends the answer. */
void                confab_peer_accept             (ConfabPeer          *self);
/* incoming -> closed (reason declined): sends decline. */
void                confab_peer_decline            (ConfabPeer          *self);
/* Ends the conversation in any state (sending hang_up, or decline when
 * still incoming); closed with no reason. */
void                confab_peer_hang_up            (ConfabPeer          *self);

/* Takes a signalling message from the remote peer (or the server's answer
 * to one of ours): transfer_response, offer_declined, answer_received,
 * ice_candidate, peer_hung_up, error.  Returns FALSE for a message that
 * means nothing in the current state (it is ignored). */
gboolean            confab_peer_handle_message     (ConfabPeer          *self,
                                                    ConfabMessage       *message);

/* Queues @text (UTF-8) as the message @id, which the caller allocates:
 * never 0, and growing with each message given to this peer.  Its state
 * changes through "message-state-changed" (to "sent" perhaps before this
 * returns, on an open channel).  Text sent before the channel opens waits
 * for it.  Returns FALSE with @error, and reports nothing, for empty text
 * or a peer that is closed or failed. */
gboolean            confab_peer_send_text          (ConfabPeer          *self,
                                                    guint64              id,
                                                    const char          *text,
                                                    GError             **error);

G_END_DECLS
