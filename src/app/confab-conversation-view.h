/* confab-conversation-view.h: one conversation, its messages and its entry
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-conversation.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_VIEW (confab_conversation_view_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationView, confab_conversation_view, CONFAB, CONVERSATION_VIEW, GtkWidget)

ConfabSession      *confab_conversation_view_get_session      (ConfabConversationView *self);
void                confab_conversation_view_set_session      (ConfabConversationView *self,
                                                               ConfabSession          *session);
ConfabConversation *confab_conversation_view_get_conversation (ConfabConversationView *self);
void                confab_conversation_view_set_conversation (ConfabConversationView *self,
                                                               ConfabConversation     *conversation);
gboolean            confab_conversation_view_get_folded       (ConfabConversationView *self);
void                confab_conversation_view_set_folded       (ConfabConversationView *self,
                                                               gboolean                folded);
void                confab_conversation_view_focus_entry      (ConfabConversationView *self);

G_END_DECLS
