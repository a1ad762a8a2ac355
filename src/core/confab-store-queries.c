/* confab-store-queries.c: ConfabStore's SQL, run on its thread
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-conversation-summary.h"
#include "confab-search-result.h"
#include "confab-store-private.h"

/* Words of context a search result's snippet shows. */
#define SNIPPET_TOKENS 12

typedef enum
{
  STMT_ACCOUNT_INSERT,
  STMT_ACCOUNT_SELECT,
  STMT_CONVERSATION_INSERT,
  STMT_CONVERSATION_SELECT,
  STMT_CONVERSATION_TOUCH,
  STMT_CONVERSATION_MARK_READ,
  STMT_CONVERSATION_SET_DELETED,
  STMT_CONVERSATION_PURGE_OUTBOX,
  STMT_CONVERSATION_PURGE_MESSAGES,
  STMT_CONVERSATION_PURGE,
  STMT_MESSAGE_INSERT,
  STMT_MESSAGE_SET_STATE,
  STMT_OUTBOX_INSERT,
  STMT_OUTBOX_DELETE,
  STMT_LIST_CONVERSATIONS,
  STMT_LOAD_MESSAGES,
  STMT_SEARCH_ACCOUNT,
  STMT_SEARCH_CONVERSATION,
  STMT_LIST_OUTBOX,
  STMT_LIST_OUTBOX_PEERS,
  STMT_DELETED_CONVERSATIONS,
  STMT_ACCOUNT_CONVERSATIONS,
  N_STMTS
} Stmt;

#define MESSAGE_COLUMNS "m.id, m.direction, m.state, m.time, m.text"

static const char * const stmt_sql[N_STMTS] = {
  [STMT_ACCOUNT_INSERT] =
    "INSERT INTO accounts (server_url, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
  [STMT_ACCOUNT_SELECT] =
    "SELECT id FROM accounts WHERE server_url = ?1 AND name = ?2",
  [STMT_CONVERSATION_INSERT] =
    "INSERT INTO conversations (account_id, peer) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
  [STMT_CONVERSATION_SELECT] =
    "SELECT id, deleted FROM conversations WHERE account_id = ?1 AND peer = ?2",
  [STMT_CONVERSATION_TOUCH] =
    "UPDATE conversations SET unread = unread + ?2, last_activity = ?3, last_message_id = ?4"
    " WHERE id = ?1",
  [STMT_CONVERSATION_MARK_READ] =
    "UPDATE conversations SET unread = 0 WHERE id = ?1",
  [STMT_CONVERSATION_SET_DELETED] =
    "UPDATE conversations SET deleted = ?2 WHERE id = ?1 AND deleted = ?3",
  [STMT_CONVERSATION_PURGE_OUTBOX] =
    "DELETE FROM outbox WHERE conversation_id = ?1",
  [STMT_CONVERSATION_PURGE_MESSAGES] =
    "DELETE FROM messages WHERE conversation_id = ?1",
  [STMT_CONVERSATION_PURGE] =
    "DELETE FROM conversations WHERE id = ?1",
  [STMT_MESSAGE_INSERT] =
    "INSERT INTO messages (id, conversation_id, direction, state, time, text)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_MESSAGE_SET_STATE] =
    "UPDATE messages SET state = ?2 WHERE id = ?1",
  [STMT_OUTBOX_INSERT] =
    "INSERT INTO outbox (message_id, conversation_id) VALUES (?1, ?2)",
  [STMT_OUTBOX_DELETE] =
    "DELETE FROM outbox WHERE message_id = ?1",
  [STMT_LIST_CONVERSATIONS] =
    "SELECT c.peer, c.unread, c.last_activity, " MESSAGE_COLUMNS
    " FROM conversations c LEFT JOIN messages m ON m.id = c.last_message_id"
    " WHERE c.account_id = ?1 AND c.deleted = 0"
    " ORDER BY c.last_activity DESC, c.last_message_id DESC",
  [STMT_LOAD_MESSAGES] =
    "SELECT " MESSAGE_COLUMNS " FROM messages m"
    " WHERE m.conversation_id = ?1 AND m.id < ?2 ORDER BY m.id DESC LIMIT ?3",
  /* The index first (CROSS JOIN keeps it outermost), read newest first, so
   * that the first @limit matches of the account end the search and only
   * their snippets are made. */
  [STMT_SEARCH_ACCOUNT] =
    "SELECT " MESSAGE_COLUMNS ", c.peer,"
    "   snippet (message_fts, 0, char (2), char (3), '…', " G_STRINGIFY (SNIPPET_TOKENS) ")"
    " FROM message_fts"
    " CROSS JOIN messages m ON m.id = message_fts.rowid"
    " CROSS JOIN conversations c ON c.id = m.conversation_id"
    " WHERE message_fts MATCH ?1 AND c.account_id = ?2 AND c.deleted = 0"
    " ORDER BY message_fts.rowid DESC LIMIT ?3",
  [STMT_SEARCH_CONVERSATION] =
    "SELECT " MESSAGE_COLUMNS ", ?4,"
    "   snippet (message_fts, 0, char (2), char (3), '…', " G_STRINGIFY (SNIPPET_TOKENS) ")"
    " FROM message_fts"
    " CROSS JOIN messages m ON m.id = message_fts.rowid"
    " WHERE message_fts MATCH ?1 AND m.conversation_id = ?2"
    " ORDER BY message_fts.rowid DESC LIMIT ?3",
  [STMT_LIST_OUTBOX] =
    "SELECT " MESSAGE_COLUMNS " FROM outbox o JOIN messages m ON m.id = o.message_id"
    " WHERE o.conversation_id = ?1 ORDER BY o.message_id",
  [STMT_LIST_OUTBOX_PEERS] =
    "SELECT DISTINCT c.peer FROM conversations c JOIN outbox o ON o.conversation_id = c.id"
    " WHERE c.account_id = ?1 AND c.deleted = 0 ORDER BY c.peer",
  [STMT_DELETED_CONVERSATIONS] =
    "SELECT id FROM conversations WHERE deleted = 1",
  [STMT_ACCOUNT_CONVERSATIONS] =
    "SELECT id FROM conversations WHERE account_id = ?1",
};

