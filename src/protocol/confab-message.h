/* confab-message.h: one signalling message, parsed, validated or built
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The wire protocol of the mobile app (and its Node server), plus Confab's
 * extensions (decline, hang_up, error).  See PROTOCOL.md beside this file.
 *
 * A ConfabMessage is an immutable, reference-counted value.  Parsing checks
 * everything a peer could get wrong; building never fails for valid
 * arguments.  Serialising produces exactly the bytes the Node server and the
 * mobile app produce: compact JSON, keys in their order, absent fields left
 * out rather than sent as null.
 */

#define CONFAB_TYPE_MESSAGE (confab_message_get_type ())

/* Longest name in bytes, and the default limit on a whole frame. */
#define CONFAB_MESSAGE_MAX_NAME_LENGTH 64
#define CONFAB_MESSAGE_DEFAULT_MAX_FRAME (64 * 1024)
/* Deepest nesting of arrays and objects a frame may have. */
#define CONFAB_MESSAGE_MAX_DEPTH 16

typedef enum
{
  /* client -> server */
  CONFAB_MESSAGE_STORE_USER,
  CONFAB_MESSAGE_START_TRANSFER,
  CONFAB_MESSAGE_CREATE_OFFER,
  CONFAB_MESSAGE_CREATE_ANSWER,
  CONFAB_MESSAGE_DECLINE,
  CONFAB_MESSAGE_HANG_UP,
  /* server -> client */
  CONFAB_MESSAGE_USER_STORED,
  CONFAB_MESSAGE_USER_ALREADY_EXISTS,
  CONFAB_MESSAGE_TRANSFER_RESPONSE,
  CONFAB_MESSAGE_OFFER_RECEIVED,
  CONFAB_MESSAGE_ANSWER_RECEIVED,
  CONFAB_MESSAGE_OFFER_DECLINED,
  CONFAB_MESSAGE_PEER_HUNG_UP,
  /* both directions: client -> server carries a target, server -> client
   * carries the sender's name */
  CONFAB_MESSAGE_ICE_CANDIDATE,
  /* either direction; a server never relays one */
  CONFAB_MESSAGE_ERROR,

  CONFAB_MESSAGE_N_KINDS
} ConfabMessageKind;

typedef struct _ConfabMessage ConfabMessage;

GType               confab_message_get_type                (void) G_GNUC_CONST;

ConfabMessage      *confab_message_ref                     (ConfabMessage  *self);
void                confab_message_unref                   (ConfabMessage  *self);

/* Parsing.  @max_frame is the largest @length accepted (0 for
 * CONFAB_MESSAGE_DEFAULT_MAX_FRAME).  @frame need not be nul-terminated.
 * On failure, @error is in CONFAB_PROTOCOL_ERROR; when the type field could
 * be read, *@type_hint (if non-NULL) is set to it (newly allocated) so an
 * error reply can name the offending message in its "ref" field. */
ConfabMessage      *confab_message_parse                   (const char     *frame,
                                                            gsize           length,
                                                            gsize           max_frame,
                                                            char          **type_hint,
                                                            GError        **error);

/* Serialising: compact UTF-8 JSON, nul-terminated; @length may be NULL. */
char               *confab_message_to_json                 (const ConfabMessage *self,
                                                            gsize          *length);

/* Kinds and their wire names ("store_user", ...). */
ConfabMessageKind   confab_message_get_kind                (const ConfabMessage *self);
const char         *confab_message_kind_to_string          (ConfabMessageKind kind);
gboolean            confab_message_kind_from_string        (const char     *string,
                                                            ConfabMessageKind *kind);
/* TRUE for the kinds a client sends to a server. */
gboolean            confab_message_kind_is_client_request  (ConfabMessageKind kind);

/* Fields.  Each returns NULL (or -1) where the kind has no such field or
 * the field was absent. */

/* "name": the sender's own name in a request, the relayed sender in a
 * delivery (offer_received, answer_received, ice_candidate, offer_declined,
 * peer_hung_up). */
