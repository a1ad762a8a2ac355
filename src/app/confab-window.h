/* confab-window.h: the main window
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-application.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_WINDOW (confab_window_get_type ())

G_DECLARE_FINAL_TYPE (ConfabWindow, confab_window, CONFAB, WINDOW, AdwApplicationWindow)

ConfabWindow *confab_window_new               (ConfabApplication *application);
/* Fills in the sign-in page; signs in at once when @name is given. */
void          confab_window_sign_in           (ConfabWindow      *self,
                                               const char        *url,
                                               const char        *name);
/* Answers @conversation's pending request, as the accept dialog would. */
void          confab_window_answer_request    (ConfabWindow       *self,
                                               ConfabConversation *conversation,
                                               gboolean            accept);
void          confab_window_show_conversation (ConfabWindow      *self,
                                               const char        *peer);

G_END_DECLS
