/* test-store.c: ConfabStore and ConfabMessageHistory on a real SQLite file
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "confab-conversation-summary.h"
#include "confab-message-history.h"
#include "confab-search-result.h"
#include "confab-store.h"
#include "test-support.h"

/* The test's own connections wait this long for the store's: a store's
 * last reference may go on its thread (when a task outlives the
 * caller's use of it), and then the file closes a moment after
 * g_object_unref() returned rather than during it. */
#define TEST_BUSY_TIMEOUT_MS 10000

typedef struct
{
  const char *url;
  const char *name;
} Account;

static const Account alice = { "ws://chat.example:3000", "alice" };
/* The same name on another server is another account. */
static const Account alice_elsewhere = { "ws://other.example:3000", "alice" };

typedef struct
{
  char *dir;         /* a temporary directory, removed afterwards */
  char *data_dir;    /* dir/data: where the store lives */
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      g_chmod (path, 0700);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  /* A test's subprocess works in the directory its parent made. */
  if (g_test_subprocess ())
    return;

  fixture->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->dir != NULL)
    remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
}

static ConfabStore *
open_store (const char  *directory,
            GError     **error)
{
  g_autoptr(ConfabStore) store = confab_store_new (directory);
  g_autoptr(GAsyncResult) result = NULL;

  confab_store_open_async (store, NULL, test_store_result_cb, &result);
  confab_store_open_finish (store, test_wait_for_result (&result), error);

  return g_steal_pointer (&store);
}

static ConfabStore *
open_store_ok (const char *directory)
{
  g_autoptr(GError) error = NULL;
  ConfabStore *store = open_store (directory, &error);

  g_assert_no_error (error);

  return store;
}

static ConfabChatMessage *
add_message_full (ConfabStore                *store,
                  const Account              *account,
                  const char                 *peer,
                  ConfabChatMessageDirection  direction,
                  const char                 *text,
                  ConfabStoreAddFlags         flags,
                  GError                    **error)
{
  g_autoptr(ConfabChatMessage) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  message = confab_store_new_message (store, direction,
                                      direction == CONFAB_CHAT_MESSAGE_OUTGOING ? account->name : peer,
                                      text, NULL);
  confab_store_add_message_async (store, account->url, account->name, peer, message, flags,
                                  NULL, test_store_result_cb, &result);
  if (!confab_store_add_message_finish (store, test_wait_for_result (&result), error))
    return NULL;

  return g_steal_pointer (&message);
}

static ConfabChatMessage *
add_message (ConfabStore                *store,
             const Account              *account,
             const char                 *peer,
             ConfabChatMessageDirection  direction,
             const char                 *text)
{
  g_autoptr(GError) error = NULL;
  ConfabChatMessage *message;

  message = add_message_full (store, account, peer, direction, text, CONFAB_STORE_ADD_NONE, &error);
  g_assert_no_error (error);

  return message;
}

/* The same, for when the message itself is not needed afterwards. */
static void
put (ConfabStore                *store,
     const Account              *account,
     const char                 *peer,
     ConfabChatMessageDirection  direction,
     const char                 *text)
{
  g_object_unref (add_message (store, account, peer, direction, text));
}

static void
put_full (ConfabStore                *store,
          const Account              *account,
          const char                 *peer,
          ConfabChatMessageDirection  direction,
          const char                 *text,
          ConfabStoreAddFlags         flags)
{
  g_autoptr(GError) error = NULL;

  g_object_unref (add_message_full (store, account, peer, direction, text, flags, &error));
  g_assert_no_error (error);
}

/* Adds @n messages "PREFIX i" at once, as a burst, and waits for all. */
typedef struct
{
  guint   pending;
  guint   failed;
} Burst;

static void
burst_added_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_store_add_message_finish (CONFAB_STORE (object), result, &error))
    burst->failed++;
  burst->pending--;
}

static void
add_burst (ConfabStore   *store,
           const Account *account,
           const char    *peer,
           const char    *prefix,
           guint          n)
{
  Burst burst = { 0, 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s %u", prefix, i);
      g_autoptr(ConfabChatMessage) message = NULL;

      message = confab_store_new_message (store,
                                          i % 2 ? CONFAB_CHAT_MESSAGE_INCOMING
                                                : CONFAB_CHAT_MESSAGE_OUTGOING,
                                          i % 2 ? peer : account->name, text, NULL);
      burst.pending++;
      confab_store_add_message_async (store, account->url, account->name, peer, message,
                                      CONFAB_STORE_ADD_READ, NULL, burst_added_cb, &burst);
    }

  while (burst.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (burst.failed, ==, 0);
}

static GPtrArray *
load_messages (ConfabStore   *store,
               const Account *account,
               const char    *peer,
               guint64        before_id,
               guint          limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *messages;

  confab_store_load_messages_async (store, account->url, account->name, peer, before_id, limit,
                                    NULL, test_store_result_cb, &result);
  messages = confab_store_load_messages_finish (store, test_wait_for_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (messages);

  return messages;
}

static GListModel *
list_conversations (ConfabStore   *store,
                    const Account *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *list;

  confab_store_list_conversations_async (store, account->url, account->name,
                                         NULL, test_store_result_cb, &result);
  list = confab_store_list_conversations_finish (store, test_wait_for_result (&result), &error);
  g_assert_no_error (error);

  return list;
}

static GListModel *
search (ConfabStore   *store,
        const Account *account,
        const char    *peer,
        const char    *query)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *results;

  confab_store_search_async (store, account->url, account->name, peer, query, 50,
                             NULL, test_store_result_cb, &result);
  results = confab_store_search_finish (store, test_wait_for_result (&result), &error);
  g_assert_no_error (error);

  return results;
}

static GPtrArray *
list_outbox (ConfabStore   *store,
             const Account *account,
             const char    *peer)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *outbox;

  confab_store_list_outbox_async (store, account->url, account->name, peer,
                                  NULL, test_store_result_cb, &result);
  outbox = confab_store_list_outbox_finish (store, test_wait_for_result (&result), &error);
  g_assert_no_error (error);

  return outbox;
}