const char         *confab_message_get_name                (const ConfabMessage *self);
/* "target": whom a request is for; in an error, whom the refused request
 * was for (Confab's servers name it for "unknown-target"). */
const char         *confab_message_get_target              (const ConfabMessage *self);
/* "data" of user_stored, user_already_exists and transfer_response: a user
 * name.  NULL in a transfer_response means the target is not online. */
const char         *confab_message_get_user                (const ConfabMessage *self);
/* The SDP of create_offer, create_answer (data.sdp), offer_received and
 * answer_received (data). */
const char         *confab_message_get_sdp                 (const ConfabMessage *self);
/* data.type of create_offer and create_answer ("OFFER", "ANSWER"): the
 * mobile app sends its enum name; receivers ignore it. */
const char         *confab_message_get_sdp_type            (const ConfabMessage *self);
/* ice_candidate: data.sdpCandidate, data.sdpMid, data.sdpMLineIndex (-1 when
 * absent).  An empty candidate means the end of candidates. */
const char         *confab_message_get_candidate           (const ConfabMessage *self);
const char         *confab_message_get_sdp_mid             (const ConfabMessage *self);
int                 confab_message_get_sdp_mline_index     (const ConfabMessage *self);
/* error: "code", "message" and "ref" (the type of the offending message). */
const char         *confab_message_get_error_code          (const ConfabMessage *self);
const char         *confab_message_get_error_message       (const ConfabMessage *self);
const char         *confab_message_get_error_ref           (const ConfabMessage *self);

/* Building.  Strings are copied.  Names are not validated here: use
 * confab_message_validate_name() on anything that came from a user. */
ConfabMessage      *confab_message_new_store_user          (const char     *name);
ConfabMessage      *confab_message_new_user_stored         (const char     *name);
ConfabMessage      *confab_message_new_user_already_exists (const char     *name);
ConfabMessage      *confab_message_new_start_transfer      (const char     *name,
                                                            const char     *target);
ConfabMessage      *confab_message_new_transfer_response   (const char     *online_user);
ConfabMessage      *confab_message_new_create_offer        (const char     *name,
                                                            const char     *target,
                                                            const char     *sdp);
ConfabMessage      *confab_message_new_offer_received      (const char     *name,
                                                            const char     *sdp);
ConfabMessage      *confab_message_new_create_answer       (const char     *name,
                                                            const char     *target,
                                                            const char     *sdp);
ConfabMessage      *confab_message_new_answer_received     (const char     *name,
                                                            const char     *sdp);
/* @target is set for the client -> server form, NULL for the delivery. */
ConfabMessage      *confab_message_new_ice_candidate       (const char     *name,
                                                            const char     *target,
                                                            int             sdp_mline_index,
                                                            const char     *sdp_mid,
                                                            const char     *candidate);
ConfabMessage      *confab_message_new_decline             (const char     *name,
                                                            const char     *target);
ConfabMessage      *confab_message_new_offer_declined      (const char     *name);
ConfabMessage      *confab_message_new_hang_up             (const char     *name,
                                                            const char     *target);
ConfabMessage      *confab_message_new_peer_hung_up        (const char     *name);
ConfabMessage      *confab_message_new_error               (const char     *code,
                                                            const char     *message,
                                                            const char     *ref);
/* An error about a request for @target (see confab_message_get_target()). */
ConfabMessage      *confab_message_new_error_about         (const char     *code,
                                                            const char     *message,
                                                            const char     *ref,
                                                            const char     *target);

/* The delivery a server sends to the target of a relayed request: the
 * request's payload, with @sender (the registered name of the connection it
 * came from, never the request's own "name") as its name.  NULL for kinds
 * that are not relayed. */
ConfabMessage      *confab_message_new_relayed             (const ConfabMessage *request,
                                                            const char     *sender);

/* Checks a user name: non-empty, at most CONFAB_MESSAGE_MAX_NAME_LENGTH
 * bytes, valid UTF-8, no control characters. */
gboolean            confab_message_validate_name           (const char     *name,
                                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabMessage, confab_message_unref)

G_END_DECLS
