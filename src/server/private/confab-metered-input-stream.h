/* confab-metered-input-stream.h: a pollable input stream that counts
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_METERED_INPUT_STREAM (confab_metered_input_stream_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMeteredInputStream, confab_metered_input_stream, CONFAB, METERED_INPUT_STREAM, GFilterInputStream)

/* Told the bytes each read returned */
typedef void (*ConfabMeteredFunc) (gpointer user_data,
                                   gsize    n_bytes);

/* Reads @base (pollable) and tells @func how much each read returned,
 * for a transport to bound what a peer makes a library buffer for it
 * (libsoup's websocket).  @base is not closed with the stream. */
GInputStream *confab_metered_input_stream_new    (GInputStream             *base,
                                                  ConfabMeteredFunc         func,
                                                  gpointer                  user_data);
/* @func is not called again. */
void          confab_metered_input_stream_detach (ConfabMeteredInputStream *self);

G_END_DECLS
