/* test-server-thread.c: a real ConfabSignalServer for tests
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-server-thread.h"
#include "test-wait.h"

ConfabSignalServer *
test_start_server (guint  port,
                   double rate)
{
  g_autoptr(ConfabSignalServer) server = confab_signal_server_new ();
  g_autoptr(GError) error = NULL;

  if (rate >= 0)
    confab_signal_server_set_rate (server, rate);
  confab_signal_server_listen (server, "127.0.0.1", port, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confab_signal_server_get_bound_port (server), >, 0);

  return g_steal_pointer (&server);
}

char *
test_server_url (guint port)
{
  return g_strdup_printf ("ws://127.0.0.1:%u", port);
}

void
test_stop_server (ConfabSignalServer *server)
{
  confab_signal_server_stop (server);
  test_wait_for ("the server's clients to close",
                 confab_signal_server_get_n_clients (server) == 0);
  g_object_unref (server);
}

struct _TestServerThread
{
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  GMutex        mutex;
  GCond         cond;
  double        rate;
  guint         port;
  gboolean      started;
  gboolean      frozen;
  int           done;
};

static gpointer
server_thread_func (gpointer data)
{
  TestServerThread *st = data;
  g_autoptr(ConfabSignalServer) server = NULL;

  g_main_context_push_thread_default (st->context);
  server = test_start_server (0, st->rate);

  g_mutex_lock (&st->mutex);
  st->port = confab_signal_server_get_bound_port (server);
  st->started = TRUE;
  g_cond_signal (&st->cond);
  g_mutex_unlock (&st->mutex);

  g_main_loop_run (st->loop);

  test_stop_server (g_steal_pointer (&server));
  g_main_context_pop_thread_default (st->context);

  /* The test's thread iterates its own context meanwhile: wake it up to
   * see that the server is gone. */
  g_atomic_int_set (&st->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

TestServerThread *
test_server_thread_start (double rate)
{
  TestServerThread *st = g_new0 (TestServerThread, 1);

  st->rate = rate;
  st->context = g_main_context_new ();
  st->loop = g_main_loop_new (st->context, FALSE);
  g_mutex_init (&st->mutex);
  g_cond_init (&st->cond);
  st->thread = g_thread_new ("signal-server", server_thread_func, st);

  g_mutex_lock (&st->mutex);
  while (!st->started)
    g_cond_wait (&st->cond, &st->mutex);
  g_mutex_unlock (&st->mutex);

  return st;
}

guint
test_server_thread_get_port (TestServerThread *st)
{
  return st->port;
}

char *
test_server_thread_get_url (TestServerThread *st)
{
  return test_server_url (st->port);
}

static gboolean
server_thread_frozen_cb (gpointer data)
{
  TestServerThread *st = data;

  g_mutex_lock (&st->mutex);
  while (st->frozen)
    g_cond_wait (&st->cond, &st->mutex);
  g_mutex_unlock (&st->mutex);

  return G_SOURCE_REMOVE;
}

void
test_server_thread_set_frozen (TestServerThread *st,
                               gboolean          frozen)
{
  g_mutex_lock (&st->mutex);
  st->frozen = frozen;
  g_cond_broadcast (&st->cond);
  g_mutex_unlock (&st->mutex);

  if (frozen)
    g_main_context_invoke (st->context, server_thread_frozen_cb, st);
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);

  return G_SOURCE_REMOVE;
}

void
test_server_thread_stop (TestServerThread *st)
{
  test_server_thread_set_frozen (st, FALSE);
  g_main_context_invoke (st->context, quit_loop_cb, st->loop);
  test_wait_for ("the server's thread to stop", g_atomic_int_get (&st->done));
  g_thread_join (st->thread);

  g_main_loop_unref (st->loop);
  g_main_context_unref (st->context);
  g_mutex_clear (&st->mutex);
  g_cond_clear (&st->cond);
  g_free (st);
}
