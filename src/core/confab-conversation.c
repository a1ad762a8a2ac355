/* confab-conversation.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-conversation.h"
#include "confab-conversation-private.h"
#include "confab-core-enums.h"
#include "confab-session.h"

struct _ConfabConversation
{
  GObject                    parent_instance;

  char                      *peer_name;
  ConfabConversationState    state;
  ConfabConversationFailure  failure;
  char                      *failure_reason;
  guint                      unread_count;
  /* ConfabSession, while it lists this conversation.  Weak: the session
   * owns its conversations, and a view may keep one after that. */
  GWeakRef                   session;

  /* ConfabChatMessage, oldest first: messages are only appended, and a
   * list view asks for items by position. */
  GPtrArray                 *messages;
  /* guint64 id -> the newest ConfabChatMessage with it (owned by
   * @messages): receipts arrive by id, for any message of a long chat. */
  GHashTable                *by_id;
};

enum
{
  PROP_0,
  PROP_PEER_NAME,
  PROP_STATE,
  PROP_FAILURE,
  PROP_FAILURE_REASON,
  PROP_UNREAD_COUNT,
  PROP_LAST_MESSAGE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
confab_conversation_get_item_type (GListModel *model)
{
  return CONFAB_TYPE_CHAT_MESSAGE;
}

static guint
confab_conversation_get_n_items (GListModel *model)
{
  ConfabConversation *self = CONFAB_CONVERSATION (model);

  return self->messages->len;
}

static gpointer
confab_conversation_get_item (GListModel *model,
                              guint       position)
{
  ConfabConversation *self = CONFAB_CONVERSATION (model);

  if (position >= self->messages->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = confab_conversation_get_item_type;
  iface->get_n_items = confab_conversation_get_n_items;
  iface->get_item = confab_conversation_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabConversation, confab_conversation, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
confab_conversation_dispose (GObject *object)
{
  ConfabConversation *self = (ConfabConversation *)object;

  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->messages, 0);

  G_OBJECT_CLASS (confab_conversation_parent_class)->dispose (object);
}

static void
confab_conversation_finalize (GObject *object)
{
  ConfabConversation *self = (ConfabConversation *)object;

  g_weak_ref_clear (&self->session);
  g_clear_pointer (&self->peer_name, g_free);
  g_clear_pointer (&self->failure_reason, g_free);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);

  G_OBJECT_CLASS (confab_conversation_parent_class)->finalize (object);
}

static void
confab_conversation_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_FAILURE:
      g_value_set_enum (value, self->failure);
      break;

    case PROP_FAILURE_REASON:
      g_value_set_string (value, self->failure_reason);
      break;

    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;

    case PROP_LAST_MESSAGE:
      g_value_set_object (value, confab_conversation_get_last_message (self));
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->messages->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabConversation *self = CONFAB_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_PEER_NAME:
      self->peer_name = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_class_init (ConfabConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_conversation_dispose;
  object_class->finalize = confab_conversation_finalize;
  object_class->get_property = confab_conversation_get_property;
  object_class->set_property = confab_conversation_set_property;

  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CONFAB_TYPE_CONVERSATION_STATE,
                       CONFAB_CONVERSATION_NEW,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FAILURE] =
    g_param_spec_enum ("failure", NULL, NULL,
                       CONFAB_TYPE_CONVERSATION_FAILURE,
                       CONFAB_CONVERSATION_FAILURE_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FAILURE_REASON] =
    g_param_spec_string ("failure-reason", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_MESSAGE] =
    g_param_spec_object ("last-message", NULL, NULL,
                         CONFAB_TYPE_CHAT_MESSAGE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_conversation_init (ConfabConversation *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_weak_ref_init (&self->session, NULL);
}

/**
 * confab_conversation_new:
 *
 * Returns: (transfer full): an empty conversation with @peer_name, in
 *   state new.
 */
ConfabConversation *
confab_conversation_new (const char *peer_name)
{
  g_return_val_if_fail (peer_name != NULL, NULL);

  return g_object_new (CONFAB_TYPE_CONVERSATION,
                       "peer-name", peer_name,
                       NULL);
}

const char *
confab_conversation_get_peer_name (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return self->peer_name;
}

ConfabConversationState
confab_conversation_get_state (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), CONFAB_CONVERSATION_NEW);

  return self->state;
}

ConfabConversationFailure
confab_conversation_get_failure (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), CONFAB_CONVERSATION_FAILURE_NONE);

  return self->failure;
}

const char *
confab_conversation_get_failure_reason (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  return self->failure_reason;
}

