/* confab-store.h: history, conversations and the outbox, kept on disk
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-chat-message.h"
#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabStore keeps every message of every account in one SQLite
 * database, "confab.db" in a directory the caller chooses (the app's is
 * $XDG_DATA_HOME/confab/), made 0700 with the file 0600.  Everything is
 * keyed by account (a server URL and the name signed in there) and peer, so
 * one account never sees another's conversations.
 *
 * A thread of the store's own owns the connection: every call is
 * _async/_finish and completes on the GMainContext that was the
 * thread-default one when it was made.  Calls are carried out in the order
 * they were made; writes made close together share a transaction, and a
 * write completes only once its transaction is committed, so a message
 * shown after its add_message completed survives a kill -9.
 *
 * Each message has an id of the store's (confab_chat_message_get_id() of
 * the messages it makes and returns), unique in the database and never
 * given twice, which the session can use as the message's id on the wire.
 *
 * A store made without a directory keeps nothing on disk (history off): it
 * works the same, in memory, for as long as it lives.  A store whose
 * database cannot be opened says why in open_finish()'s error and goes on
 * the same way, in memory; a damaged database is never deleted, only moved
 * aside (the error's sentence says where).
 *
 * Each call holds a reference to the store until it completes; the last
 * reference finishes what is queued and closes the database.  When that
 * last reference is a task's, it goes on the store's thread, so the file
 * may close a moment after the caller's g_object_unref() returned: a
 * store opened next on the same directory waits for it (up to 5 s). */

#define CONFAB_TYPE_STORE (confab_store_get_type ())
#define CONFAB_STORE_ERROR (confab_store_error_quark ())

typedef enum
{
  CONFAB_STORE_ERROR_CORRUPT,    /* not a database, or a damaged one: moved aside */
  CONFAB_STORE_ERROR_TOO_NEW,    /* written by a newer Confab: moved aside */
  CONFAB_STORE_ERROR_READ_ONLY,  /* the folder or file cannot be written: left as it is */
  CONFAB_STORE_ERROR_DISK_FULL,  /* no space left: left as it is, or this write not kept */
  CONFAB_STORE_ERROR_FAILED,     /* anything else SQLite or the file system refused */
  CONFAB_STORE_ERROR_NOT_FOUND,  /* no such message or conversation */
} ConfabStoreError;

/* What confab_store_add_message_async() does besides keeping the message. */
typedef enum
{
  CONFAB_STORE_ADD_NONE   = 0,
  /* Also puts the message at the end of the peer's outbox. */
  CONFAB_STORE_ADD_QUEUED = 1 << 0,
  /* An incoming message that the person sees as it arrives: not unread. */
  CONFAB_STORE_ADD_READ   = 1 << 1,
} ConfabStoreAddFlags;

G_DECLARE_FINAL_TYPE (ConfabStore, confab_store, CONFAB, STORE, GObject)

GQuark             confab_store_error_quark         (void);

/* @directory: where the database lives, or NULL to keep nothing on disk.
 * Nothing is touched before confab_store_open_async(). */
ConfabStore       *confab_store_new                 (const char           *directory);

/* Properties: "directory" (construct-only, may be NULL), "path" (the
 * database file, or NULL while nothing is kept on disk; notifies) and
 * "persistent" (whether history is kept on disk now; notifies). */
const char        *confab_store_get_directory       (ConfabStore          *self);
const char        *confab_store_get_path            (ConfabStore          *self);
gboolean           confab_store_get_persistent      (ConfabStore          *self);

/* Opens (making it if need be) and migrates the database.  On FALSE the
 * error says to the person what happened and where the old file is, and
 * the store is open all the same, in memory.  Call it once, before
 * anything else. */
