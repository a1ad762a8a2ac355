/* confab-conversation-summary.h: a stored conversation, as a list shows it
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-chat-message.h"

G_BEGIN_DECLS

/* What ConfabStore knows of one conversation of an account, for a row of
 * the sidebar: the peer, its unread count, when it last saw activity and
 * its newest message.  A snapshot: it does not change.
 *
 * Properties (read-only): "peer-name", "unread-count", "last-activity",
 * "last-message" (may be NULL) and "preview". */

#define CONFAB_TYPE_CONVERSATION_SUMMARY (confab_conversation_summary_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationSummary, confab_conversation_summary,
                      CONFAB, CONVERSATION_SUMMARY, GObject)

ConfabConversationSummary *confab_conversation_summary_new               (const char                *peer_name,
                                                                          guint                      unread_count,
                                                                          GDateTime                 *last_activity,
                                                                          ConfabChatMessage         *last_message);

const char                *confab_conversation_summary_get_peer_name     (ConfabConversationSummary *self);
guint                      confab_conversation_summary_get_unread_count  (ConfabConversationSummary *self);
GDateTime                 *confab_conversation_summary_get_last_activity (ConfabConversationSummary *self);
ConfabChatMessage         *confab_conversation_summary_get_last_message  (ConfabConversationSummary *self);
/* The first line of the newest message, or "" when there is none. */
const char                *confab_conversation_summary_get_preview       (ConfabConversationSummary *self);

G_END_DECLS