/* Runs a call that completes with a boolean: "delete", "restore",
 * "purge", "clear", "mark-read". */
static gboolean
run_boolean (ConfabStore   *store,
             const char    *what,
             const Account *account,
             const char    *peer,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (g_str_equal (what, "delete"))
    {
      confab_store_delete_conversation_async (store, account->url, account->name, peer,
                                              NULL, test_store_result_cb, &result);
      return confab_store_delete_conversation_finish (store, test_wait_for_result (&result), error);
    }
  if (g_str_equal (what, "restore"))
    {
      confab_store_restore_conversation_async (store, account->url, account->name, peer,
                                               NULL, test_store_result_cb, &result);
      return confab_store_restore_conversation_finish (store, test_wait_for_result (&result), error);
    }
  if (g_str_equal (what, "purge"))
    {
      confab_store_purge_deleted_async (store, NULL, test_store_result_cb, &result);
      return confab_store_purge_deleted_finish (store, test_wait_for_result (&result), error);
    }
  if (g_str_equal (what, "clear"))
    {
      confab_store_clear_account_async (store, account->url, account->name,
                                        NULL, test_store_result_cb, &result);
      return confab_store_clear_account_finish (store, test_wait_for_result (&result), error);
    }
  if (g_str_equal (what, "mark-read"))
    {
      confab_store_mark_read_async (store, account->url, account->name, peer,
                                    NULL, test_store_result_cb, &result);
      return confab_store_mark_read_finish (store, test_wait_for_result (&result), error);
    }
  g_assert_not_reached ();
}

static void
set_delivery_state (ConfabStore         *store,
                    guint64              id,
                    ConfabDeliveryState  state)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_store_set_delivery_state_async (store, id, state, NULL, test_store_result_cb, &result);
  confab_store_set_delivery_state_finish (store, test_wait_for_result (&result), &error);
  g_assert_no_error (error);
}

static const char *
message_text (GPtrArray *messages,
              guint      i)
{
  return confab_chat_message_get_text (g_ptr_array_index (messages, i));
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

/* Reads one integer with a connection of the test's own. */
static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, TEST_BUSY_TIMEOUT_MS);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static void
test_schema (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *nested = g_build_filename (fixture->data_dir, "confab", NULL);
  g_autofree char *path = g_build_filename (nested, "confab.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(ConfabStore) store = open_store_ok (nested);
  g_autoptr(ConfabChatMessage) message = NULL;

  g_assert_cmpstr (confab_store_get_directory (store), ==, nested);
  g_assert_cmpstr (confab_store_get_path (store), ==, path);
  g_assert_true (confab_store_get_persistent (store));

  message = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "hi");
  assert_mode (nested, 0700);
  assert_mode (path, 0600);
  assert_mode (wal, 0600);

  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 2);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'message_fts'"), ==, 1);
}

/* Version 1, as it was released: no search index yet. */
static const char schema_v1[] =
  "CREATE TABLE accounts (id INTEGER PRIMARY KEY, server_url TEXT NOT NULL,"
  "  name TEXT NOT NULL, UNIQUE (server_url, name));"
  "CREATE TABLE conversations (id INTEGER PRIMARY KEY,"
  "  account_id INTEGER NOT NULL REFERENCES accounts (id), peer TEXT NOT NULL,"
  "  unread INTEGER NOT NULL DEFAULT 0, last_activity INTEGER NOT NULL DEFAULT 0,"
  "  last_message_id INTEGER, deleted INTEGER NOT NULL DEFAULT 0, UNIQUE (account_id, peer));"
  "CREATE INDEX conversations_by_activity ON conversations (account_id, last_activity);"
  "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id),"
  "  direction INTEGER NOT NULL, state INTEGER NOT NULL, time INTEGER NOT NULL,"
  "  text TEXT NOT NULL);"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id, id);"
  "CREATE TABLE outbox (message_id INTEGER PRIMARY KEY REFERENCES messages (id),"
  "  conversation_id INTEGER NOT NULL REFERENCES conversations (id));"
  "CREATE INDEX outbox_by_conversation ON outbox (conversation_id, message_id);"
  "INSERT INTO accounts VALUES (1, 'ws://chat.example:3000', 'alice');"
  "INSERT INTO conversations VALUES (1, 1, 'bob', 1, 1700000000000000, 7, 0);"
  "INSERT INTO messages VALUES (7, 1, 0, 2, 1700000000000000, 'written before search existed');"
  "PRAGMA user_version = 1;";

static void
write_database (const char *directory,
                const char *sql)
{
  g_autofree char *path = g_build_filename (directory, "confab.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (directory, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, TEST_BUSY_TIMEOUT_MS);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_migration (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(ConfabChatMessage) added = NULL;

  write_database (fixture->data_dir, schema_v1);
  store = open_store_ok (fixture->data_dir);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 2);

  /* What version 1 kept is found by version 2's index. */
  results = search (store, &alice, NULL, "search");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);

  messages = load_messages (store, &alice, "bob", 0, 50);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpuint (confab_chat_message_get_id (g_ptr_array_index (messages, 0)), ==, 7);
  g_assert_cmpstr (message_text (messages, 0), ==, "written before search existed");

  /* Ids go on from the highest ever given. */
  added = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "new");
  g_assert_cmpuint (confab_chat_message_get_id (added), >, 7);
}