struct _StoreQueries
{
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
  /* Ids already looked up or made: most writes go to a conversation that
   * the last one went to.  Emptied whenever a transaction rolls back,
   * since what it made is gone. */
  GHashTable   *account_ids;       /* "url\nname" -> gint64* */
  GHashTable   *conversation_ids;  /* "account_id\npeer" -> gint64*, not deleted */
};

StoreQueries *
_confab_store_queries_new (sqlite3 *db)
{
  StoreQueries *q = g_new0 (StoreQueries, 1);

  q->db = db;
  q->account_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  q->conversation_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return q;
}

void
_confab_store_queries_free (StoreQueries *q)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&q->stmts[i], sqlite3_finalize);
  g_clear_pointer (&q->db, sqlite3_close);
  g_hash_table_unref (q->account_ids);
  g_hash_table_unref (q->conversation_ids);
  g_free (q);
}

sqlite3 *
_confab_store_queries_get_db (StoreQueries *q)
{
  return q->db;
}

static int
prepare (StoreQueries  *q,
         Stmt           id,
         sqlite3_stmt **stmt)
{
  int rc = SQLITE_OK;

  if (q->stmts[id] == NULL)
    rc = sqlite3_prepare_v3 (q->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                             &q->stmts[id], NULL);
  else
    {
      sqlite3_reset (q->stmts[id]);
      sqlite3_clear_bindings (q->stmts[id]);
    }

  *stmt = q->stmts[id];

  return rc;
}

/* Runs a statement that returns no rows, resetting it so that it holds
 * no read lock afterwards. */
static int
step_done (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);

  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

void
_confab_store_queries_forget_ids (StoreQueries *q)
{
  g_hash_table_remove_all (q->account_ids);
  g_hash_table_remove_all (q->conversation_ids);
}

