/* confab-store-schema.c: opening, migrating and moving aside the database
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "confab-store-private.h"

#define DATABASE_NAME "confab.db"

/* The schema, one step a version: step i takes a database from version i
 * to version i + 1 (PRAGMA user_version).  Steps are only ever added at
 * the end; a released one never changes, since databases out there were
 * made by it. */
static const char * const migrations[] = {
  /* 1: accounts, conversations, messages and the outbox.  Messages are
   * paged by (conversation_id, id), so that opening a conversation reads
   * only its last page whatever its length.  AUTOINCREMENT keeps the
   * highest id ever given in sqlite_sequence, so that an id is never given
   * twice, even after its message was deleted. */
  "CREATE TABLE accounts ("
  "  id INTEGER PRIMARY KEY,"
  "  server_url TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  UNIQUE (server_url, name));"
  "CREATE TABLE conversations ("
  "  id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id),"
  "  peer TEXT NOT NULL,"
  "  unread INTEGER NOT NULL DEFAULT 0,"
  "  last_activity INTEGER NOT NULL DEFAULT 0,"
  "  last_message_id INTEGER,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  UNIQUE (account_id, peer));"
  "CREATE INDEX conversations_by_activity ON conversations (account_id, last_activity);"
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id),"
  "  direction INTEGER NOT NULL,"
  "  state INTEGER NOT NULL,"
  "  time INTEGER NOT NULL,"
  "  text TEXT NOT NULL);"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, id);"
  "CREATE TABLE outbox ("
  "  message_id INTEGER PRIMARY KEY REFERENCES messages (id),"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id));"
  "CREATE INDEX outbox_by_conversation ON outbox (conversation_id, message_id);",

  /* 2: full-text search.  External content: the text is kept once, in
   * messages, and the index only points at it; the triggers keep the two
   * in step, and 'rebuild' indexes what version 1 stored.  Each message
   * is also indexed under a token naming its conversation ("c42"), so
   * that a search in one conversation walks only that conversation's
   * matches instead of the account's.  No column sizes: they serve only
   * bm25 ranking, and results come newest first. */
  "CREATE VIEW message_fts_content AS"
  "  SELECT id, text, 'c' || conversation_id AS conversation FROM messages;"
  "CREATE VIRTUAL TABLE message_fts USING fts5 ("
  "  text, conversation, content='message_fts_content', content_rowid='id', columnsize=0,"
  "  tokenize='unicode61 remove_diacritics 2');"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
  "  INSERT INTO message_fts (rowid, text, conversation)"
  "    VALUES (new.id, new.text, 'c' || new.conversation_id);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  INSERT INTO message_fts (message_fts, rowid, text, conversation)"
  "    VALUES ('delete', old.id, old.text, 'c' || old.conversation_id);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, conversation_id ON messages BEGIN"
  "  INSERT INTO message_fts (message_fts, rowid, text, conversation)"
  "    VALUES ('delete', old.id, old.text, 'c' || old.conversation_id);"
  "  INSERT INTO message_fts (rowid, text, conversation)"
  "    VALUES (new.id, new.text, 'c' || new.conversation_id);"
  "END;"
  "INSERT INTO message_fts (message_fts) VALUES ('rebuild');",
};

GError *
_confab_store_error_from_sqlite (sqlite3 *db,
                                 int      rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return g_error_new_literal (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_DISK_FULL,
                                  _("The disk is full, so this could not be saved. "
                                    "Free some space on the disk."));

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return g_error_new_literal (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY,
                                  _("The history cannot be written to, so this could not be saved."));

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return g_error_new_literal (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                                  _("The history is damaged, so this could not be read or saved. "
                                    "Restart Confab to set the damaged file aside."));

    default:
      return g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                          _("The history could not be read or saved: %s."),
                          db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
    }
}

static int
exec (sqlite3    *db,
      const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

static int
read_user_version (sqlite3 *db,
                   int     *version)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *version = sqlite3_column_int (stmt, 0);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  return rc;
}

