/* confab-message-history.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-message-history.h"

struct _ConfabMessageHistory
{
  GObject      parent_instance;

  ConfabStore *store;
  char        *server_url;
  char        *username;
  char        *peer_name;
  GPtrArray   *items;        /* ConfabChatMessage, oldest first */
  guint        has_more : 1;
  guint        loading : 1;
};

enum
{
  PROP_0,
  PROP_STORE,
  PROP_SERVER_URL,
  PROP_USERNAME,
  PROP_PEER_NAME,
  PROP_HAS_MORE,
  PROP_LOADING,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
confab_message_history_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_CHAT_MESSAGE;
}

static guint
confab_message_history_get_n_items (GListModel *model)
{
  return CONFAB_MESSAGE_HISTORY (model)->items->len;
}

static gpointer
confab_message_history_get_item (GListModel *model,
                                 guint       position)
{
  ConfabMessageHistory *self = CONFAB_MESSAGE_HISTORY (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_message_history_get_item_type;
  iface->get_n_items = confab_message_history_get_n_items;
  iface->get_item = confab_message_history_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabMessageHistory, confab_message_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
confab_message_history_dispose (GObject *object)
{
  ConfabMessageHistory *self = (ConfabMessageHistory *)object;

  g_clear_object (&self->store);
  if (self->items != NULL)
    g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (confab_message_history_parent_class)->dispose (object);
}

static void
confab_message_history_finalize (GObject *object)
{
  ConfabMessageHistory *self = (ConfabMessageHistory *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->peer_name, g_free);

  G_OBJECT_CLASS (confab_message_history_parent_class)->finalize (object);
}

static void
confab_message_history_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  ConfabMessageHistory *self = CONFAB_MESSAGE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;

    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_history_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  ConfabMessageHistory *self = CONFAB_MESSAGE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SERVER_URL:
      self->server_url = g_value_dup_string (value);
      break;

    case PROP_USERNAME:
      self->username = g_value_dup_string (value);
      break;

    case PROP_PEER_NAME:
      self->peer_name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_history_class_init (ConfabMessageHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_message_history_dispose;
  object_class->finalize = confab_message_history_finalize;
  object_class->get_property = confab_message_history_get_property;
  object_class->set_property = confab_message_history_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CONFAB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_HAS_MORE] =
    g_param_spec_boolean ("has-more", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_message_history_init (ConfabMessageHistory *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->has_more = TRUE;
}

ConfabMessageHistory *
confab_message_history_new (ConfabStore *store,
                            const char  *server_url,
                            const char  *username,
                            const char  *peer_name)
{
  g_return_val_if_fail (CONFAB_IS_STORE (store), NULL);
  g_return_val_if_fail (server_url != NULL && username != NULL && peer_name != NULL, NULL);

  return g_object_new (CONFAB_TYPE_MESSAGE_HISTORY,
                       "store", store,
                       "server-url", server_url,
                       "username", username,
                       "peer-name", peer_name,
                       NULL);
}

ConfabStore *
confab_message_history_get_store (ConfabMessageHistory *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_HISTORY (self), NULL);

  return self->store;
}

const char *
confab_message_history_get_peer_name (ConfabMessageHistory *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_HISTORY (self), NULL);

  return self->peer_name;
}

gboolean
confab_message_history_get_has_more (ConfabMessageHistory *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_HISTORY (self), FALSE);

  return self->has_more;
}

gboolean
confab_message_history_get_loading (ConfabMessageHistory *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_HISTORY (self), FALSE);

  return self->loading;
}

static void
set_loading (ConfabMessageHistory *self,
             gboolean              loading)
{
  if (self->loading == !!loading)
    return;

  self->loading = !!loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
load_messages_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ConfabStore *store = CONFAB_STORE (object);
  g_autoptr(GTask) task = user_data;
  ConfabMessageHistory *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  guint64 first_id = 0;
  gboolean has_more;
  guint n_new = 0;

  g_assert (CONFAB_IS_MESSAGE_HISTORY (self));

  set_loading (self, FALSE);

  if (!(page = confab_store_load_messages_finish (store, result, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* One more than a page was asked for: whether it came says whether
   * anything is older than this page. */
  has_more = page->len > CONFAB_MESSAGE_HISTORY_PAGE_SIZE;
  if (has_more)
    g_ptr_array_remove_index (page, 0);

  /* Live messages appended while the first page was on its way may be in
   * it too: ids grow with time, so they are those from the first id shown
   * on, at the page's end. */
  if (self->items->len > 0)
    first_id = confab_chat_message_get_id (g_ptr_array_index (self->items, 0));
  while (n_new < page->len &&
         (first_id == 0 || confab_chat_message_get_id (g_ptr_array_index (page, n_new)) < first_id))
    n_new++;

  if (n_new > 0)
    {
      g_ptr_array_remove_range (page, n_new, page->len - n_new);
      g_ptr_array_extend_and_steal (page, g_steal_pointer (&self->items));
      self->items = g_steal_pointer (&page);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n_new);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }

  if (self->has_more != has_more)
    {
      self->has_more = has_more;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
    }

  g_task_return_boolean (task, TRUE);
}

void
confab_message_history_load_older_async (ConfabMessageHistory *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  guint64 before_id = 0;

  g_return_if_fail (CONFAB_IS_MESSAGE_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_message_history_load_older_async);

  if (self->loading)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Older messages are being loaded already");
      return;
    }

  /* Once the beginning is here, there is nothing before it; but the first
   * load always asks, so that a history made before it was known to be
   * empty still finds what was stored. */
  if (self->items->len > 0)
    {
      if (!self->has_more)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      before_id = confab_chat_message_get_id (g_ptr_array_index (self->items, 0));
    }

  set_loading (self, TRUE);
  confab_store_load_messages_async (self->store,
                                    self->server_url,
                                    self->username,
                                    self->peer_name,
                                    before_id,
                                    CONFAB_MESSAGE_HISTORY_PAGE_SIZE + 1,
                                    cancellable,
                                    load_messages_cb,
                                    g_steal_pointer (&task));
}

gboolean
confab_message_history_load_older_finish (ConfabMessageHistory  *self,
                                          GAsyncResult          *result,
                                          GError               **error)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_message_history_append (ConfabMessageHistory *self,
                               ConfabChatMessage    *message)
{
  guint position;

  g_return_if_fail (CONFAB_IS_MESSAGE_HISTORY (self));
  g_return_if_fail (CONFAB_IS_CHAT_MESSAGE (message));

  position = self->items->len;
  g_ptr_array_add (self->items, g_object_ref (message));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}