static void
test_accounts_apart (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) theirs = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GListModel) other_list = NULL;

  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "to bob here");
  put (store, &alice_elsewhere, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "to the other bob");
  put (store, &alice_elsewhere, "carol", CONFAB_CHAT_MESSAGE_INCOMING, "from carol");

  mine = load_messages (store, &alice, "bob", 0, 50);
  theirs = load_messages (store, &alice_elsewhere, "bob", 0, 50);
  g_assert_cmpuint (mine->len, ==, 1);
  g_assert_cmpstr (message_text (mine, 0), ==, "to bob here");
  g_assert_cmpuint (theirs->len, ==, 1);
  g_assert_cmpstr (message_text (theirs, 0), ==, "to the other bob");

  list = list_conversations (store, &alice);
  other_list = list_conversations (store, &alice_elsewhere);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (other_list), ==, 2);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GDateTime) time = g_date_time_new_utc (2026, 3, 4, 5, 6, 7.654321);
  g_autoptr(ConfabChatMessage) sent = NULL;
  g_autoptr(ConfabChatMessage) failed = NULL;
  g_autoptr(ConfabChatMessage) received = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  ConfabChatMessage *m;

  received = confab_store_new_message (store, CONFAB_CHAT_MESSAGE_INCOMING, "bob",
                                       "héllo\nsecond line", time);
  confab_store_add_message_async (store, alice.url, alice.name, "bob", received,
                                  CONFAB_STORE_ADD_NONE, NULL, test_store_result_cb, &result);
  g_assert_true (confab_store_add_message_finish (store, test_wait_for_result (&result), &error));
  g_assert_no_error (error);
  sent = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "delivered one");
  failed = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "failed one");
  g_assert_cmpuint (confab_chat_message_get_id (received), <, confab_chat_message_get_id (sent));

  set_delivery_state (store, confab_chat_message_get_id (sent), CONFAB_DELIVERY_SENT);
  set_delivery_state (store, confab_chat_message_get_id (sent), CONFAB_DELIVERY_DELIVERED);
  set_delivery_state (store, confab_chat_message_get_id (failed), CONFAB_DELIVERY_FAILED);

  /* Storing the same message twice is refused, and nothing else. */
  g_clear_object (&result);
  confab_store_add_message_async (store, alice.url, alice.name, "bob", received,
                                  CONFAB_STORE_ADD_NONE, NULL, test_store_result_cb, &result);
  g_assert_false (confab_store_add_message_finish (store, test_wait_for_result (&result), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED);
  g_clear_error (&error);

  /* An id the store never gave. */
  g_clear_object (&result);
  confab_store_set_delivery_state_async (store, 999999, CONFAB_DELIVERY_SENT, NULL,
                                         test_store_result_cb, &result);
  g_assert_false (confab_store_set_delivery_state_finish (store, test_wait_for_result (&result), &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);

  /* From another connection, as after a restart. */
  g_clear_object (&store);
  store = open_store_ok (fixture->data_dir);
  messages = load_messages (store, &alice, "bob", 0, 50);
  g_assert_cmpuint (messages->len, ==, 3);

  m = g_ptr_array_index (messages, 0);
  g_assert_cmpuint (confab_chat_message_get_id (m), ==, confab_chat_message_get_id (received));
  g_assert_cmpint (confab_chat_message_get_direction (m), ==, CONFAB_CHAT_MESSAGE_INCOMING);
  g_assert_cmpstr (confab_chat_message_get_author (m), ==, "bob");
  g_assert_cmpstr (confab_chat_message_get_text (m), ==, "héllo\nsecond line");
  g_assert_true (g_date_time_equal (confab_chat_message_get_time (m), time));
  g_assert_cmpint (confab_chat_message_get_delivery_state (m), ==, CONFAB_DELIVERY_DELIVERED);

  m = g_ptr_array_index (messages, 1);
  g_assert_cmpint (confab_chat_message_get_direction (m), ==, CONFAB_CHAT_MESSAGE_OUTGOING);
  g_assert_cmpstr (confab_chat_message_get_author (m), ==, "alice");
  g_assert_cmpint (confab_chat_message_get_delivery_state (m), ==, CONFAB_DELIVERY_DELIVERED);
  g_assert_true (g_date_time_equal (confab_chat_message_get_time (m),
                                    confab_chat_message_get_time (sent)));

  m = g_ptr_array_index (messages, 2);
  g_assert_cmpint (confab_chat_message_get_delivery_state (m), ==, CONFAB_DELIVERY_FAILED);

  /* New ids go on after the highest ever given, across the restart. */
  g_clear_object (&sent);
  sent = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "after restart");
  g_assert_cmpuint (confab_chat_message_get_id (sent), >, confab_chat_message_get_id (failed));
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
history_changed_cb (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    gpointer    user_data)
{
  GArray *changes = user_data;
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
load_older (ConfabMessageHistory *history)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_message_history_load_older_async (history, NULL, test_store_result_cb, &result);
  g_assert_true (confab_message_history_load_older_finish (history, test_wait_for_result (&result),
                                                           &error));
  g_assert_no_error (error);
}

static const char *
history_text (ConfabMessageHistory *history,
              guint                 position)
{
  g_autoptr(ConfabChatMessage) message = g_list_model_get_item (G_LIST_MODEL (history), position);

  /* The history holds a reference: the text outlives this one. */
  return confab_chat_message_get_text (message);
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(ConfabMessageHistory) history = NULL;
  g_autoptr(ConfabChatMessage) live = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  Change *change;

  add_burst (store, &alice, "bob", "line", 120);
  /* Someone else's messages in between change nothing. */
  add_burst (store, &alice, "carol", "other", 10);

  history = confab_message_history_new (store, alice.url, alice.name, "bob");
  g_signal_connect (history, "items-changed", G_CALLBACK (history_changed_cb), changes);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 0);
  g_assert_true (confab_message_history_get_has_more (history));

  /* The latest 50 first; one load at a time. */
  confab_message_history_load_older_async (history, NULL, test_store_result_cb, &result);
  g_assert_true (confab_message_history_get_loading (history));
  confab_message_history_load_older_async (history, NULL, test_store_result_cb, &second);
  g_assert_false (confab_message_history_load_older_finish (history, test_wait_for_result (&second),
                                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_true (confab_message_history_load_older_finish (history, test_wait_for_result (&result),
                                                           NULL));
  g_assert_false (confab_message_history_get_loading (history));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 50);
  g_assert_cmpstr (history_text (history, 0), ==, "line 70");
  g_assert_cmpstr (history_text (history, 49), ==, "line 119");
  g_assert_true (confab_message_history_get_has_more (history));
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->added, ==, 50);

  /* A live message goes at the end. */
  live = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "live");
  confab_message_history_append (history, live);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 51);
  g_assert_cmpstr (history_text (history, 50), ==, "live");
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 50);
  g_assert_cmpuint (change->added, ==, 1);

  load_older (history);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 101);
  g_assert_cmpstr (history_text (history, 0), ==, "line 20");
  g_assert_true (confab_message_history_get_has_more (history));

  load_older (history);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 121);
  g_assert_cmpstr (history_text (history, 0), ==, "line 0");
  g_assert_false (confab_message_history_get_has_more (history));

  /* At the beginning, a load brings nothing and changes nothing. */
  load_older (history);
  g_assert_cmpuint (changes->len, ==, 4);
}