void
confab_conversation_set_state (ConfabConversation        *self,
                               ConfabConversationState    state,
                               ConfabConversationFailure  failure,
                               const char                *failure_reason)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (state <= CONFAB_CONVERSATION_FAILED);
  g_return_if_fail (failure <= CONFAB_CONVERSATION_FAILURE_TAMPERED);

  /* Notifications go out once all three hold their new values. */
  g_object_freeze_notify (G_OBJECT (self));

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  if (self->failure != failure)
    {
      self->failure = failure;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE]);
    }

  if (g_strcmp0 (self->failure_reason, failure_reason) != 0)
    {
      g_free (self->failure_reason);
      self->failure_reason = g_strdup (failure_reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

guint
confab_conversation_get_unread_count (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), 0);

  return self->unread_count;
}

void
confab_conversation_mark_read (ConfabConversation *self)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));

  if (self->unread_count == 0)
    return;

  self->unread_count = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

/**
 * confab_conversation_get_last_message:
 *
 * Returns: (transfer none) (nullable): the newest message.
 */
ConfabChatMessage *
confab_conversation_get_last_message (ConfabConversation *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  if (self->messages->len == 0)
    return NULL;

  return g_ptr_array_index (self->messages, self->messages->len - 1);
}

void
confab_conversation_append (ConfabConversation *self,
                            ConfabChatMessage  *message)
{
  guint64 id;
  guint position;

  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (CONFAB_IS_CHAT_MESSAGE (message));

  position = self->messages->len;
  g_ptr_array_add (self->messages, g_object_ref (message));

  id = confab_chat_message_get_id (message);
  if (id != 0)
    g_hash_table_replace (self->by_id, g_memdup2 (&id, sizeof id), message);

  if (confab_chat_message_get_direction (message) == CONFAB_CHAT_MESSAGE_INCOMING)
    self->unread_count++;

  /* The list first, so that a handler of any notification finds the
   * message already in it. */
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_MESSAGE]);
  if (confab_chat_message_get_direction (message) == CONFAB_CHAT_MESSAGE_INCOMING)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * confab_conversation_lookup_message:
 *
 * Returns: (transfer none) (nullable): the newest message with @id.
 */
ConfabChatMessage *
confab_conversation_lookup_message (ConfabConversation *self,
                                    guint64             id)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), NULL);

  if (id == 0)
    return NULL;

  return g_hash_table_lookup (self->by_id, &id);
}

gboolean
confab_conversation_set_delivery_state (ConfabConversation  *self,
                                        guint64              id,
                                        ConfabDeliveryState  state)
{
  ConfabChatMessage *message;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);

  message = confab_conversation_lookup_message (self, id);
  if (message == NULL)
    return FALSE;

  return confab_chat_message_set_delivery_state (message, state);
}

void
_confab_conversation_set_session (ConfabConversation *self,
                                  ConfabSession      *session)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION (self));
  g_return_if_fail (!session || CONFAB_IS_SESSION (session));

  g_weak_ref_set (&self->session, session);
}

/* The session that lists the conversation (a new reference), or NULL with
 * an error saying there is no such conversation any more. */
static ConfabSession *
confab_conversation_dup_session (ConfabConversation  *self,
                                 GError             **error)
{
  ConfabSession *session = g_weak_ref_get (&self->session);

  if (session == NULL)
    g_set_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION,
                 _("There is no conversation with %s."), self->peer_name);

  return session;
}

/* While a session lists the conversation, the conversation it knows by
 * the peer's name is this one: the name-keyed calls act on it. */

gboolean
confab_conversation_accept (ConfabConversation  *self,
                            GError             **error)
{
  g_autoptr(ConfabSession) session = NULL;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((session = confab_conversation_dup_session (self, error)) == NULL)
    return FALSE;

  return confab_session_accept (session, self->peer_name, error);
}

gboolean
confab_conversation_decline (ConfabConversation  *self,
                             GError             **error)
{
  g_autoptr(ConfabSession) session = NULL;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((session = confab_conversation_dup_session (self, error)) == NULL)
    return FALSE;

  return confab_session_decline (session, self->peer_name, error);
}

gboolean
confab_conversation_send_text (ConfabConversation  *self,
                               const char          *text,
                               GError             **error)
{
  g_autoptr(ConfabSession) session = NULL;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((session = confab_conversation_dup_session (self, error)) == NULL)
    return FALSE;

  return confab_session_send_text (session, self->peer_name, text, error);
}

gboolean
confab_conversation_hang_up (ConfabConversation  *self,
                             GError             **error)
{
  g_autoptr(ConfabSession) session = NULL;

  g_return_val_if_fail (CONFAB_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((session = confab_conversation_dup_session (self, error)) == NULL)
    return FALSE;

  return confab_session_hang_up (session, self->peer_name, error);
}
