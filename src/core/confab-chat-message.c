/* confab-chat-message.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-chat-message.h"
#include "confab-core-base-enums.h"

struct _ConfabChatMessage
{
  GObject                     parent_instance;

  guint64                     id;
  char                       *author;
  char                       *text;
  GDateTime                  *time;
  ConfabChatMessageDirection  direction;
  ConfabDeliveryState         delivery_state;
};

enum
{
  PROP_0,
  PROP_ID,
  PROP_DIRECTION,
  PROP_AUTHOR,
  PROP_TEXT,
  PROP_TIME,
  PROP_DELIVERY_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ConfabChatMessage, confab_chat_message, G_TYPE_OBJECT)

static void
confab_chat_message_constructed (GObject *object)
{
  ConfabChatMessage *self = (ConfabChatMessage *)object;

  G_OBJECT_CLASS (confab_chat_message_parent_class)->constructed (object);

  /* In UTC: views convert to local time as they show it.  Asking GLib for
   * local time here re-reads /etc/localtime when TZ is unset, four times
   * per round trip (bench-channel). */
  if (self->time == NULL)
    self->time = g_date_time_new_now_utc ();
  if (self->author == NULL)
    self->author = g_strdup ("");
  if (self->text == NULL)
    self->text = g_strdup ("");

  /* What arrived has nothing left to wait for. */
  self->delivery_state = self->direction == CONFAB_CHAT_MESSAGE_OUTGOING
                           ? CONFAB_DELIVERY_SENDING
                           : CONFAB_DELIVERY_DELIVERED;
}

static void
confab_chat_message_finalize (GObject *object)
{
  ConfabChatMessage *self = (ConfabChatMessage *)object;

  g_clear_pointer (&self->author, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->time, g_date_time_unref);

  G_OBJECT_CLASS (confab_chat_message_parent_class)->finalize (object);
}

static void
confab_chat_message_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabChatMessage *self = CONFAB_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;

    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;

    case PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;

    case PROP_DELIVERY_STATE:
      g_value_set_enum (value, self->delivery_state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_message_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabChatMessage *self = CONFAB_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint64 (value);
      break;

    case PROP_DIRECTION:
      self->direction = g_value_get_enum (value);
      break;

    case PROP_AUTHOR:
      self->author = g_value_dup_string (value);
      break;

    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;

    case PROP_TIME:
      self->time = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_chat_message_class_init (ConfabChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_chat_message_constructed;
  object_class->finalize = confab_chat_message_finalize;
  object_class->get_property = confab_chat_message_get_property;
  object_class->set_property = confab_chat_message_set_property;

  properties[PROP_ID] =
    g_param_spec_uint64 ("id", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       CONFAB_TYPE_CHAT_MESSAGE_DIRECTION,
                       CONFAB_CHAT_MESSAGE_INCOMING,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTHOR] =
    g_param_spec_string ("author", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TIME] =
    g_param_spec_boxed ("time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DELIVERY_STATE] =
    g_param_spec_enum ("delivery-state", NULL, NULL,
                       CONFAB_TYPE_DELIVERY_STATE,
                       CONFAB_DELIVERY_SENDING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_chat_message_init (ConfabChatMessage *self)
{
}

/**
 * confab_chat_message_new:
 *
 * Returns: (transfer full): a new message.
 */
ConfabChatMessage *
confab_chat_message_new (guint64                     id,
                         ConfabChatMessageDirection  direction,
                         const char                 *author,
                         const char                 *text,
                         GDateTime                  *time)
{
  g_return_val_if_fail (author != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (CONFAB_TYPE_CHAT_MESSAGE,
                       "id", id,
                       "direction", direction,
                       "author", author,
                       "text", text,
                       "time", time,
                       NULL);
}

guint64
confab_chat_message_get_id (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), 0);

  return self->id;
}

ConfabChatMessageDirection
confab_chat_message_get_direction (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), CONFAB_CHAT_MESSAGE_INCOMING);

  return self->direction;
}

const char *
confab_chat_message_get_author (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), NULL);

  return self->author;
}

const char *
confab_chat_message_get_text (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), NULL);

  return self->text;
}

/**
 * confab_chat_message_get_time:
 *
 * Returns: (transfer none): when the message was written or arrived.
 */
GDateTime *
confab_chat_message_get_time (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), NULL);

  return self->time;
}

ConfabDeliveryState
confab_chat_message_get_delivery_state (ConfabChatMessage *self)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), CONFAB_DELIVERY_FAILED);

  return self->delivery_state;
}

static gboolean
delivery_state_follows (ConfabDeliveryState from,
                        ConfabDeliveryState to)
{
  switch (from)
    {
    case CONFAB_DELIVERY_SENDING:
      return to != CONFAB_DELIVERY_SENDING;

    case CONFAB_DELIVERY_SENT:
      return to == CONFAB_DELIVERY_DELIVERED || to == CONFAB_DELIVERY_FAILED;

    /* Final: a receipt cannot be taken back, nor a failure undone. */
    case CONFAB_DELIVERY_DELIVERED:
    case CONFAB_DELIVERY_FAILED:
    default:
      return FALSE;
    }
}

gboolean
confab_chat_message_set_delivery_state (ConfabChatMessage   *self,
                                        ConfabDeliveryState  state)
{
  g_return_val_if_fail (CONFAB_IS_CHAT_MESSAGE (self), FALSE);
  g_return_val_if_fail (state <= CONFAB_DELIVERY_FAILED, FALSE);

  /* Reports can cross (a receipt overtaking "sent" on a busy channel);
   * the furthest step wins. */
  if (!delivery_state_follows (self->delivery_state, state))
    return FALSE;

  self->delivery_state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIVERY_STATE]);

  return TRUE;
}
