/* confab-conversation-row.h: one conversation in the sidebar
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_CONVERSATION_ROW (confab_conversation_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, CONFAB, CONVERSATION_ROW, GtkWidget)

ConfabConversation *confab_conversation_row_get_conversation (ConfabConversationRow *self);
void                confab_conversation_row_set_conversation (ConfabConversationRow *self,
                                                              ConfabConversation    *conversation);

G_END_DECLS
