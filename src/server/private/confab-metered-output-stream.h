/* confab-metered-output-stream.h: a pollable output stream that counts
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-metered-input-stream.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_METERED_OUTPUT_STREAM (confab_metered_output_stream_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMeteredOutputStream, confab_metered_output_stream, CONFAB, METERED_OUTPUT_STREAM, GFilterOutputStream)

/* Writes to @base (pollable) and tells @func how much each write took,
 * for a transport to know what a library still queues for a peer
 * (libsoup's websocket).  @base is not closed with the stream. */
GOutputStream *confab_metered_output_stream_new    (GOutputStream             *base,
                                                    ConfabMeteredFunc          func,
                                                    gpointer                   user_data);
/* @func is not called again. */
void           confab_metered_output_stream_detach (ConfabMeteredOutputStream *self);

G_END_DECLS