/* A live message appended while the first page is on its way, and in it,
 * is shown once. */
static void
test_paging_live_during_load (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(ConfabMessageHistory) history = NULL;
  g_autoptr(ConfabChatMessage) live = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  add_burst (store, &alice, "bob", "line", 10);
  live = add_message (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "live");

  history = confab_message_history_new (store, alice.url, alice.name, "bob");
  confab_message_history_load_older_async (history, NULL, test_store_result_cb, &result);
  confab_message_history_append (history, live);
  g_assert_true (confab_message_history_load_older_finish (history, test_wait_for_result (&result),
                                                           NULL));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (history)), ==, 11);
  g_assert_cmpstr (history_text (history, 0), ==, "line 0");
  g_assert_cmpstr (history_text (history, 9), ==, "line 9");
  g_assert_cmpstr (history_text (history, 10), ==, "live");
  g_assert_false (confab_message_history_get_has_more (history));
}

static ConfabSearchResult *result_at (GListModel *results,
                                      guint       position);

/* A long conversation pages like a short one. */
static void
test_paging_large (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(ConfabMessageHistory) long_one = NULL;
  g_autoptr(ConfabMessageHistory) empty_one = NULL;
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autoptr(GPtrArray) middle = NULL;
  g_autoptr(GListModel) results = NULL;
  sqlite3 *db = NULL;

  /* The first message through the store makes the account and the
   * conversation; the other 99,999 go in with one statement, since a
   * sanitizer build takes minutes for 100,000 calls (bench-store times
   * the calls). */
  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "line 0");
  put (store, &alice, "carol", CONFAB_CHAT_MESSAGE_INCOMING, "only");
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, TEST_BUSY_TIMEOUT_MS);
  g_assert_cmpint (sqlite3_exec (db,
                                 "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)"
                                 " INSERT INTO messages (conversation_id, direction, state, time, text)"
                                 " SELECT c.id, i % 2, 2, 1700000000000000 + i, 'line ' || i"
                                 " FROM n, conversations c WHERE c.peer = 'bob'",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = open_store_ok (fixture->data_dir);

  long_one = confab_message_history_new (store, alice.url, alice.name, "bob");
  load_older (long_one);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (long_one)), ==, 50);
  g_assert_cmpstr (history_text (long_one, 0), ==, "line 99950");
  g_assert_cmpstr (history_text (long_one, 49), ==, "line 99999");
  g_assert_true (confab_message_history_get_has_more (long_one));
  load_older (long_one);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (long_one)), ==, 100);
  g_assert_cmpstr (history_text (long_one, 0), ==, "line 99900");

  empty_one = confab_message_history_new (store, alice.url, alice.name, "nobody");
  load_older (empty_one);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (empty_one)), ==, 0);
  g_assert_false (confab_message_history_get_has_more (empty_one));

  /* A page from the middle: the 3 before the message with id 50,001
   * ("line 49999": "line 0" and "only" took ids 1 and 2). */
  middle = load_messages (store, &alice, "bob", 50001, 3);
  g_assert_cmpuint (middle->len, ==, 3);
  g_assert_cmpstr (message_text (middle, 0), ==, "line 49996");
  g_assert_cmpstr (message_text (middle, 2), ==, "line 49998");

  /* The index took them in too: newest first, at most the limit. */
  results = search (store, &alice, "bob", "line");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 50);
  g_assert_cmpstr (confab_chat_message_get_text (confab_search_result_get_message (result_at (results, 0))),
                   ==, "line 99999");
}

static ConfabConversationSummary *
summary_at (GListModel *list,
            guint       position)
{
  g_autoptr(ConfabConversationSummary) summary = g_list_model_get_item (list, position);

  return summary;
}

