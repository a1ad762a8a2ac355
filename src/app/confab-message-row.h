/* confab-message-row.h: one chat message in a conversation
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "confab-chat-message.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_MESSAGE_ROW (confab_message_row_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMessageRow, confab_message_row, CONFAB, MESSAGE_ROW, GtkWidget)

ConfabChatMessage *confab_message_row_get_message (ConfabMessageRow  *self);
void               confab_message_row_set_message (ConfabMessageRow  *self,
                                                   ConfabChatMessage *message);

G_END_DECLS
