/* confab-utf8.h: checking that bytes from the network are UTF-8
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Like g_utf8_validate_len() (a NUL byte fails too), but skips ASCII
 * eight bytes at a time: every text frame the server reads is checked,
 * and most of one is the ASCII inside an SDP. */
gboolean confab_utf8_validate (const char *text,
                               gsize       length);

G_END_DECLS