static void
test_conversations (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  ConfabConversationSummary *summary;

  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "one");
  put (store, &alice, "carol", CONFAB_CHAT_MESSAGE_INCOMING, "two");
  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "three\nand more");
  put (store, &alice, "dave", CONFAB_CHAT_MESSAGE_OUTGOING, "four");
  put_full (store, &alice, "erin", CONFAB_CHAT_MESSAGE_INCOMING, "read", CONFAB_STORE_ADD_READ);

  list = list_conversations (store, &alice);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 4);

  summary = summary_at (list, 0);
  g_assert_cmpstr (confab_conversation_summary_get_peer_name (summary), ==, "erin");
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary), ==, 0);

  summary = summary_at (list, 1);
  g_assert_cmpstr (confab_conversation_summary_get_peer_name (summary), ==, "dave");
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary), ==, 0);
  g_assert_cmpstr (confab_conversation_summary_get_preview (summary), ==, "four");
  g_assert_cmpint (confab_chat_message_get_direction (confab_conversation_summary_get_last_message (summary)),
                   ==, CONFAB_CHAT_MESSAGE_OUTGOING);

  summary = summary_at (list, 2);
  g_assert_cmpstr (confab_conversation_summary_get_peer_name (summary), ==, "bob");
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary), ==, 2);
  g_assert_cmpstr (confab_conversation_summary_get_preview (summary), ==, "three");
  g_assert_true (g_date_time_equal (confab_conversation_summary_get_last_activity (summary),
                                    confab_chat_message_get_time (confab_conversation_summary_get_last_message (summary))));

  summary = summary_at (list, 3);
  g_assert_cmpstr (confab_conversation_summary_get_peer_name (summary), ==, "carol");
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary), ==, 1);

  g_assert_true (run_boolean (store, "mark-read", &alice, "bob", &error));
  g_assert_false (run_boolean (store, "mark-read", &alice, "nobody", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_object (&list);
  list = list_conversations (store, &alice);
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary_at (list, 2)), ==, 0);
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary_at (list, 3)), ==, 1);
}

static ConfabSearchResult *
result_at (GListModel *results,
           guint       position)
{
  g_autoptr(ConfabSearchResult) result = g_list_model_get_item (results, position);

  return result;
}

static void
test_search (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GListModel) results = NULL;
  const ConfabSearchMatch *matches;
  ConfabSearchResult *result;
  guint n_matches;

  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "Shall we meet at the Café tomorrow?");
  put (store, &alice, "carol", CONFAB_CHAT_MESSAGE_OUTGOING, "the cafe is closed on Mondays");
  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "nothing to see");
  put (store, &alice_elsewhere, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "another account's cafe");

  /* The account: newest first, accents and case ignored, word prefixes. */
  results = search (store, &alice, NULL, "caf");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  result = result_at (results, 0);
  g_assert_cmpstr (confab_search_result_get_peer_name (result), ==, "carol");
  g_assert_cmpstr (confab_search_result_get_snippet (result), ==, "the cafe is closed on Mondays");
  matches = confab_search_result_get_matches (result, &n_matches);
  g_assert_cmpuint (n_matches, ==, 1);
  g_assert_cmpuint (matches[0].offset, ==, 4);
  g_assert_cmpuint (matches[0].length, ==, 4);
  result = result_at (results, 1);
  g_assert_cmpstr (confab_search_result_get_peer_name (result), ==, "bob");
  g_assert_cmpstr (confab_chat_message_get_author (confab_search_result_get_message (result)), ==, "bob");
  matches = confab_search_result_get_matches (result, &n_matches);
  g_assert_cmpuint (n_matches, ==, 1);
  g_assert_cmpint (strncmp (confab_search_result_get_snippet (result) + matches[0].offset, "Café",
                            matches[0].length), ==, 0);

  /* Every word must be there, in any order. */
  g_clear_object (&results);
  results = search (store, &alice, NULL, "tomorrow  SHALL");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);

  /* One conversation. */
  g_clear_object (&results);
  results = search (store, &alice, "bob", "cafe");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_cmpstr (confab_search_result_get_peer_name (result_at (results, 0)), ==, "bob");

  /* The other account sees only its own. */
  g_clear_object (&results);
  results = search (store, &alice_elsewhere, NULL, "cafe");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_cmpstr (confab_search_result_get_snippet (result_at (results, 0)), ==, "another account's cafe");

  /* The tokens naming conversations in the index are not text. */
  g_clear_object (&results);
  results = search (store, &alice, NULL, "c1");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = search (store, &alice, "bob", "c1");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);

  /* What would be FTS5 syntax is only text; nothing is not an error. */
  g_clear_object (&results);
  results = search (store, &alice, NULL, "\"cafe AND (NOT* ^");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = search (store, &alice, NULL, "   ");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  g_clear_object (&results);
  results = search (store, &alice, "nobody", "cafe");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
}

