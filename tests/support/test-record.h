/* test-record.h: recording what signals said, in order, for assertions
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* For any signal whose first argument after the instance is a string:
 * appends a copy to @user_data, a GPtrArray freeing with g_free(). */
void     test_record_string_cb   (gpointer     instance,
                                  const char  *string,
                                  gpointer     user_data);
/* For "notify": appends the property's name to @user_data, a GPtrArray
 * freeing with g_free(). */
void     test_record_notify_cb   (GObject     *object,
                                  GParamSpec  *pspec,
                                  gpointer     user_data);
/* Whether @record (of strings) holds @string. */
gboolean test_record_contains    (GPtrArray   *record,
                                  const char  *string);
/* Iterates the main context, under the watchdog, until @record holds at
 * least @n entries. */
void     test_record_wait_for    (GPtrArray   *record,
                                  guint        n);

G_END_DECLS