/* Takes @db from its version to the latest, a transaction a step, so that
 * a migration cut short leaves the last version it reached. */
static int
migrate (sqlite3 *db,
         int      version)
{
  for (int step = version; step < (int) G_N_ELEMENTS (migrations); step++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", step + 1);
      int rc;

      if ((rc = exec (db, "BEGIN IMMEDIATE")) != SQLITE_OK)
        return rc;
      if ((rc = exec (db, migrations[step])) != SQLITE_OK ||
          (rc = exec (db, set_version)) != SQLITE_OK ||
          (rc = exec (db, "COMMIT")) != SQLITE_OK)
        {
          exec (db, "ROLLBACK");
          return rc;
        }
    }

  return SQLITE_OK;
}

static int
read_next_id (sqlite3 *db,
              gint64  *next_id)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *next_id = 1;
  rc = sqlite3_prepare_v2 (db, "SELECT seq FROM sqlite_sequence WHERE name = 'messages'",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *next_id = sqlite3_column_int64 (stmt, 0) + 1;
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Never fails: nothing of memory touches the disk (temp_store too). */
static void
open_in_memory (StoreOpened *opened)
{
  int rc;

  rc = sqlite3_open_v2 (":memory:", &opened->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  g_assert (rc == SQLITE_OK);
  exec (opened->db, "PRAGMA temp_store = MEMORY");
  rc = migrate (opened->db, 0);
  g_assert (rc == SQLITE_OK);
  opened->path = NULL;
  opened->next_id = 1;
}

/* Why a file was set aside, for its name: confab.db.corrupt-20261202-180000. */
static char *
move_aside (const char  *path,
            const char  *why,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = NULL;
  static const char * const companions[] = { "-wal", "-shm", "-journal" };

  /* Two failures within a second must not overwrite the first file. */
  for (guint n = 0; aside == NULL || g_file_test (aside, G_FILE_TEST_EXISTS); n++)
    {
      g_free (aside);
      aside = n == 0 ? g_strdup_printf ("%s.%s-%s", path, why, stamp)
                     : g_strdup_printf ("%s.%s-%s.%u", path, why, stamp, n);
    }

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return NULL;
    }

  /* Its write-ahead log may hold the last transactions: it goes along,
   * under the name SQLite looks for next to the moved file. */
  for (guint i = 0; i < G_N_ELEMENTS (companions); i++)
    {
      g_autofree char *from = g_strconcat (path, companions[i], NULL);
      g_autofree char *to = g_strconcat (aside, companions[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }

  return g_steal_pointer (&aside);
}

static GError *
error_from_errno (int         saved_errno,
                  const char *directory)
{
  switch (saved_errno)
    {
    case EACCES:
    case EPERM:
    case EROFS:
      return g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY,
                          _("Confab cannot write to its history in %s, so messages will "
                            "not be kept this time. Make the folder writable and restart Confab."),
                          directory);

    case ENOSPC:
    case EDQUOT:
      return g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_DISK_FULL,
                          _("The disk holding %s is full, so messages will not be kept this "
                            "time. Free some space and restart Confab."),
                          directory);

    default:
      return g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                          _("Confab cannot open its history in %s (%s), so messages will "
                            "not be kept this time."),
                          directory, g_strerror (saved_errno));
    }
}

typedef enum
{
  OPEN_OK,
  OPEN_MOVE_ASIDE,   /* the file is unusable as it is: set it aside, start anew */
  OPEN_GIVE_UP,      /* the file may be fine, we just cannot use it now */
} OpenOutcome;

