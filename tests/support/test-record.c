/* test-record.c: recording what signals said, in order
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-record.h"
#include "test-wait.h"

void
test_record_string_cb (gpointer    instance,
                       const char *string,
                       gpointer    user_data)
{
  GPtrArray *record = user_data;

  g_ptr_array_add (record, g_strdup (string));
}

void
test_record_notify_cb (GObject    *object,
                       GParamSpec *pspec,
                       gpointer    user_data)
{
  GPtrArray *record = user_data;

  g_ptr_array_add (record, g_strdup (pspec->name));
}

gboolean
test_record_contains (GPtrArray  *record,
                      const char *string)
{
  return g_ptr_array_find_with_equal_func (record, string, g_str_equal, NULL);
}

void
test_record_wait_for (GPtrArray *record,
                      guint      n)
{
  g_autofree char *what = g_strdup_printf ("%u recorded signals (%u so far)", n, record->len);

  test_wait_for (what, record->len >= n);
}
