/* confab-session-private.h: what the tests reach inside a session
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-session.h"

G_BEGIN_DECLS

/* The peer connection the conversation with @peer runs on now, or NULL:
 * for fault injection (_confab_peer_drop_network()). */
ConfabPeer         *_confab_session_get_peer          (ConfabSession *self,
                                                       const char    *peer);
/* The session's own signalling client: tests shorten its back-off. */
ConfabSignalClient *_confab_session_get_signal_client (ConfabSession *self);

G_END_DECLS