static void
test_outbox (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) peers = NULL;
  guint64 first_id = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("queued %u", i);
      g_autoptr(ConfabChatMessage) message = NULL;

      message = add_message_full (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, text,
                                  CONFAB_STORE_ADD_QUEUED, NULL);
      if (i == 0)
        first_id = confab_chat_message_get_id (message);
    }
  put_full (store, &alice, "carol", CONFAB_CHAT_MESSAGE_OUTGOING, "for carol", CONFAB_STORE_ADD_QUEUED);
  put_full (store, &alice_elsewhere, "dave", CONFAB_CHAT_MESSAGE_OUTGOING, "elsewhere", CONFAB_STORE_ADD_QUEUED);
  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "not queued");

  confab_store_list_outbox_peers_async (store, alice.url, alice.name, NULL, test_store_result_cb, &result);
  peers = confab_store_list_outbox_peers_finish (store, test_wait_for_result (&result), NULL);
  g_assert_cmpstrv (peers, ((const char * const[]) { "bob", "carol", NULL }));

  /* Sent: no longer queued.  Failed: still queued, to go out later. */
  set_delivery_state (store, first_id, CONFAB_DELIVERY_SENT);
  set_delivery_state (store, first_id + 1, CONFAB_DELIVERY_FAILED);

  /* Across a restart, in order. */
  g_clear_object (&store);
  store = open_store_ok (fixture->data_dir);
  outbox = list_outbox (store, &alice, "bob");
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (message_text (outbox, 0), ==, "queued 1");
  g_assert_cmpint (confab_chat_message_get_delivery_state (g_ptr_array_index (outbox, 0)), ==,
                   CONFAB_DELIVERY_FAILED);
  g_assert_cmpstr (message_text (outbox, 1), ==, "queued 2");

  set_delivery_state (store, first_id + 1, CONFAB_DELIVERY_DELIVERED);
  set_delivery_state (store, first_id + 2, CONFAB_DELIVERY_SENT);
  g_clear_pointer (&outbox, g_ptr_array_unref);
  outbox = list_outbox (store, &alice, "bob");
  g_assert_cmpuint (outbox->len, ==, 0);

  g_clear_object (&result);
  g_clear_pointer (&peers, g_strfreev);
  confab_store_list_outbox_peers_async (store, alice.url, alice.name, NULL, test_store_result_cb, &result);
  peers = confab_store_list_outbox_peers_finish (store, test_wait_for_result (&result), NULL);
  g_assert_cmpstrv (peers, ((const char * const[]) { "carol", NULL }));
}

static void
test_delete_and_undo (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_INCOMING, "keep me");
  put_full (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "queued", CONFAB_STORE_ADD_QUEUED);
  put (store, &alice, "carol", CONFAB_CHAT_MESSAGE_INCOMING, "keep me too");

  g_assert_true (run_boolean (store, "delete", &alice, "bob", &error));
  g_assert_no_error (error);
  list = list_conversations (store, &alice);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  messages = load_messages (store, &alice, "bob", 0, 50);
  g_assert_cmpuint (messages->len, ==, 0);
  results = search (store, &alice, NULL, "keep");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_false (run_boolean (store, "delete", &alice, "bob", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Undo: all of it is back, queued message included. */
  g_assert_true (run_boolean (store, "restore", &alice, "bob", &error));
  g_clear_object (&list);
  list = list_conversations (store, &alice);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpuint (confab_conversation_summary_get_unread_count (summary_at (list, 1)), ==, 1);
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = list_outbox (store, &alice, "bob");
  g_assert_cmpuint (messages->len, ==, 1);

  /* Deleted and purged: gone from the file, and no undo any more. */
  g_assert_true (run_boolean (store, "delete", &alice, "bob", &error));
  g_assert_true (run_boolean (store, "purge", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (run_boolean (store, "restore", &alice, "bob", &error));
  g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages"), ==, 1);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM outbox"), ==, 0);

  /* Deleted, then a restart: purged too. */
  g_assert_true (run_boolean (store, "delete", &alice, "carol", &error));
  g_clear_object (&store);
  store = open_store_ok (fixture->data_dir);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM messages"), ==, 0);

  /* A new message to a deleted conversation starts it anew. */
  put (store, &alice, "dave", CONFAB_CHAT_MESSAGE_INCOMING, "old");
  g_assert_true (run_boolean (store, "delete", &alice, "dave", &error));
  put (store, &alice, "dave", CONFAB_CHAT_MESSAGE_INCOMING, "new");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = load_messages (store, &alice, "dave", 0, 50);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (message_text (messages, 0), ==, "new");
}

static void
test_clear_account (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  g_autoptr(GError) error = NULL;

  add_burst (store, &alice, "bob", "hello", 20);
  put_full (store, &alice, "carol", CONFAB_CHAT_MESSAGE_OUTGOING, "hello queued", CONFAB_STORE_ADD_QUEUED);
  add_burst (store, &alice_elsewhere, "bob", "hello", 5);

  g_assert_true (run_boolean (store, "clear", &alice, NULL, &error));
  g_assert_no_error (error);

  list = list_conversations (store, &alice);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  results = search (store, &alice, NULL, "hello");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  outbox = list_outbox (store, &alice, "carol");
  g_assert_cmpuint (outbox->len, ==, 0);

  g_clear_object (&results);
  results = search (store, &alice_elsewhere, NULL, "hello");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 5);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_history_off (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GListModel) results = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  /* Where SQLite or anyone would put a file that was not asked for. */
  g_assert_cmpint (g_chdir (fixture->dir), ==, 0);
  g_setenv ("SQLITE_TMPDIR", fixture->dir, TRUE);
  g_setenv ("TMPDIR", fixture->dir, TRUE);

  store = open_store_ok (NULL);
  g_assert_null (confab_store_get_path (store));
  g_assert_false (confab_store_get_persistent (store));

  add_burst (store, &alice, "bob", "kept in memory", 500);
  messages = load_messages (store, &alice, "bob", 0, 1000);
  g_assert_cmpuint (messages->len, ==, 500);
  results = search (store, &alice, NULL, "memory");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 50);
  g_assert_true (run_boolean (store, "clear", &alice, NULL, NULL));
  g_clear_object (&store);

  g_assert_cmpuint (count_files (fixture->dir), ==, 0);

  g_unsetenv ("SQLITE_TMPDIR");
  g_unsetenv ("TMPDIR");
  g_assert_cmpint (g_chdir (cwd), ==, 0);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* Opens the store in fixture->data_dir expecting @code, checks that the
 * sentence names where the old file went, that it is there untouched,
 * and that the store works on (on a new file). */
