/* confab-state-text.h: a conversation's state in words
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "confab-conversation.h"

G_BEGIN_DECLS

/* A few words, for the chat list and the conversation's subtitle. */
const char *confab_state_text_summary (ConfabConversationState  state,
                                       ConfabConversationFailure reason);

G_END_DECLS
