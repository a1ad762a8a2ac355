/* confab-store.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-store-private.h"

struct _ConfabStore
{
  GObject      parent_instance;

  char        *directory;
  char        *path;
  StoreWorker *worker;
  /* The next message id to give: ids are given here, on the caller's
   * thread, so that a message has its id before it is stored. */
  gint64       next_id;
  guint        opening : 1;
  guint        opened : 1;
};

enum
{
  PROP_0,
  PROP_DIRECTORY,
  PROP_PATH,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ConfabStore, confab_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (confab-store-error-quark, confab_store_error)

int
_confab_store_state_to_code (ConfabDeliveryState state)
{
  switch (state)
    {
    case CONFAB_DELIVERY_SENDING:
      return 0;
    case CONFAB_DELIVERY_SENT:
      return 1;
    case CONFAB_DELIVERY_DELIVERED:
      return 2;
    case CONFAB_DELIVERY_FAILED:
      return 3;
    default:
      g_return_val_if_reached (0);
    }
}

ConfabDeliveryState
_confab_store_state_from_code (int code)
{
  switch (code)
    {
    case 1:
      return CONFAB_DELIVERY_SENT;
    case 2:
      return CONFAB_DELIVERY_DELIVERED;
    case 3:
      return CONFAB_DELIVERY_FAILED;
    case 0:
    default:
      return CONFAB_DELIVERY_SENDING;
    }
}

gint64
_confab_store_time_to_usec (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

GDateTime *
_confab_store_time_from_usec (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return g_date_time_add (seconds, usec % G_USEC_PER_SEC);
}

static void
confab_store_finalize (GObject *object)
{
  ConfabStore *self = (ConfabStore *)object;

  /* Every call holds a reference to the store, so nothing is pending:
   * this only ends the thread. */
  g_clear_pointer (&self->worker, _confab_store_worker_free);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (confab_store_parent_class)->finalize (object);
}

static void
confab_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ConfabStore *self = CONFAB_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_PERSISTENT:
      g_value_set_boolean (value, confab_store_get_persistent (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ConfabStore *self = CONFAB_STORE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_store_class_init (ConfabStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_store_finalize;
  object_class->get_property = confab_store_get_property;
  object_class->set_property = confab_store_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_store_init (ConfabStore *self)
{
  self->worker = _confab_store_worker_new ();
  self->next_id = 1;
}

ConfabStore *
confab_store_new (const char *directory)
{
  return g_object_new (CONFAB_TYPE_STORE,
                       "directory", directory,
                       NULL);
}

const char *
confab_store_get_directory (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return self->directory;
}

const char *
confab_store_get_path (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);

  return self->path;
}

gboolean
confab_store_get_persistent (ConfabStore *self)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);

  return self->path != NULL;
}

/* A request for @task, pushed by the caller once filled in. */
static StoreRequest *
request_new (ConfabStore         *self,
             StoreRequestKind     kind,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* A write that was committed completes as such even if it was cancelled
   * meanwhile: the caller must know what is on disk. */
  g_task_set_check_cancellable (task, FALSE);

  return _confab_store_request_new (kind, task);
}

static StoreRequest *
request_new_for_peer (ConfabStore         *self,
                      StoreRequestKind     kind,
                      gpointer             source_tag,
                      const char          *server_url,
                      const char          *username,
                      const char          *peer,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  StoreRequest *request = request_new (self, kind, source_tag, cancellable, callback, user_data);

  request->server_url = g_strdup (server_url);
  request->username = g_strdup (username);
  request->peer = g_strdup (peer);

  return request;
}

static gboolean
finish_boolean (ConfabStore   *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
finish_pointer (ConfabStore   *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
open_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabStore *self = CONFAB_STORE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  StoreOpened *opened;
  GError *open_error;

  g_assert (CONFAB_IS_STORE (self));

  self->opening = FALSE;
  self->opened = TRUE;

  opened = g_task_propagate_pointer (G_TASK (result), &error);
  g_assert (opened != NULL);

  self->next_id = opened->next_id;
  if (g_strcmp0 (self->path, opened->path) != 0)
    {
      g_free (self->path);
      self->path = g_steal_pointer (&opened->path);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
    }
  g_free (opened->path);
  g_free (opened);

  open_error = g_task_get_task_data (G_TASK (result));
  if (open_error != NULL)
    g_task_return_error (task, g_error_copy (open_error));
  else
    g_task_return_boolean (task, TRUE);
}

void
confab_store_open_async (ConfabStore         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreRequest *request;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (!self->opening && !self->opened);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_store_open_async);
  /* Opening is not cancelled halfway: the store must end up usable. */
  g_task_set_check_cancellable (task, FALSE);

  self->opening = TRUE;
  request = request_new (self, STORE_REQUEST_OPEN, confab_store_open_async,
                         NULL, open_cb, g_steal_pointer (&task));
  request->directory = g_strdup (self->directory);
  _confab_store_worker_push (self->worker, request);
}

gboolean
confab_store_open_finish (ConfabStore   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return finish_boolean (self, result, confab_store_open_async, error);
}

ConfabChatMessage *
confab_store_new_message (ConfabStore                *self,
                          ConfabChatMessageDirection  direction,
                          const char                 *author,
                          const char                 *text,
                          GDateTime                  *time)
{
  g_return_val_if_fail (CONFAB_IS_STORE (self), NULL);
  g_return_val_if_fail (self->opened, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return confab_chat_message_new (self->next_id++, direction, author, text, time);
}

void
confab_store_add_message_async (ConfabStore         *self,
                                const char          *server_url,
                                const char          *username,
                                const char          *peer,
                                ConfabChatMessage   *message,
                                ConfabStoreAddFlags  flags,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  StoreRequest *request;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);
  g_return_if_fail (server_url != NULL && username != NULL && peer != NULL);
  g_return_if_fail (CONFAB_IS_CHAT_MESSAGE (message));
  g_return_if_fail (confab_chat_message_get_id (message) != 0);

  request = request_new_for_peer (self, STORE_REQUEST_ADD_MESSAGE, confab_store_add_message_async,
                                  server_url, username, peer, cancellable, callback, user_data);
  request->message = g_object_ref (message);
  request->flags = flags;
  _confab_store_worker_push (self->worker, request);
}

gboolean
confab_store_add_message_finish (ConfabStore   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_boolean (self, result, confab_store_add_message_async, error);
}

void
confab_store_set_delivery_state_async (ConfabStore         *self,
                                       guint64              id,
                                       ConfabDeliveryState  state,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  StoreRequest *request;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);

  request = request_new (self, STORE_REQUEST_SET_DELIVERY_STATE,
                         confab_store_set_delivery_state_async,
                         cancellable, callback, user_data);
  request->id = id;
  request->state = state;
  _confab_store_worker_push (self->worker, request);
}

gboolean
confab_store_set_delivery_state_finish (ConfabStore   *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_boolean (self, result, confab_store_set_delivery_state_async, error);
}

/* The calls that name a conversation and answer with a boolean. */
static void
push_for_peer (ConfabStore         *self,
               StoreRequestKind     kind,
               gpointer             source_tag,
               const char          *server_url,
               const char          *username,
               const char          *peer,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);
  g_return_if_fail (server_url != NULL && username != NULL);
  g_return_if_fail (peer != NULL || kind == STORE_REQUEST_CLEAR_ACCOUNT ||
                    kind == STORE_REQUEST_LIST_CONVERSATIONS ||
                    kind == STORE_REQUEST_LIST_OUTBOX_PEERS);

