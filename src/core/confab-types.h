/* confab-types.h: forward declarations of the core's types
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Headers that only pass these around include this file rather than each
 * other, so the core's headers never include one another in a circle. */
typedef struct _ConfabChatMessage   ConfabChatMessage;
typedef struct _ConfabConversation  ConfabConversation;
typedef struct _ConfabPeer          ConfabPeer;
typedef struct _ConfabSession       ConfabSession;
typedef struct _ConfabSignalClient  ConfabSignalClient;

G_END_DECLS
