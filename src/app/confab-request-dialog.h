/* confab-request-dialog.h: asks whether to accept a chat someone offers
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_REQUEST_DIALOG (confab_request_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ConfabRequestDialog, confab_request_dialog, CONFAB, REQUEST_DIALOG, AdwMessageDialog)

/* Responses "accept" and "decline" (also when dismissed).  The dialog
 * goes away by itself once @conversation stops asking, however it was
 * answered or given up. */
ConfabRequestDialog *confab_request_dialog_new              (GtkWindow           *parent,
                                                             ConfabConversation  *conversation);
ConfabConversation  *confab_request_dialog_get_conversation (ConfabRequestDialog *self);

G_END_DECLS