  _confab_store_worker_push (self->worker,
                             request_new_for_peer (self, kind, source_tag,
                                                   server_url, username, peer,
                                                   cancellable, callback, user_data));
}

void
confab_store_mark_read_async (ConfabStore         *self,
                              const char          *server_url,
                              const char          *username,
                              const char          *peer,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_MARK_READ, confab_store_mark_read_async,
                 server_url, username, peer, cancellable, callback, user_data);
}

gboolean
confab_store_mark_read_finish (ConfabStore   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_boolean (self, result, confab_store_mark_read_async, error);
}

void
confab_store_list_conversations_async (ConfabStore         *self,
                                       const char          *server_url,
                                       const char          *username,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_LIST_CONVERSATIONS, confab_store_list_conversations_async,
                 server_url, username, NULL, cancellable, callback, user_data);
}

GListModel *
confab_store_list_conversations_finish (ConfabStore   *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_pointer (self, result, confab_store_list_conversations_async, error);
}

void
confab_store_load_messages_async (ConfabStore         *self,
                                  const char          *server_url,
                                  const char          *username,
                                  const char          *peer,
                                  guint64              before_id,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  StoreRequest *request;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);
  g_return_if_fail (server_url != NULL && username != NULL && peer != NULL);

  request = request_new_for_peer (self, STORE_REQUEST_LOAD_MESSAGES, confab_store_load_messages_async,
                                  server_url, username, peer, cancellable, callback, user_data);
  request->id = before_id;
  request->limit = limit;
  _confab_store_worker_push (self->worker, request);
}

