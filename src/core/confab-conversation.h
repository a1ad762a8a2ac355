/* confab-conversation.h: the messages exchanged with one peer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-chat-message.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabConversation is a GListModel of ConfabChatMessage, oldest
 * first, plus what the UI shows about the peer: its name, where the
 * connection to it stands and why it ended, and how many of its messages
 * are unread.  The session writes it; views only read and bind.  Messages
 * are only ever appended, so "items-changed" always reports one addition
 * at the end.
 *
 * Properties (all notify): "peer-name" (construct-only), "state",
 * "failure", "failure-reason", "unread-count", "last-message" and
 * "n-items". */

#define CONFAB_TYPE_CONVERSATION (confab_conversation_get_type ())

typedef enum
{
  CONFAB_CONVERSATION_NEW,        /* nothing happened yet */
  CONFAB_CONVERSATION_CALLING,    /* we asked the peer to chat */
  CONFAB_CONVERSATION_INCOMING,   /* the peer asks us: accept or decline */
  CONFAB_CONVERSATION_CONNECTING, /* both agreed; the connection is being made */
  CONFAB_CONVERSATION_OPEN,       /* chatting */
  CONFAB_CONVERSATION_CLOSED,     /* ended by either side */
  CONFAB_CONVERSATION_FAILED,     /* could not start or broke; see "failure" */
} ConfabConversationState;

/* Why a conversation is closed or failed: for code to switch on.
 * "failure-reason" says it to a person. */
typedef enum
{
  CONFAB_CONVERSATION_FAILURE_NONE,
  CONFAB_CONVERSATION_FAILURE_DECLINED,     /* the callee said no */
  CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE, /* nobody of that name is signed in */
  CONFAB_CONVERSATION_FAILURE_NO_ANSWER,    /* the callee never answered */
  CONFAB_CONVERSATION_FAILURE_NETWORK,      /* no network path to the peer */
  CONFAB_CONVERSATION_FAILURE_HUNG_UP,      /* the peer ended it */
  CONFAB_CONVERSATION_FAILURE_VANISHED,     /* the peer stopped answering */
  CONFAB_CONVERSATION_FAILURE_ICE_SERVERS,  /* the STUN or TURN servers cannot be used, or
                                             * relay-only has no TURN server */
  CONFAB_CONVERSATION_FAILURE_TAMPERED,     /* someone between the two swapped the keys */
} ConfabConversationFailure;

G_DECLARE_FINAL_TYPE (ConfabConversation, confab_conversation, CONFAB, CONVERSATION, GObject)

ConfabConversation        *confab_conversation_new                (const char                *peer_name);

const char                *confab_conversation_get_peer_name      (ConfabConversation        *self);
ConfabConversationState    confab_conversation_get_state          (ConfabConversation        *self);
ConfabConversationFailure  confab_conversation_get_failure        (ConfabConversation        *self);
/* A sentence for a person, or NULL. */
const char                *confab_conversation_get_failure_reason (ConfabConversation        *self);
/* Sets the three together, so that nobody sees a state with a stale
 * reason.  @failure_reason may be NULL. */
void                       confab_conversation_set_state          (ConfabConversation        *self,
                                                                   ConfabConversationState    state,
                                                                   ConfabConversationFailure  failure,
                                                                   const char                *failure_reason);

/* Incoming messages appended since the last mark_read(). */
guint                      confab_conversation_get_unread_count   (ConfabConversation        *self);
void                       confab_conversation_mark_read          (ConfabConversation        *self);

/* The newest message, or NULL: for a preview in a list of conversations. */
ConfabChatMessage         *confab_conversation_get_last_message   (ConfabConversation        *self);

/* Adds @message at the end (taking a reference); an incoming one counts
 * as unread. */
void                       confab_conversation_append             (ConfabConversation        *self,
                                                                   ConfabChatMessage         *message);
/* The newest message with @id (ids restart with each peer connection, so
 * an older one may share it), or NULL; 0 finds nothing. */
ConfabChatMessage         *confab_conversation_lookup_message     (ConfabConversation        *self,
                                                                   guint64                    id);
/* What a person does with the conversation, as the session's calls of the
 * same names do with its peer's name: answer its request, write in it,
 * end it.  Once the session has forgotten the conversation (removed it,
 * or signed in under another name) they fail with
 * CONFAB_SESSION_ERROR_NO_CONVERSATION. */
gboolean                   confab_conversation_accept             (ConfabConversation        *self,
                                                                   GError                   **error);
gboolean                   confab_conversation_decline            (ConfabConversation        *self,
                                                                   GError                   **error);
gboolean                   confab_conversation_send_text          (ConfabConversation        *self,
                                                                   const char                *text,
                                                                   GError                   **error);
gboolean                   confab_conversation_hang_up            (ConfabConversation        *self,
                                                                   GError                   **error);

/* Moves the message with @id on to @state (see
 * confab_chat_message_set_delivery_state()).  Returns FALSE if there is
 * no such message or its state did not change. */
gboolean                   confab_conversation_set_delivery_state (ConfabConversation        *self,
                                                                   guint64                    id,
                                                                   ConfabDeliveryState        state);

G_END_DECLS
