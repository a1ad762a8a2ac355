/* confab-store-worker.c: the thread that owns ConfabStore's connection
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-store-private.h"

/* A batch takes what was queued while the last one committed, up to this:
 * enough to make one fsync serve thousands of messages, few enough that
 * the first of them is not kept waiting long. */
#define MAX_BATCH 4096

struct _StoreWorker
{
  GThread      *thread;
  GAsyncQueue  *queue;        /* StoreRequest */

  /* Only the thread touches it; NULL until OPEN. */
  StoreQueries *queries;

  /* The store went away on this thread (see _confab_store_worker_free()):
   * nobody joins it, so it frees the worker itself. */
  gboolean      detached;
};

StoreRequest *
_confab_store_request_new (StoreRequestKind  kind,
                           GTask            *task)
{
  StoreRequest *request = g_new0 (StoreRequest, 1);

  request->kind = kind;
  request->task = task != NULL ? g_object_ref (task) : NULL;

  return request;
}

void
_confab_store_request_free (StoreRequest *request)
{
  g_clear_object (&request->task);
  g_clear_object (&request->message);
  g_free (request->server_url);
  g_free (request->username);
  g_free (request->peer);
  g_free (request->query);
  g_free (request->directory);
  g_clear_error (&request->error);
  g_free (request);
}

static gboolean
request_is_write (StoreRequest *request)
{
  return request->kind >= STORE_REQUEST_ADD_MESSAGE &&
         request->kind <= STORE_REQUEST_CLEAR_ACCOUNT;
}

static GError *
error_from_sqlite (StoreWorker *w,
                   int          rc)
{
  return _confab_store_error_from_sqlite (_confab_store_queries_get_db (w->queries), rc);
}

static int
exec (StoreWorker *w,
      const char  *sql)
{
  return sqlite3_exec (_confab_store_queries_get_db (w->queries), sql, NULL, NULL, NULL);
}

static void
rollback (StoreWorker *w)
{
  exec (w, "ROLLBACK");
  _confab_store_queries_forget_ids (w->queries);
}

/* Runs @requests in one transaction.  Returns the database's failure, in
 * which case nothing of them was kept. */
static int
run_transaction (StoreWorker  *w,
                 StoreRequest **requests,
                 guint          n_requests)
{
  int rc;

  if ((rc = exec (w, "BEGIN IMMEDIATE")) != SQLITE_OK)
    return rc;

  for (guint i = 0; i < n_requests; i++)
    {
      StoreRequest *r = requests[i];

      g_clear_error (&r->error);
      if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (r->task), &r->error))
        continue;
      if ((rc = _confab_store_queries_write (w->queries, r)) != SQLITE_OK)
        {
          rollback (w);
          return rc;
        }
    }

  if ((rc = exec (w, "COMMIT")) != SQLITE_OK)
    rollback (w);

  return rc;
}

static void
complete_write (StoreRequest *r)
{
  if (r->error != NULL)
    g_task_return_error (r->task, g_steal_pointer (&r->error));
  else
    g_task_return_boolean (r->task, TRUE);
}

static void
run_batch (StoreWorker *w,
           GPtrArray   *batch)
{
  StoreRequest **requests = (StoreRequest **) batch->pdata;

  if (run_transaction (w, requests, batch->len) != SQLITE_OK)
    {
      /* One of them did not fit (a full disk, say): each on its own, so
       * that only what really failed is reported failed. */
      for (guint i = 0; i < batch->len; i++)
        {
          int rc = run_transaction (w, &requests[i], 1);

          if (rc != SQLITE_OK)
            {
              g_clear_error (&requests[i]->error);
              requests[i]->error = error_from_sqlite (w, rc);
            }
        }
    }

  for (guint i = 0; i < batch->len; i++)
    complete_write (requests[i]);
}

static void
run_open (StoreWorker  *w,
          StoreRequest *r)
{
  StoreOpened *opened = g_new0 (StoreOpened, 1);
  GError *error = NULL;

  _confab_store_schema_open (r->directory, opened, &error);
  w->queries = _confab_store_queries_new (g_steal_pointer (&opened->db));

  /* Deleted conversations whose undo was never used: gone for good now. */
  if (exec (w, "BEGIN IMMEDIATE") == SQLITE_OK)
    {
      if (_confab_store_queries_purge_deleted (w->queries) == SQLITE_OK)
        exec (w, "COMMIT");
      else
        rollback (w);
    }

  /* The error rides along: the store is open either way. */
  if (error != NULL)
    g_task_set_task_data (r->task, error, (GDestroyNotify) g_error_free);
  g_task_return_pointer (r->task, opened, NULL);
}

static void
run_read (StoreWorker  *w,
          StoreRequest *r)
{
  int rc;

  if (g_task_return_error_if_cancelled (r->task))
    return;

  if (r->kind == STORE_REQUEST_OPEN)
    {
      run_open (w, r);
      return;
    }

  rc = _confab_store_queries_read (w->queries, r);
  if (rc != SQLITE_OK)
    g_task_return_error (r->task, error_from_sqlite (w, rc));
}

static void
worker_free_data (StoreWorker *w)
{
  g_async_queue_unref (w->queue);
  g_thread_unref (w->thread);
  g_free (w);
}

static gpointer
worker_thread (gpointer data)
{
  StoreWorker *w = data;
  StoreRequest *held = NULL;

  for (;;)
    {
      StoreRequest *r = held != NULL ? held : g_async_queue_pop (w->queue);

      held = NULL;

      if (r->kind == STORE_REQUEST_QUIT)
        {
          _confab_store_request_free (r);
          break;
        }

      if (request_is_write (r))
        {
          g_autoptr(GPtrArray) batch = NULL;

          batch = g_ptr_array_new_with_free_func ((GDestroyNotify) _confab_store_request_free);

          g_ptr_array_add (batch, r);
          while (batch->len < MAX_BATCH && (r = g_async_queue_try_pop (w->queue)) != NULL)
            {
              /* Calls run in the order they were made: a read waits for
               * the writes before it to be committed. */
              if (!request_is_write (r))
                {
                  held = r;
                  break;
                }
              g_ptr_array_add (batch, r);
            }
          run_batch (w, batch);
        }
      else
        {
          run_read (w, r);
          _confab_store_request_free (r);
        }
    }

  g_clear_pointer (&w->queries, _confab_store_queries_free);

  if (w->detached)
    worker_free_data (w);

  return NULL;
}

StoreWorker *
_confab_store_worker_new (void)
{
  StoreWorker *w = g_new0 (StoreWorker, 1);

  w->queue = g_async_queue_new ();
  w->thread = g_thread_new ("confab-store", worker_thread, w);

  return w;
}

void
_confab_store_worker_push (StoreWorker  *worker,
                           StoreRequest *request)
{
  g_async_queue_push (worker->queue, request);
}

void
_confab_store_worker_free (StoreWorker *worker)
{
  /* A task's last reference, and with it the store's, may go on the
   * thread itself, when the caller was done with the result before the
   * thread let go of it: a thread cannot join itself, so it finishes the
   * queue (only QUIT is left in it) and frees itself. */
  if (g_thread_self () == worker->thread)
    {
      worker->detached = TRUE;
      _confab_store_worker_push (worker, _confab_store_request_new (STORE_REQUEST_QUIT, NULL));
      return;
    }

  _confab_store_worker_push (worker, _confab_store_request_new (STORE_REQUEST_QUIT, NULL));
  g_thread_join (g_thread_ref (worker->thread));
  worker_free_data (worker);
}