GPtrArray *
confab_store_load_messages_finish (ConfabStore   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_pointer (self, result, confab_store_load_messages_async, error);
}

void
confab_store_search_async (ConfabStore         *self,
                           const char          *server_url,
                           const char          *username,
                           const char          *peer,
                           const char          *query,
                           guint                limit,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  StoreRequest *request;

  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);
  g_return_if_fail (server_url != NULL && username != NULL);
  g_return_if_fail (query != NULL);

  request = request_new_for_peer (self, STORE_REQUEST_SEARCH, confab_store_search_async,
                                  server_url, username, peer, cancellable, callback, user_data);
  request->query = g_strdup (query);
  request->limit = limit;
  _confab_store_worker_push (self->worker, request);
}

GListModel *
confab_store_search_finish (ConfabStore   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_pointer (self, result, confab_store_search_async, error);
}

void
confab_store_list_outbox_async (ConfabStore         *self,
                                const char          *server_url,
                                const char          *username,
                                const char          *peer,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_LIST_OUTBOX, confab_store_list_outbox_async,
                 server_url, username, peer, cancellable, callback, user_data);
}

GPtrArray *
confab_store_list_outbox_finish (ConfabStore   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_pointer (self, result, confab_store_list_outbox_async, error);
}

void
confab_store_list_outbox_peers_async (ConfabStore         *self,
                                      const char          *server_url,
                                      const char          *username,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_LIST_OUTBOX_PEERS, confab_store_list_outbox_peers_async,
                 server_url, username, NULL, cancellable, callback, user_data);
}

char **
confab_store_list_outbox_peers_finish (ConfabStore   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return finish_pointer (self, result, confab_store_list_outbox_peers_async, error);
}

void
confab_store_delete_conversation_async (ConfabStore         *self,
                                        const char          *server_url,
                                        const char          *username,
                                        const char          *peer,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_DELETE_CONVERSATION, confab_store_delete_conversation_async,
                 server_url, username, peer, cancellable, callback, user_data);
}

gboolean
confab_store_delete_conversation_finish (ConfabStore   *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return finish_boolean (self, result, confab_store_delete_conversation_async, error);
}

void
confab_store_restore_conversation_async (ConfabStore         *self,
                                         const char          *server_url,
                                         const char          *username,
                                         const char          *peer,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_RESTORE_CONVERSATION, confab_store_restore_conversation_async,
                 server_url, username, peer, cancellable, callback, user_data);
}

gboolean
confab_store_restore_conversation_finish (ConfabStore   *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return finish_boolean (self, result, confab_store_restore_conversation_async, error);
}

void
confab_store_purge_deleted_async (ConfabStore         *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (CONFAB_IS_STORE (self));
  g_return_if_fail (self->opened);

  _confab_store_worker_push (self->worker,
                             request_new (self, STORE_REQUEST_PURGE_DELETED,
                                          confab_store_purge_deleted_async,
                                          cancellable, callback, user_data));
}

gboolean
confab_store_purge_deleted_finish (ConfabStore   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_boolean (self, result, confab_store_purge_deleted_async, error);
}

void
confab_store_clear_account_async (ConfabStore         *self,
                                  const char          *server_url,
                                  const char          *username,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  push_for_peer (self, STORE_REQUEST_CLEAR_ACCOUNT, confab_store_clear_account_async,
                 server_url, username, NULL, cancellable, callback, user_data);
}

gboolean
confab_store_clear_account_finish (ConfabStore   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_boolean (self, result, confab_store_clear_account_async, error);
}