static void
assert_moved_aside (Fixture    *fixture,
                    int         code,
                    const char *old_contents)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *contents = NULL;
  const char *name;

  store = open_store (fixture->data_dir, &error);
  g_assert_error (error, CONFAB_STORE_ERROR, code);

  dir = g_dir_open (fixture->data_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "confab.db.") && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      {
        g_assert_null (aside);
        aside = g_build_filename (fixture->data_dir, name, NULL);
      }
  g_assert_nonnull (aside);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, aside));
  if (old_contents != NULL)
    {
      contents = read_file (aside);
      g_assert_cmpstr (contents, ==, old_contents);
    }

  g_assert_true (confab_store_get_persistent (store));
  put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "still working");
  messages = load_messages (store, &alice, "bob", 0, 50);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpint (query_int (path, "PRAGMA user_version"), ==, 2);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autofree char *garbage = g_strnfill (8192, 'x');

  g_assert_cmpint (g_mkdir_with_parents (fixture->data_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));

  assert_moved_aside (fixture, CONFAB_STORE_ERROR_CORRUPT, garbage);
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  user_data)
{
  write_database (fixture->data_dir,
                  "CREATE TABLE future (x); INSERT INTO future VALUES (42); PRAGMA user_version = 99;");

  assert_moved_aside (fixture, CONFAB_STORE_ERROR_TOO_NEW, NULL);
}

/* Becomes a user that cannot write to what root made (root can write
 * anywhere), in the subprocess this runs in. */
static void
drop_root (void)
{
  if (getuid () == 0)
    {
      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
    }
}

static void
test_read_only_directory (Fixture       *fixture,
                          gconstpointer  user_data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ConfabStore) store = NULL;
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GError) error = NULL;
      const char *dir = g_getenv ("TEST_STORE_DIR");

      drop_root ();
      store = open_store (dir, &error);
      g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, dir));
      g_test_message ("%s", error->message);

      /* It goes on, in memory. */
      g_assert_false (confab_store_get_persistent (store));
      put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "in memory");
      messages = load_messages (store, &alice, "bob", 0, 50);
      g_assert_cmpuint (messages->len, ==, 1);
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (fixture->data_dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (fixture->data_dir, 0555), ==, 0);
  g_setenv ("TEST_STORE_DIR", fixture->data_dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_assert_cmpuint (count_files (fixture->data_dir), ==, 0);
}

static void
test_read_only_file (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(ConfabStore) store = NULL;
      g_autoptr(GError) error = NULL;

      drop_root ();
      store = open_store (g_getenv ("TEST_STORE_DIR"), &error);
      g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_READ_ONLY);
      g_test_message ("%s", error->message);
      g_assert_false (confab_store_get_persistent (store));
      return;
    }

  path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  {
    g_autoptr(ConfabStore) store = open_store_ok (fixture->data_dir);

    put (store, &alice, "bob", CONFAB_CHAT_MESSAGE_OUTGOING, "kept");
  }
  before = read_file (path);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  /* Writable by the user the subprocess becomes, the file not. */
  g_assert_cmpint (g_chmod (fixture->data_dir, 0777), ==, 0);

  g_setenv ("TEST_STORE_DIR", fixture->data_dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  /* Left where it was, as it was. */
  after = read_file (path);
  g_assert_cmpmem (before, strlen (before), after, strlen (after));
}

/* Every connection opened while it is set gets at most this many pages
 * more than it has: SQLite then answers SQLITE_FULL as on a full disk. */
static int spare_pages = -1;

static int
limit_pages_init (sqlite3                     *db,
                  char                       **error_message,
                  const struct sqlite3_api_routines *api)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *pragma = NULL;
  gint64 pages = 0;

  if (spare_pages < 0)
    return SQLITE_OK;

  if (sqlite3_prepare_v2 (db, "PRAGMA page_count", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    pages = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  pragma = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + spare_pages);
  sqlite3_exec (db, pragma, NULL, NULL, NULL);

  return SQLITE_OK;
}

typedef struct
{
  guint      pending;
  GPtrArray *kept;     /* ConfabChatMessage whose add completed */
  guint      full;
} FullBurst;

typedef struct
{
  FullBurst         *burst;
  ConfabChatMessage *message;
} FullAdd;