static OpenOutcome
open_file (const char   *directory,
           const char   *path,
           StoreOpened  *opened,
           GError      **error)
{
  sqlite3 *db = NULL;
  int version = 0;
  int fd;
  int rc;

  /* Made here rather than by SQLite, whose files are 0644: the -wal and
   * -shm files take the database file's mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_propagate_error (error, error_from_errno (errno, directory));
      return OPEN_GIVE_UP;
    }
  close (fd);

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      /* A second Confab on the same folder writes now and then too. */
      sqlite3_busy_timeout (db, 5000);
      rc = read_user_version (db, &version);
    }

  if (rc == SQLITE_OK && version > (int) G_N_ELEMENTS (migrations))
    {
      sqlite3_close (db);
      g_set_error_literal (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_TOO_NEW, "newer");
      return OPEN_MOVE_ASIDE;
    }

  /* FULL: a transaction reported committed is on the disk, not only in
   * the kernel's cache, so a power cut loses nothing shown either.  WAL
   * makes that one fsync a transaction, and batching makes transactions
   * few. */
  if (rc == SQLITE_OK)
    rc = exec (db, "PRAGMA journal_mode = WAL");
  if (rc == SQLITE_OK)
    rc = exec (db, "PRAGMA synchronous = FULL");
  /* A burst makes a large transaction and the log grows to hold it; after
   * the next checkpoint it is cut back to this rather than kept at its
   * largest for as long as Confab runs. */
  if (rc == SQLITE_OK)
    rc = exec (db, "PRAGMA journal_size_limit = 4194304");
  if (rc == SQLITE_OK)
    rc = migrate (db, version);
  if (rc == SQLITE_OK)
    rc = read_next_id (db, &opened->next_id);

  if (rc == SQLITE_OK)
    {
      opened->db = db;
      opened->path = g_strdup (path);
      return OPEN_OK;
    }

  g_propagate_error (error, _confab_store_error_from_sqlite (db, rc));
  sqlite3_close (db);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return OPEN_MOVE_ASIDE;

    default:
      return OPEN_GIVE_UP;
    }
}

gboolean
_confab_store_schema_open (const char   *directory,
                           StoreOpened  *opened,
                           GError      **error)
{
  g_autofree char *path = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) move_error = NULL;
  gboolean too_new;

  memset (opened, 0, sizeof *opened);

  if (directory == NULL)
    {
      open_in_memory (opened);
      return TRUE;
    }

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      g_propagate_error (error, error_from_errno (errno, directory));
      open_in_memory (opened);
      return FALSE;
    }
  /* Someone else's messages are in there: keep the folder ours alone. */
  g_chmod (directory, 0700);

  path = g_build_filename (directory, DATABASE_NAME, NULL);

  switch (open_file (directory, path, opened, &local_error))
    {
    case OPEN_OK:
      return TRUE;

    case OPEN_GIVE_UP:
      if (g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY))
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY,
                     _("Confab cannot write to its history in %s, so messages will not be "
                       "kept this time. Make the folder and the file writable and restart Confab."),
                     path);
      else if (g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_DISK_FULL))
        g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_DISK_FULL,
                     _("The disk holding %s is full, so messages will not be kept this time. "
                       "Free some space and restart Confab."),
                     path);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      open_in_memory (opened);
      return FALSE;

    case OPEN_MOVE_ASIDE:
    default:
      break;
    }

  too_new = g_error_matches (local_error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_TOO_NEW);
  aside = move_aside (path, too_new ? "newer" : "corrupt", &move_error);

  if (aside == NULL)
    {
      g_set_error (error, CONFAB_STORE_ERROR, local_error->code,
                   _("Confab’s history in %s cannot be used (%s) nor moved aside (%s), so "
                     "messages will not be kept this time."),
                   path, local_error->message, move_error->message);
      open_in_memory (opened);
      return FALSE;
    }

  if (too_new)
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_TOO_NEW,
                 _("Confab’s history was written by a newer version of Confab. It was "
                   "moved to %s and Confab starts a new history."),
                 aside);
  else
    g_set_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_CORRUPT,
                 _("Confab’s history was damaged. It was moved to %s and Confab starts "
                   "a new history."),
                 aside);

  g_clear_error (&local_error);
  if (open_file (directory, path, opened, &local_error) != OPEN_OK)
    open_in_memory (opened);

  return FALSE;
}
