/* test-wait.c: iterating a main context until something happens
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-wait.h"

struct _TestWatchdog
{
  char    *what;
  gint64   deadline;
  double   seconds;
  GSource *tick;
};

static gboolean
tick_cb (gpointer data)
{
  /* Only wakes the iteration up, so that it sees the deadline pass even
   * when nothing else happens. */
  return G_SOURCE_CONTINUE;
}

double
test_watchdog_seconds (void)
{
  const char *env = g_getenv ("CONFAB_TEST_WATCHDOG");
  double seconds = env != NULL ? g_ascii_strtod (env, NULL) : 0;

  return seconds > 0 ? seconds : 60;
}

TestWatchdog *
test_watchdog_new (const char *what,
                   double      seconds)
{
  TestWatchdog *watchdog = g_new0 (TestWatchdog, 1);

  watchdog->what = g_strdup (what);
  watchdog->seconds = seconds;
  watchdog->deadline = g_get_monotonic_time () + (gint64) (watchdog->seconds * G_USEC_PER_SEC);
  watchdog->tick = g_timeout_source_new (250);
  g_source_set_callback (watchdog->tick, tick_cb, NULL, NULL);
  g_source_attach (watchdog->tick, g_main_context_get_thread_default ());

  return watchdog;
}

gboolean
test_watchdog_expired (TestWatchdog *watchdog)
{
  return g_get_monotonic_time () > watchdog->deadline;
}

/* One iteration of the thread-default main context; aborts the test when
 * the watchdog has expired. */
void
test_watchdog_iterate (TestWatchdog *watchdog)
{
  if (test_watchdog_expired (watchdog))
    g_error ("Gave up waiting for %s after %.0f s", watchdog->what, watchdog->seconds);

  g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

void
test_watchdog_free (TestWatchdog *watchdog)
{
  g_source_destroy (watchdog->tick);
  g_source_unref (watchdog->tick);
  g_free (watchdog->what);
  g_free (watchdog);
}

gboolean
test_wait_until (TestCondition condition,
                 gpointer      data,
                 double        seconds)
{
  TestWatchdog *watchdog = test_watchdog_new (NULL, seconds);
  gboolean met;

  while (!(met = condition (data)) && !test_watchdog_expired (watchdog))
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);

  test_watchdog_free (watchdog);

  return met;
}

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
  test_wait_for ("an asynchronous call to finish", *result != NULL);

  return *result;
}