static void
full_added_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autofree FullAdd *add = user_data;
  g_autoptr(ConfabChatMessage) message = add->message;
  FullBurst *burst = add->burst;
  g_autoptr(GError) error = NULL;

  if (confab_store_add_message_finish (CONFAB_STORE (object), result, &error))
    g_ptr_array_add (burst->kept, g_object_ref (message));
  else
    {
      g_assert_error (error, CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_DISK_FULL);
      g_assert_nonnull (strstr (error->message, "full"));
      burst->full++;
    }
  burst->pending--;
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (300, 'z');
  FullBurst burst = { 0, g_ptr_array_new_with_free_func (g_object_unref), 0 };

  /* Made with room to spare, then reopened with almost none. */
  g_object_unref (open_store_ok (fixture->data_dir));
  sqlite3_auto_extension ((void (*) (void)) limit_pages_init);
  spare_pages = 8;
  store = open_store_ok (fixture->data_dir);

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u %s", i, filler);
      g_autoptr(ConfabChatMessage) message = NULL;
      FullAdd *add = g_new0 (FullAdd, 1);

      message = confab_store_new_message (store, CONFAB_CHAT_MESSAGE_OUTGOING, alice.name, text, NULL);
      add->burst = &burst;
      add->message = g_object_ref (message);
      burst.pending++;
      confab_store_add_message_async (store, alice.url, alice.name, "bob", message,
                                      CONFAB_STORE_ADD_NONE, NULL, full_added_cb, add);
    }
  while (burst.pending > 0)
    g_main_context_iteration (NULL, TRUE);

  g_test_message ("%u kept, %u refused for a full disk", burst.kept->len, burst.full);
  g_assert_cmpuint (burst.kept->len, >, 0);
  g_assert_cmpuint (burst.full, >, 0);
  g_assert_cmpuint (burst.kept->len + burst.full, ==, 400);

  /* Exactly what was reported kept is there; reading still works. */
  messages = load_messages (store, &alice, "bob", 0, 1000);
  g_assert_cmpuint (messages->len, ==, burst.kept->len);
  for (guint i = 0; i < messages->len; i++)
    g_assert_cmpuint (confab_chat_message_get_id (g_ptr_array_index (messages, i)), ==,
                      confab_chat_message_get_id (g_ptr_array_index (burst.kept, i)));

  /* Room made: writing works again. */
  g_assert_true (run_boolean (store, "delete", &alice, "bob", &error));
  g_assert_true (run_boolean (store, "purge", NULL, NULL, &error));
  g_assert_no_error (error);
  put (store, &alice, "carol", CONFAB_CHAT_MESSAGE_OUTGOING, "room again");

  spare_pages = -1;
  sqlite3_reset_auto_extension ();
  g_ptr_array_unref (burst.kept);
}

/* The helper mode of this binary (--writer DIR): adds messages as fast as
 * it can, many in flight, and prints each id once its add completed, until
 * it is killed. */
typedef struct
{
  guint   *in_flight;
  guint64  id;
} WriterAdd;

static void
writer_added_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree WriterAdd *add = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_store_add_message_finish (CONFAB_STORE (object), result, &error))
    g_error ("%s", error->message);
  printf ("%" G_GUINT64_FORMAT "\n", add->id);
  fflush (stdout);
  (*add->in_flight)--;
}

static G_GNUC_NORETURN void
writer_main (const char *directory)
{
  g_autoptr(ConfabStore) store = open_store_ok (directory);
  guint in_flight = 0;

  printf ("ready\n");
  fflush (stdout);

  for (guint n = 0;;)
    {
      while (in_flight < 200)
        {
          g_autofree char *text = g_strdup_printf ("burst message %u", n++);
          g_autoptr(ConfabChatMessage) message = NULL;
          WriterAdd *add = g_new0 (WriterAdd, 1);

          message = confab_store_new_message (store, CONFAB_CHAT_MESSAGE_OUTGOING, alice.name,
                                              text, NULL);
          add->in_flight = &in_flight;
          add->id = confab_chat_message_get_id (message);
          in_flight++;
          confab_store_add_message_async (store, alice.url, alice.name, "bob", message,
                                          CONFAB_STORE_ADD_NONE, NULL, writer_added_cb, add);
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_kill_during_burst (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "confab.db", NULL);
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(ConfabStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *ready = NULL;
  char *line;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_exe, "--writer", fixture->data_dir, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (writer));
  ready = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_cmpstr (ready, ==, "ready");

  /* In the middle of the burst, some thousands of messages in. */
  while (g_hash_table_size (reported) < 3000 &&
         (line = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
    {
      gint64 id = g_ascii_strtoll (line, NULL, 10);

      g_hash_table_add (reported, g_memdup2 (&id, sizeof id));
      g_free (line);
    }
  g_subprocess_send_signal (writer, SIGKILL);

  /* What it printed before it died was reported too. */
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      gint64 id = g_ascii_strtoll (line, NULL, 10);

      g_hash_table_add (reported, g_memdup2 (&id, sizeof id));
      g_free (line);
    }
  g_subprocess_wait (writer, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (writer));
  g_test_message ("%u messages reported stored before the kill", g_hash_table_size (reported));

  store = open_store_ok (fixture->data_dir);
  messages = load_messages (store, &alice, "bob", 0, G_MAXINT);
  g_assert_cmpuint (messages->len, >=, g_hash_table_size (reported));
  for (guint i = 0; i < messages->len; i++)
    {
      gint64 id = confab_chat_message_get_id (g_ptr_array_index (messages, i));

      g_hash_table_remove (reported, &id);
    }
  g_assert_cmpuint (g_hash_table_size (reported), ==, 0);
  g_clear_object (&store);

  g_assert_cmpint (query_int (path, "SELECT 'ok' = (SELECT integrity_check FROM pragma_integrity_check)"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--writer"))
    writer_main (argv[2]);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("schema", test_schema);
  ADD ("migration", test_migration);
  ADD ("accounts-apart", test_accounts_apart);
  ADD ("round-trip", test_round_trip);
  ADD ("paging", test_paging);
  ADD ("paging-live-during-load", test_paging_live_during_load);
  ADD ("paging-large", test_paging_large);
  ADD ("conversations", test_conversations);
  ADD ("search", test_search);
  ADD ("outbox", test_outbox);
  ADD ("delete-and-undo", test_delete_and_undo);
  ADD ("clear-account", test_clear_account);
  ADD ("history-off", test_history_off);
  ADD ("corrupt", test_corrupt);
  ADD ("too-new", test_too_new);
  ADD ("read-only-directory", test_read_only_directory);
  ADD ("read-only-file", test_read_only_file);
  ADD ("disk-full", test_disk_full);
  ADD ("kill-during-burst", test_kill_during_burst);

#undef ADD

  return g_test_run ();
}