static gint64 *
int64_dup (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

/* The account's id in *@id, made if @create, else 0 when unknown. */
static int
lookup_account (StoreQueries *q,
                const char   *server_url,
                const char   *username,
                gboolean      create,
                gint64       *id)
{
  g_autofree char *key = g_strconcat (server_url, "\n", username, NULL);
  sqlite3_stmt *stmt;
  gint64 *cached;
  int rc;

  *id = 0;

  if ((cached = g_hash_table_lookup (q->account_ids, key)) != NULL)
    {
      *id = *cached;
      return SQLITE_OK;
    }

  if (create)
    {
      if ((rc = prepare (q, STMT_ACCOUNT_INSERT, &stmt)) != SQLITE_OK)
        return rc;
      bind_text (stmt, 1, server_url);
      bind_text (stmt, 2, username);
      if ((rc = step_done (stmt)) != SQLITE_OK)
        return rc;
    }

  if ((rc = prepare (q, STMT_ACCOUNT_SELECT, &stmt)) != SQLITE_OK)
    return rc;
  bind_text (stmt, 1, server_url);
  bind_text (stmt, 2, username);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      g_hash_table_insert (q->account_ids, g_steal_pointer (&key), int64_dup (*id));
      rc = SQLITE_OK;
    }
  else if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_reset (stmt);

  return rc;
}

