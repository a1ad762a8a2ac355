/* confab-conversation-summary.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-conversation-summary.h"

struct _ConfabConversationSummary
{
  GObject            parent_instance;

  char              *peer_name;
  guint              unread_count;
  GDateTime         *last_activity;
  ConfabChatMessage *last_message;
  char              *preview;
};

enum
{
  PROP_0,
  PROP_PEER_NAME,
  PROP_UNREAD_COUNT,
  PROP_LAST_ACTIVITY,
  PROP_LAST_MESSAGE,
  PROP_PREVIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ConfabConversationSummary, confab_conversation_summary, G_TYPE_OBJECT)

static void
confab_conversation_summary_dispose (GObject *object)
{
  ConfabConversationSummary *self = (ConfabConversationSummary *)object;

  g_clear_object (&self->last_message);

  G_OBJECT_CLASS (confab_conversation_summary_parent_class)->dispose (object);
}

static void
confab_conversation_summary_finalize (GObject *object)
{
  ConfabConversationSummary *self = (ConfabConversationSummary *)object;

  g_clear_pointer (&self->peer_name, g_free);
  g_clear_pointer (&self->last_activity, g_date_time_unref);
  g_clear_pointer (&self->preview, g_free);

  G_OBJECT_CLASS (confab_conversation_summary_parent_class)->finalize (object);
}

static void
confab_conversation_summary_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  ConfabConversationSummary *self = CONFAB_CONVERSATION_SUMMARY (object);

  switch (prop_id)
    {
    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;

    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;

    case PROP_LAST_ACTIVITY:
      g_value_set_boxed (value, self->last_activity);
      break;

    case PROP_LAST_MESSAGE:
      g_value_set_object (value, self->last_message);
      break;

    case PROP_PREVIEW:
      g_value_set_string (value, self->preview);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_summary_class_init (ConfabConversationSummaryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_conversation_summary_dispose;
  object_class->finalize = confab_conversation_summary_finalize;
  object_class->get_property = confab_conversation_summary_get_property;

  properties[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_ACTIVITY] =
    g_param_spec_boxed ("last-activity", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_MESSAGE] =
    g_param_spec_object ("last-message", NULL, NULL,
                         CONFAB_TYPE_CHAT_MESSAGE,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_PREVIEW] =
    g_param_spec_string ("preview", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_conversation_summary_init (ConfabConversationSummary *self)
{
}

ConfabConversationSummary *
confab_conversation_summary_new (const char        *peer_name,
                                 guint              unread_count,
                                 GDateTime         *last_activity,
                                 ConfabChatMessage *last_message)
{
  ConfabConversationSummary *self;
  const char *text;

  g_return_val_if_fail (peer_name != NULL, NULL);
  g_return_val_if_fail (last_activity != NULL, NULL);
  g_return_val_if_fail (last_message == NULL || CONFAB_IS_CHAT_MESSAGE (last_message), NULL);

  self = g_object_new (CONFAB_TYPE_CONVERSATION_SUMMARY, NULL);
  self->peer_name = g_strdup (peer_name);
  self->unread_count = unread_count;
  self->last_activity = g_date_time_ref (last_activity);
  g_set_object (&self->last_message, last_message);

  /* A row has room for one line. */
  text = last_message != NULL ? confab_chat_message_get_text (last_message) : "";
  self->preview = g_strndup (text, strcspn (text, "\r\n"));

  return self;
}

const char *
confab_conversation_summary_get_peer_name (ConfabConversationSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SUMMARY (self), NULL);

  return self->peer_name;
}

guint
confab_conversation_summary_get_unread_count (ConfabConversationSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SUMMARY (self), 0);

  return self->unread_count;
}

GDateTime *
confab_conversation_summary_get_last_activity (ConfabConversationSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SUMMARY (self), NULL);

  return self->last_activity;
}

ConfabChatMessage *
confab_conversation_summary_get_last_message (ConfabConversationSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SUMMARY (self), NULL);

  return self->last_message;
}

const char *
confab_conversation_summary_get_preview (ConfabConversationSummary *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_SUMMARY (self), NULL);

  return self->preview;
}
