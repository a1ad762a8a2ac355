/* confab-store-private.h: what ConfabStore's files share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "confab-store.h"

G_BEGIN_DECLS

/* Private to ConfabStore: confab-store.c is the GObject and runs on the
 * caller's main context; confab-store-worker.c is the thread that owns the
 * connection; confab-store-schema.c opens, migrates and, when it must,
 * moves a database aside. */

typedef enum
{
  STORE_REQUEST_OPEN,
  STORE_REQUEST_ADD_MESSAGE,
  STORE_REQUEST_SET_DELIVERY_STATE,
  STORE_REQUEST_MARK_READ,
  STORE_REQUEST_DELETE_CONVERSATION,
  STORE_REQUEST_RESTORE_CONVERSATION,
  STORE_REQUEST_PURGE_DELETED,
  STORE_REQUEST_CLEAR_ACCOUNT,
  /* Reads from here on: they end a batch of writes. */
  STORE_REQUEST_LIST_CONVERSATIONS,
  STORE_REQUEST_LOAD_MESSAGES,
  STORE_REQUEST_SEARCH,
  STORE_REQUEST_LIST_OUTBOX,
  STORE_REQUEST_LIST_OUTBOX_PEERS,
  STORE_REQUEST_QUIT,
} StoreRequestKind;

/* One call, from the caller's thread to the worker.  Owned by the worker
 * once pushed; the task carries the answer back. */
typedef struct
{
  StoreRequestKind     kind;
  GTask               *task;       /* NULL for QUIT */
  char                *server_url;
  char                *username;
  char                *peer;
  ConfabChatMessage   *message;    /* ADD_MESSAGE */
  ConfabStoreAddFlags  flags;      /* ADD_MESSAGE */
  guint64              id;         /* SET_DELIVERY_STATE; LOAD_MESSAGES' before_id */
  ConfabDeliveryState  state;      /* SET_DELIVERY_STATE */
  guint                limit;      /* LOAD_MESSAGES, SEARCH */
  char                *query;      /* SEARCH */
  char                *directory;  /* OPEN */

  /* Filled in by a write while its batch runs, reported after COMMIT. */
  GError              *error;
} StoreRequest;

/* What opening gave: the connection, where it lives, and what went wrong. */
typedef struct
{
  sqlite3 *db;
  char    *path;       /* NULL in memory */
  gint64   next_id;    /* the first message id never given */
} StoreOpened;

typedef struct _StoreWorker StoreWorker;
/* The connection, its prepared statements and the SQL of each call. */
typedef struct _StoreQueries StoreQueries;

StoreRequest *_confab_store_request_new      (StoreRequestKind   kind,
                                              GTask             *task);
void          _confab_store_request_free     (StoreRequest      *request);

StoreWorker  *_confab_store_worker_new       (void);
void          _confab_store_worker_push      (StoreWorker       *worker,
                                              StoreRequest      *request);
/* Finishes what was pushed, then ends the thread and frees the worker. */
void          _confab_store_worker_free      (StoreWorker       *worker);

/* confab-store-queries.c, on the worker thread.  A write runs inside the
 * transaction the worker opened: a failure of the database comes back as
 * its SQLite code, a mistake of the caller's (no such message) as
 * request->error with SQLITE_OK, so that the rest of its batch goes on.  A
 * read returns its result on request->task itself, or a code. */
StoreQueries *_confab_store_queries_new        (sqlite3           *db);
void          _confab_store_queries_free       (StoreQueries      *queries);
sqlite3      *_confab_store_queries_get_db     (StoreQueries      *queries);
int           _confab_store_queries_write      (StoreQueries      *queries,
                                                StoreRequest      *request);
int           _confab_store_queries_read       (StoreQueries      *queries,
                                                StoreRequest      *request);
int           _confab_store_queries_purge_deleted (StoreQueries   *queries);
/* After a rollback: ids it made are gone. */
void          _confab_store_queries_forget_ids (StoreQueries      *queries);

/* On the worker thread.  Always gives a working connection in @opened
 * (in memory when the database could not be used), and FALSE with @error
 * saying why to a person when it had to fall back. */
gboolean      _confab_store_schema_open      (const char        *directory,
                                              StoreOpened       *opened,
                                              GError           **error);
/* A GError in CONFAB_STORE_ERROR for what SQLite said (@rc) while doing
 * @what, a sentence for a person. */
GError       *_confab_store_error_from_sqlite (sqlite3          *db,
                                               int               rc);

/* Stable codes on disk for ConfabDeliveryState: the enum may grow. */
int                 _confab_store_state_to_code   (ConfabDeliveryState state);
ConfabDeliveryState _confab_store_state_from_code (int                 code);

/* Microseconds since the epoch, UTC, as stored. */
gint64              _confab_store_time_to_usec    (GDateTime          *time);
GDateTime          *_confab_store_time_from_usec  (gint64              usec);

G_END_DECLS