static int
purge_conversation (StoreQueries *q,
                    gint64        conversation_id)
{
  static const Stmt purge[] = {
    STMT_CONVERSATION_PURGE_OUTBOX,
    STMT_CONVERSATION_PURGE_MESSAGES,
    STMT_CONVERSATION_PURGE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (purge); i++)
    {
      sqlite3_stmt *stmt;
      int rc;

      if ((rc = prepare (q, purge[i], &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, conversation_id);
      if ((rc = step_done (stmt)) != SQLITE_OK)
        return rc;
    }

  g_hash_table_remove_all (q->conversation_ids);

  return SQLITE_OK;
}

typedef enum
{
  LOOKUP_VISIBLE,      /* not deleted, else 0 */
  LOOKUP_ANY,          /* deleted or not */
  LOOKUP_CREATE,       /* made if need be, a deleted one purged first */
} LookupMode;

/* The conversation's id in *@id, 0 for none; *@deleted says whether it is
 * deleted (for LOOKUP_ANY). */
static int
lookup_conversation (StoreQueries *q,
                     StoreRequest *r,
                     LookupMode    mode,
                     gint64       *id,
                     gboolean     *deleted)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  gint64 account_id;
  gint64 *cached;
  gboolean is_deleted = FALSE;
  int rc;

  *id = 0;
  if (deleted != NULL)
    *deleted = FALSE;

  if ((rc = lookup_account (q, r->server_url, r->username, mode == LOOKUP_CREATE,
                            &account_id)) != SQLITE_OK ||
      account_id == 0)
    return rc;

  key = g_strdup_printf ("%" G_GINT64_FORMAT "\n%s", account_id, r->peer);
  if ((cached = g_hash_table_lookup (q->conversation_ids, key)) != NULL)
    {
      *id = *cached;
      return SQLITE_OK;
    }

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      if (mode == LOOKUP_CREATE)
        {
          if ((rc = prepare (q, STMT_CONVERSATION_INSERT, &stmt)) != SQLITE_OK)
            return rc;
          sqlite3_bind_int64 (stmt, 1, account_id);
          bind_text (stmt, 2, r->peer);
          if ((rc = step_done (stmt)) != SQLITE_OK)
            return rc;
        }

      if ((rc = prepare (q, STMT_CONVERSATION_SELECT, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, account_id);
      bind_text (stmt, 2, r->peer);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *id = sqlite3_column_int64 (stmt, 0);
          is_deleted = sqlite3_column_int (stmt, 1) != 0;
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
      sqlite3_reset (stmt);
      if (rc != SQLITE_OK)
        return rc;

      /* Writing to a deleted conversation starts it anew: what was
       * deleted stays deleted. */
      if (mode == LOOKUP_CREATE && is_deleted)
        {
          if ((rc = purge_conversation (q, *id)) != SQLITE_OK)
            return rc;
          *id = 0;
          is_deleted = FALSE;
          continue;
        }
      break;
    }

  if (deleted != NULL)
    *deleted = is_deleted;
  if (mode == LOOKUP_VISIBLE && is_deleted)
    *id = 0;
  else if (*id != 0 && !is_deleted)
    g_hash_table_insert (q->conversation_ids, g_steal_pointer (&key), int64_dup (*id));

  return SQLITE_OK;
}

static GError *
not_found (const char *peer)
{
  return g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                      _("There is no conversation with %s."), peer);
}

static int
write_add_message (StoreQueries *q,
                   StoreRequest *r)
{
  ConfabChatMessage *message = r->message;
  ConfabChatMessageDirection direction = confab_chat_message_get_direction (message);
  gint64 time = _confab_store_time_to_usec (confab_chat_message_get_time (message));
  gint64 id = confab_chat_message_get_id (message);
  gboolean unread;
  gint64 conversation_id;
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = lookup_conversation (q, r, LOOKUP_CREATE, &conversation_id, NULL)) != SQLITE_OK)
    return rc;

  if ((rc = prepare (q, STMT_MESSAGE_INSERT, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, conversation_id);
  sqlite3_bind_int (stmt, 3, direction == CONFAB_CHAT_MESSAGE_OUTGOING);
  sqlite3_bind_int (stmt, 4,
                    _confab_store_state_to_code (confab_chat_message_get_delivery_state (message)));
  sqlite3_bind_int64 (stmt, 5, time);
  bind_text (stmt, 6, confab_chat_message_get_text (message));
  rc = step_done (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      /* The same message twice: a mistake of the caller's, not of the
       * database, so the rest of the batch goes on. */
      r->error = g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_FAILED,
                              "Message %" G_GINT64_FORMAT " is stored already", id);
      return SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    return rc;

  unread = direction == CONFAB_CHAT_MESSAGE_INCOMING && !(r->flags & CONFAB_STORE_ADD_READ);
  if ((rc = prepare (q, STMT_CONVERSATION_TOUCH, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int (stmt, 2, unread ? 1 : 0);
  sqlite3_bind_int64 (stmt, 3, time);
  sqlite3_bind_int64 (stmt, 4, id);
  if ((rc = step_done (stmt)) != SQLITE_OK)
    return rc;

  if (r->flags & CONFAB_STORE_ADD_QUEUED)
    {
      if ((rc = prepare (q, STMT_OUTBOX_INSERT, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, conversation_id);
      if ((rc = step_done (stmt)) != SQLITE_OK)
        return rc;
    }

  return SQLITE_OK;
}

static int
write_set_delivery_state (StoreQueries *q,
                          StoreRequest *r)
{
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = prepare (q, STMT_MESSAGE_SET_STATE, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, r->id);
  sqlite3_bind_int (stmt, 2, _confab_store_state_to_code (r->state));
  if ((rc = step_done (stmt)) != SQLITE_OK)
    return rc;

  if (sqlite3_changes (q->db) == 0)
    {
      r->error = g_error_new (CONFAB_STORE_ERROR, CONFAB_STORE_ERROR_NOT_FOUND,
                              "No message %" G_GUINT64_FORMAT, r->id);
      return SQLITE_OK;
    }

  /* Handed over: nothing left to send.  A failed message stays queued, to
   * go out on the next connection. */
  if (r->state == CONFAB_DELIVERY_SENT || r->state == CONFAB_DELIVERY_DELIVERED)
    {
      if ((rc = prepare (q, STMT_OUTBOX_DELETE, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, r->id);
      rc = step_done (stmt);
    }

  return rc;
}

static int
write_mark_read (StoreQueries *q,
                 StoreRequest *r)
{
  gint64 conversation_id;
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = lookup_conversation (q, r, LOOKUP_VISIBLE, &conversation_id, NULL)) != SQLITE_OK)
    return rc;
  if (conversation_id == 0)
    {
      r->error = not_found (r->peer);
      return SQLITE_OK;
    }

  if ((rc = prepare (q, STMT_CONVERSATION_MARK_READ, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, conversation_id);

  return step_done (stmt);
}

static int
write_set_deleted (StoreQueries *q,
                   StoreRequest *r,
                   gboolean      deleted)
{
  gint64 conversation_id;
  gboolean is_deleted;
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = lookup_conversation (q, r, LOOKUP_ANY, &conversation_id, &is_deleted)) != SQLITE_OK)
    return rc;
  if (conversation_id == 0 || is_deleted == deleted)
    {
      r->error = not_found (r->peer);
      return SQLITE_OK;
    }

  if ((rc = prepare (q, STMT_CONVERSATION_SET_DELETED, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  sqlite3_bind_int (stmt, 2, deleted);
  sqlite3_bind_int (stmt, 3, !deleted);
  g_hash_table_remove_all (q->conversation_ids);

  return step_done (stmt);
}

/* Purges every conversation @stmt lists (by id, in its first column). */
static int
purge_listed (StoreQueries *q,
              sqlite3_stmt *stmt)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  for (guint i = 0; i < ids->len; i++)
    if ((rc = purge_conversation (q, g_array_index (ids, gint64, i))) != SQLITE_OK)
      return rc;

  return SQLITE_OK;
}

int
_confab_store_queries_purge_deleted (StoreQueries *q)
{
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = prepare (q, STMT_DELETED_CONVERSATIONS, &stmt)) != SQLITE_OK)
    return rc;

  return purge_listed (q, stmt);
}

static int
write_clear_account (StoreQueries *q,
                     StoreRequest *r)
{
  sqlite3_stmt *stmt;
  gint64 account_id;
  int rc;

  if ((rc = lookup_account (q, r->server_url, r->username, FALSE, &account_id)) != SQLITE_OK ||
      account_id == 0)
    return rc;
  if ((rc = prepare (q, STMT_ACCOUNT_CONVERSATIONS, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, account_id);

  return purge_listed (q, stmt);
}

/* Carries out one write inside the current transaction.  A failure of the
 * database comes back as its code; the caller's mistakes (no such
 * message) as r->error with SQLITE_OK, and the batch goes on. */
int
_confab_store_queries_write (StoreQueries *q,
                             StoreRequest *r)
{
  switch (r->kind)
    {
    case STORE_REQUEST_ADD_MESSAGE:
      return write_add_message (q, r);
    case STORE_REQUEST_SET_DELIVERY_STATE:
      return write_set_delivery_state (q, r);
    case STORE_REQUEST_MARK_READ:
      return write_mark_read (q, r);
    case STORE_REQUEST_DELETE_CONVERSATION:
      return write_set_deleted (q, r, TRUE);
    case STORE_REQUEST_RESTORE_CONVERSATION:
      return write_set_deleted (q, r, FALSE);
    case STORE_REQUEST_PURGE_DELETED:
      return _confab_store_queries_purge_deleted (q);
    case STORE_REQUEST_CLEAR_ACCOUNT:
      return write_clear_account (q, r);

    case STORE_REQUEST_OPEN:
    case STORE_REQUEST_LIST_CONVERSATIONS:
    case STORE_REQUEST_LOAD_MESSAGES:
    case STORE_REQUEST_SEARCH:
    case STORE_REQUEST_LIST_OUTBOX:
    case STORE_REQUEST_LIST_OUTBOX_PEERS:
    case STORE_REQUEST_QUIT:
    default:
      g_assert_not_reached ();
    }
}

/* The message whose id, direction, state, time and text are the five
 * columns from @column on. */
static ConfabChatMessage *
message_from_row (sqlite3_stmt *stmt,
                  int           column,
                  StoreRequest *r,
                  const char   *peer)
{
  gboolean outgoing = sqlite3_column_int (stmt, column + 1) != 0;
  g_autoptr(GDateTime) time = NULL;
  ConfabDeliveryState state;
  ConfabChatMessage *message;

  time = _confab_store_time_from_usec (sqlite3_column_int64 (stmt, column + 3));
  state = _confab_store_state_from_code (sqlite3_column_int (stmt, column + 2));

  message = confab_chat_message_new (sqlite3_column_int64 (stmt, column),
                                     outgoing ? CONFAB_CHAT_MESSAGE_OUTGOING
                                              : CONFAB_CHAT_MESSAGE_INCOMING,
                                     outgoing ? r->username : peer,
                                     (const char *) sqlite3_column_text (stmt, column + 4),
                                     time);
  confab_chat_message_set_delivery_state (message, state);

  return message;
}

static int
read_list_conversations (StoreQueries *q,
                         StoreRequest *r)
{
  g_autoptr(GListStore) store = g_list_store_new (CONFAB_TYPE_CONVERSATION_SUMMARY);
  sqlite3_stmt *stmt;
  gint64 account_id;
  int rc;

  if ((rc = lookup_account (q, r->server_url, r->username, FALSE, &account_id)) != SQLITE_OK)
    return rc;

  if (account_id != 0)
    {
      if ((rc = prepare (q, STMT_LIST_CONVERSATIONS, &stmt)) != SQLITE_OK)
        return rc;
      sqlite3_bind_int64 (stmt, 1, account_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *peer = (const char *) sqlite3_column_text (stmt, 0);
          g_autoptr(GDateTime) time = _confab_store_time_from_usec (sqlite3_column_int64 (stmt, 2));
          g_autoptr(ConfabChatMessage) last = NULL;
          g_autoptr(ConfabConversationSummary) summary = NULL;

          if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
            last = message_from_row (stmt, 3, r, peer);

          summary = confab_conversation_summary_new (peer,
                                                     sqlite3_column_int (stmt, 1),
                                                     time,
                                                     last);
          g_list_store_append (store, summary);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc;
    }

  g_task_return_pointer (r->task, g_steal_pointer (&store), g_object_unref);

  return SQLITE_OK;
}

/* Gathers the messages @stmt yields into a GPtrArray, newest first if
 * @reverse (the rows come newest first, callers want oldest first). */
static int
collect_messages (sqlite3_stmt  *stmt,
                  StoreRequest  *r,
                  gboolean       reverse,
                  GPtrArray    **messages)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (array, message_from_row (stmt, 0, r, r->peer));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  if (reverse)
    for (guint i = 0; i < array->len / 2; i++)
      {
        gpointer swap = array->pdata[i];

        array->pdata[i] = array->pdata[array->len - 1 - i];
        array->pdata[array->len - 1 - i] = swap;
      }

  *messages = g_steal_pointer (&array);

  return SQLITE_OK;
}

/* LOAD_MESSAGES and LIST_OUTBOX: the messages of one conversation, oldest
 * first (a page is read newest first, from its end). */
static int
read_messages (StoreQueries *q,
               StoreRequest *r)
{
  gboolean page = r->kind == STORE_REQUEST_LOAD_MESSAGES;
  g_autoptr(GPtrArray) messages = NULL;
  gint64 conversation_id;
  sqlite3_stmt *stmt;
  int rc;

  if ((rc = lookup_conversation (q, r, LOOKUP_VISIBLE, &conversation_id, NULL)) != SQLITE_OK)
    return rc;
  if ((rc = prepare (q, page ? STMT_LOAD_MESSAGES : STMT_LIST_OUTBOX, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  if (page)
    {
      sqlite3_bind_int64 (stmt, 2, r->id != 0 ? (gint64) r->id : G_MAXINT64);
      sqlite3_bind_int64 (stmt, 3, r->limit);
    }
  if ((rc = collect_messages (stmt, r, page, &messages)) != SQLITE_OK)
    return rc;

  g_task_return_pointer (r->task, g_steal_pointer (&messages), (GDestroyNotify) g_ptr_array_unref);

  return SQLITE_OK;
}

static int
read_list_outbox_peers (StoreQueries *q,
                        StoreRequest *r)
{
  g_autoptr(GStrvBuilder) peers = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  gint64 account_id;
  int rc;

  if ((rc = lookup_account (q, r->server_url, r->username, FALSE, &account_id)) != SQLITE_OK)
    return rc;
  if ((rc = prepare (q, STMT_LIST_OUTBOX_PEERS, &stmt)) != SQLITE_OK)
    return rc;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (peers, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rc;

  g_task_return_pointer (r->task, g_strv_builder_end (peers), (GDestroyNotify) g_strfreev);

  return SQLITE_OK;
}

/* The person's words as an FTS5 query: each a quoted prefix in the text
 * column, so that nothing they type is taken for FTS5's own syntax nor
 * matches a conversation's token; and, for one conversation, its token.
 * NULL if there are no words. */
static char *
build_match (const char *query,
             gint64      conversation_id)
{
  g_auto(GStrv) words = g_strsplit_set (query, " \t\n\r", -1);
  g_autoptr(GString) match = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0')
        continue;

      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append (match, "text : \"");
      for (const char *c = words[i]; *c != '\0'; c++)
        {
          if (*c == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *c);
        }
      g_string_append (match, "\"*");
    }

  if (match->len == 0)
    return NULL;

  if (conversation_id != 0)
    g_string_append_printf (match, " AND conversation : c%" G_GINT64_FORMAT, conversation_id);

  return g_string_free (g_steal_pointer (&match), FALSE);
}

static int
read_search (StoreQueries *q,
             StoreRequest *r)
{
  g_autoptr(GListStore) results = g_list_store_new (CONFAB_TYPE_SEARCH_RESULT);
  g_autofree char *match = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 scope_id;
  int rc;

  if (r->peer != NULL)
    rc = lookup_conversation (q, r, LOOKUP_VISIBLE, &scope_id, NULL);
  else
    rc = lookup_account (q, r->server_url, r->username, FALSE, &scope_id);
  if (rc != SQLITE_OK)
    return rc;

  if (scope_id != 0)
    match = build_match (r->query, r->peer != NULL ? scope_id : 0);

  if (match != NULL)
    {
      if ((rc = prepare (q, r->peer != NULL ? STMT_SEARCH_CONVERSATION : STMT_SEARCH_ACCOUNT,
                         &stmt)) != SQLITE_OK)
        return rc;
      bind_text (stmt, 1, match);
      sqlite3_bind_int64 (stmt, 2, scope_id);
      sqlite3_bind_int64 (stmt, 3, r->limit);
      if (r->peer != NULL)
        bind_text (stmt, 4, r->peer);

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *peer = (const char *) sqlite3_column_text (stmt, 5);
          g_autoptr(ConfabChatMessage) message = message_from_row (stmt, 0, r, peer);
          g_autoptr(ConfabSearchResult) result = NULL;

          result = confab_search_result_new (peer, message,
                                             (const char *) sqlite3_column_text (stmt, 6));
          g_list_store_append (results, result);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc;
    }

  g_task_return_pointer (r->task, g_steal_pointer (&results), g_object_unref);

  return SQLITE_OK;
}

int
_confab_store_queries_read (StoreQueries *q,
                            StoreRequest *r)
{
  switch (r->kind)
    {
    case STORE_REQUEST_LIST_CONVERSATIONS:
      return read_list_conversations (q, r);
    case STORE_REQUEST_LOAD_MESSAGES:
    case STORE_REQUEST_LIST_OUTBOX:
      return read_messages (q, r);
    case STORE_REQUEST_SEARCH:
      return read_search (q, r);
    case STORE_REQUEST_LIST_OUTBOX_PEERS:
      return read_list_outbox_peers (q, r);

    case STORE_REQUEST_OPEN:
    case STORE_REQUEST_ADD_MESSAGE:
    case STORE_REQUEST_SET_DELIVERY_STATE:
    case STORE_REQUEST_MARK_READ:
    case STORE_REQUEST_DELETE_CONVERSATION:
    case STORE_REQUEST_RESTORE_CONVERSATION:
    case STORE_REQUEST_PURGE_DELETED:
    case STORE_REQUEST_CLEAR_ACCOUNT:
    case STORE_REQUEST_QUIT:
    default:
      g_assert_not_reached ();
    }
}
