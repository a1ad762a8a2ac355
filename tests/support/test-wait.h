/* test-wait.h: iterating a main context until something happens, with a
 * watchdog that fails the test loudly instead of letting it hang
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _TestWatchdog TestWatchdog;

typedef gboolean (*TestCondition) (gpointer data);

/* Not a timing assertion: only how long a broken test may hang before it
 * says what it was waiting for: 60 s, or CONFAB_TEST_WATCHDOG seconds
 * (for a debugger, or a slow machine). */
double        test_watchdog_seconds   (void);
TestWatchdog *test_watchdog_new       (const char    *what,
                                       double         seconds);
gboolean      test_watchdog_expired   (TestWatchdog  *watchdog);
void          test_watchdog_iterate   (TestWatchdog  *watchdog);
void          test_watchdog_free      (TestWatchdog  *watchdog);

/* Iterates the thread-default main context until @condition holds;
 * FALSE when it still does not after @seconds. */
gboolean      test_wait_until         (TestCondition  condition,
                                       gpointer       data,
                                       double         seconds);

/* Iterates the default main context until @condition (an expression) holds,
 * and aborts the test naming @what when it does not within
 * test_watchdog_seconds(). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestWatchdog, test_watchdog_free)

#define test_wait_for(what, condition)                                          \
  G_STMT_START {                                                                \
    TestWatchdog *watchdog_ = test_watchdog_new ((what), test_watchdog_seconds ()); \
    while (!(condition))                                                        \
      test_watchdog_iterate (watchdog_);                                        \
    test_watchdog_free (watchdog_);                                             \
  } G_STMT_END

/* A GAsyncReadyCallback that keeps the result in *(GAsyncResult **) @user_data. */
void          test_store_result_cb    (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
/* Iterates the main context until test_store_result_cb() has stored a
 * result in *@result, under the watchdog, and returns it. */
GAsyncResult *test_wait_for_result    (GAsyncResult **result);

G_END_DECLS
