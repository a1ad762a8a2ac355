/* confab-peer-private.h: fault injection for the tests
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-peer.h"

G_BEGIN_DECLS

/* Drops every packet the peer's connection sends or receives from now on,
 * without a word to the other side: a laptop lid closing, a cable pulled.
 * libnice still answers STUN, so only the heartbeat can notice. */
void _confab_peer_drop_network        (ConfabPeer *self);
/* Announces, and speaks, an older version of the frames (CHANNEL.md),
 * as a Confab of that version would; before the offer or answer. */
void _confab_peer_set_channel_version (ConfabPeer *self,
                                       guint       version);

/* The candidate types ("host", "srflx", "prflx", "relay") of the pair ICE
 * selected, local and remote; FALSE while there is none. */
gboolean _confab_peer_get_selected_pair (ConfabPeer  *self,
                                         char       **local_type,
                                         char       **remote_type);

G_END_DECLS
