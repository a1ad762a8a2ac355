/* confab-channel-frame-private.h: the assembler's state, for the fuzzer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-channel-frame.h"

G_BEGIN_DECLS

/* What a peer's chunks made the assembler hold, so that the fuzzer can
 * check that a message costs nothing before its first chunk and never
 * more than the length it announced.  Nothing in src/ calls these. */

/* The bytes the assembler holds for a partial message: 0 between
 * messages. */
gsize _confab_channel_assembler_get_allocated (const ConfabChannelAssembler *self);
/* The length the message being reassembled announced, and how much of it
 * is in: both 0 between messages. */
guint32 _confab_channel_assembler_get_total_length (const ConfabChannelAssembler *self);
guint32 _confab_channel_assembler_get_received     (const ConfabChannelAssembler *self);

G_END_DECLS
