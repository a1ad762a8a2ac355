/* test-support.c: what the core's tests share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-support.h"

void
test_store_result_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

GAsyncResult *
test_wait_for_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

/* Read by AddressSanitizer before ASAN_OPTIONS (which can still override
 * it): GLib, libsoup and GStreamer are built without frame pointers, and
 * the fast unwinder stops at g_malloc(), so no suppression in lsan.supp
 * could match a one-time allocation of theirs. */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