void               confab_store_open_async          (ConfabStore          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean           confab_store_open_finish         (ConfabStore          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* A message with a fresh id of the store's, not stored yet: hand it to
 * add_message_async().  @author is the peer for an incoming message and the
 * account's name for an outgoing one; @time NULL means now. */
ConfabChatMessage *confab_store_new_message         (ConfabStore                *self,
                                                     ConfabChatMessageDirection  direction,
                                                     const char                 *author,
                                                     const char                 *text,
                                                     GDateTime                  *time);

/* Keeps @message (from new_message()) in the conversation of the account
 * (@server_url, @username) with @peer, making the conversation if need be;
 * an incoming message counts as unread unless CONFAB_STORE_ADD_READ.  A
 * conversation deleted but not yet purged is purged first. */
void               confab_store_add_message_async   (ConfabStore          *self,
                                                     const char           *server_url,
                                                     const char           *username,
                                                     const char           *peer,
                                                     ConfabChatMessage    *message,
                                                     ConfabStoreAddFlags   flags,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean           confab_store_add_message_finish  (ConfabStore          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Keeps the delivery state of the message with @id.  "Sent" or
 * "delivered" also takes it out of its outbox; "failed" leaves it queued,
 * to go out on the next connection.  Fails with
 * CONFAB_STORE_ERROR_NOT_FOUND for an id the store does not hold. */
void               confab_store_set_delivery_state_async  (ConfabStore          *self,
                                                           guint64               id,
                                                           ConfabDeliveryState   state,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean           confab_store_set_delivery_state_finish (ConfabStore          *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Sets the conversation's unread count to 0. */
void               confab_store_mark_read_async     (ConfabStore          *self,
                                                     const char           *server_url,
                                                     const char           *username,
                                                     const char           *peer,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean           confab_store_mark_read_finish    (ConfabStore          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* The account's conversations, most recent activity first: a GListModel of
 * ConfabConversationSummary. */
void               confab_store_list_conversations_async  (ConfabStore          *self,
                                                           const char           *server_url,
                                                           const char           *username,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
GListModel        *confab_store_list_conversations_finish (ConfabStore          *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* At most @limit messages of the conversation with @peer, oldest first:
 * the latest ones, or with @before_id not 0 the latest ones older than the
 * message with that id.  Gives a GPtrArray of ConfabChatMessage (empty for
 * an unknown peer).  ConfabMessageHistory pages with it. */
void               confab_store_load_messages_async  (ConfabStore          *self,
                                                      const char           *server_url,
                                                      const char           *username,
                                                      const char           *peer,
                                                      guint64               before_id,
                                                      guint                 limit,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GPtrArray         *confab_store_load_messages_finish (ConfabStore          *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Searches the account's messages (with @peer NULL) or one conversation
 * for every word of @query (each a prefix, in any order; case and accents
 * ignored), newest first, at most @limit: a GListModel of
 * ConfabSearchResult. */
void               confab_store_search_async        (ConfabStore          *self,
                                                     const char           *server_url,
                                                     const char           *username,
                                                     const char           *peer,
                                                     const char           *query,
                                                     guint                 limit,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GListModel        *confab_store_search_finish       (ConfabStore          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* The messages queued for @peer, oldest first (a GPtrArray of
 * ConfabChatMessage).  They stay queued until their delivery state is
 * "sent" or "delivered". */
void               confab_store_list_outbox_async   (ConfabStore          *self,
                                                     const char           *server_url,
                                                     const char           *username,
                                                     const char           *peer,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray         *confab_store_list_outbox_finish  (ConfabStore          *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
/* The peers the account has queued messages for (a GStrv, sorted): whose
 * coming online to watch for. */
void               confab_store_list_outbox_peers_async  (ConfabStore          *self,
                                                          const char           *server_url,
                                                          const char           *username,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
char             **confab_store_list_outbox_peers_finish (ConfabStore          *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

/* Hides the conversation with @peer (its messages, its outbox, its search
 * results) at once; restore_conversation_async() brings it back as it was
 * (an undo), purge_deleted_async() or the next open removes it for good.
 * Fails with CONFAB_STORE_ERROR_NOT_FOUND for no such conversation. */
void               confab_store_delete_conversation_async   (ConfabStore          *self,
                                                             const char           *server_url,
                                                             const char           *username,
                                                             const char           *peer,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           confab_store_delete_conversation_finish  (ConfabStore          *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void               confab_store_restore_conversation_async  (ConfabStore          *self,
                                                             const char           *server_url,
                                                             const char           *username,
                                                             const char           *peer,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           confab_store_restore_conversation_finish (ConfabStore          *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void               confab_store_purge_deleted_async         (ConfabStore          *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean           confab_store_purge_deleted_finish        (ConfabStore          *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* Removes every conversation, message and queued message of the account,
 * for good. */
void               confab_store_clear_account_async  (ConfabStore          *self,
                                                      const char           *server_url,
                                                      const char           *username,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           confab_store_clear_account_finish (ConfabStore          *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
