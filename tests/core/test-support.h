/* test-support.h: what the core's tests share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps the result in *(GAsyncResult **) @user_data. */
void          test_store_result_cb (GObject       *object,
                                    GAsyncResult  *result,
                                    gpointer       user_data);
/* Iterates the main context until test_store_result_cb() has stored a
 * result in *@result, and returns it.  No time limit of its own: meson's
 * test timeout catches a hang. */
GAsyncResult *test_wait_for_result (GAsyncResult **result);

G_END_DECLS
