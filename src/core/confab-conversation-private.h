/* confab-conversation-private.h: what the session sets on its conversations
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-conversation.h"

G_BEGIN_DECLS

/* The session that lists the conversation, held weakly, or NULL once it
 * no longer does: the conversation's own calls go through it. */
void _confab_conversation_set_session (ConfabConversation *self,
                                       ConfabSession      *session);

G_END_DECLS
