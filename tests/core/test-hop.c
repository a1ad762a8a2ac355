/* test-hop.c: handing work from other threads to an object's context
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-hop.h"
#include "test-wait.h"

typedef struct
{
  GThread  *ran_on;
  guint     n_runs;
  guint     n_freed;
  gboolean  accepting;
} Record;

static void
record_run (gpointer owner,
            gpointer data)
{
  Record *record = g_object_get_data (owner, "record");

  g_assert_true (G_IS_OBJECT (owner));
  g_assert_cmpuint (GPOINTER_TO_UINT (data), ==, record->n_runs + 1);
  record->ran_on = g_thread_self ();
  record->n_runs++;
}

static void
count_free (gpointer data)
{
  Record *record = g_object_get_data (G_OBJECT (data), "record");

  /* Called on whichever thread drops the hop: counted atomically. */
  g_atomic_int_inc (&record->n_freed);
  g_object_unref (data);
}

static gboolean
accepting (gpointer owner)
{
  Record *record = g_object_get_data (owner, "record");

  return record->accepting;
}

static gpointer
invoke_thread (gpointer data)
{
  ConfabHopLink *link = data;

  for (guint i = 1; i <= 3; i++)
    confab_hop_link_invoke (link, record_run, GUINT_TO_POINTER (i), NULL);

  return NULL;
}

/* Work queued from another thread runs on the owner's context, in order,
 * and only when that context runs. */
static void
test_hop_runs_on_the_owner_context (void)
{
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(ConfabHopLink) link = confab_hop_link_new (owner, NULL, NULL);
  Record record = { NULL, 0, 0, TRUE };
  GThread *thread;

  g_object_set_data (owner, "record", &record);
  g_assert_true (confab_hop_link_get_context (link) == g_main_context_default ());

  thread = g_thread_new ("hop-test", invoke_thread, confab_hop_link_ref (link));
  g_thread_join (thread);
  g_assert_cmpuint (record.n_runs, ==, 0);
  confab_hop_link_unref (link);

  test_wait_for ("three hops to run", record.n_runs >= 3);
  g_assert_true (record.ran_on == g_thread_self ());
}

/* Even from the context's own thread, work waits for the next iteration:
 * the caller is never re-entered. */
static void
test_hop_never_runs_in_place (void)
{
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(ConfabHopLink) link = confab_hop_link_new (owner, NULL, NULL);
  Record record = { NULL, 0, 0, TRUE };

  g_object_set_data (owner, "record", &record);
  confab_hop_link_invoke (link, record_run, GUINT_TO_POINTER (1), NULL);
  g_assert_cmpuint (record.n_runs, ==, 0);
  test_wait_for ("the hop to run", record.n_runs >= 1);
}

/* An owner that is gone, or whose guard refuses, gets nothing; the data
 * is freed either way. */
static void
test_hop_drops_what_no_longer_concerns (void)
{
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) keeper = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(ConfabHopLink) link = confab_hop_link_new (owner, NULL, accepting);
  Record record = { NULL, 0, 0, FALSE };

  g_object_set_data (owner, "record", &record);
  g_object_set_data (keeper, "record", &record);

  /* Refused by the guard. */
  confab_hop_link_invoke (link, record_run, g_object_ref (keeper), count_free);
  test_wait_for ("the hop's data to be freed", g_atomic_int_get (&record.n_freed) >= 1);
  g_assert_cmpuint (record.n_runs, ==, 0);

  /* The owner is finalized before the work runs. */
  record.accepting = TRUE;
  confab_hop_link_invoke (link, record_run, g_object_ref (keeper), count_free);
  g_object_unref (owner);
  test_wait_for ("both hops' data to be freed", g_atomic_int_get (&record.n_freed) >= 2);
  g_assert_cmpuint (record.n_runs, ==, 0);
}

/* A link made on another thread's context delivers there. */
static void
test_hop_other_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GObject) owner = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(ConfabHopLink) link = NULL;
  Record record = { NULL, 0, 0, TRUE };

  g_main_context_push_thread_default (context);
  link = confab_hop_link_new (owner, NULL, NULL);
  g_main_context_pop_thread_default (context);
  g_assert_true (confab_hop_link_get_context (link) == context);

  g_object_set_data (owner, "record", &record);
  confab_hop_link_invoke (link, record_run, GUINT_TO_POINTER (1), NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (record.n_runs, ==, 0);
  while (record.n_runs < 1)
    g_main_context_iteration (context, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hop/runs-on-the-owner-context", test_hop_runs_on_the_owner_context);
  g_test_add_func ("/hop/never-runs-in-place", test_hop_never_runs_in_place);
  g_test_add_func ("/hop/drops-what-no-longer-concerns", test_hop_drops_what_no_longer_concerns);
  g_test_add_func ("/hop/other-context", test_hop_other_context);

  return g_test_run ();
}
