/* confab-chat-message.h: one chat message in a conversation
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabChatMessage is what a conversation's list shows: who wrote what,
 * when, and (for our own) how far it got.  Everything but the delivery
 * state is fixed when it is made.
 *
 * Properties: "id", "author", "text", "time", "direction" (construct-only)
 * and "delivery-state" (notifies). */

#define CONFAB_TYPE_CHAT_MESSAGE (confab_chat_message_get_type ())

typedef enum
{
  CONFAB_CHAT_MESSAGE_INCOMING, /* written by the peer */
  CONFAB_CHAT_MESSAGE_OUTGOING, /* written here */
} ConfabChatMessageDirection;

/* How far an outgoing message got. */
typedef enum
{
  CONFAB_DELIVERY_SENDING,   /* queued here */
  CONFAB_DELIVERY_SENT,      /* handed to the data channel */
  CONFAB_DELIVERY_DELIVERED, /* the other Confab confirmed it (never for a mobile-app peer) */
  CONFAB_DELIVERY_FAILED,    /* the connection ended before it could be sent */
} ConfabDeliveryState;

G_DECLARE_FINAL_TYPE (ConfabChatMessage, confab_chat_message, CONFAB, CHAT_MESSAGE, GObject)

/* @id is the one the session gave an outgoing message (and the peer
 * carries on the wire), by which its delivery state is updated; 0 for
 * none.  @time NULL means now
 * (in UTC; views convert to local time).
 * An outgoing message starts "sending", an incoming one "delivered". */
ConfabChatMessage          *confab_chat_message_new                (guint64                     id,
                                                                    ConfabChatMessageDirection  direction,
                                                                    const char                 *author,
                                                                    const char                 *text,
                                                                    GDateTime                  *time);

guint64                     confab_chat_message_get_id             (ConfabChatMessage          *self);
ConfabChatMessageDirection  confab_chat_message_get_direction      (ConfabChatMessage          *self);
const char                 *confab_chat_message_get_author         (ConfabChatMessage          *self);
const char                 *confab_chat_message_get_text           (ConfabChatMessage          *self);
GDateTime                  *confab_chat_message_get_time           (ConfabChatMessage          *self);
ConfabDeliveryState         confab_chat_message_get_delivery_state (ConfabChatMessage          *self);
/* States only move forward (sending, sent, delivered; failed from sending
 * or sent): a late report of an earlier step changes nothing.  Returns
 * whether the state changed. */
gboolean                    confab_chat_message_set_delivery_state (ConfabChatMessage          *self,
                                                                    ConfabDeliveryState         state);

G_END_DECLS
