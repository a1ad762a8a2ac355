/* confab-new-chat-dialog.h: asks for the name of the person to chat with
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_NEW_CHAT_DIALOG (confab_new_chat_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabNewChatDialog, confab_new_chat_dialog, CONFAB, NEW_CHAT_DIALOG, AdwMessageDialog)

/* Responds "start" with a valid name other than @own_name, or "cancel". */
ConfabNewChatDialog *confab_new_chat_dialog_new      (GtkWindow           *parent,
                                                      const char          *own_name);
char                *confab_new_chat_dialog_dup_peer (ConfabNewChatDialog *self);

G_END_DECLS
