/* confab-conversation-row.c: one conversation in the sidebar
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-row.h"
#include "confab-state-text.h"

struct _ConfabConversationRow
{
  GtkWidget           parent_instance;

  ConfabConversation *conversation;
};

enum {
  PROP_0,
  PROP_CONVERSATION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabConversationRow, confab_conversation_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static char *
state_text_cb (ConfabConversationRow *self,
               ConfabConversationState        state,
               ConfabConversationFailure       reason)
{
  return g_strdup (confab_state_text_summary (state, reason));
}

static gboolean
has_unread_cb (ConfabConversationRow *self,
               guint                  unread_count)
{
  return unread_count > 0;
}

static char *
unread_text_cb (ConfabConversationRow *self,
                guint                  unread_count)
{
  return g_strdup_printf ("%u", unread_count);
}

static void
confab_conversation_row_dispose (GObject *object)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_ROW);
  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (confab_conversation_row_parent_class)->dispose (object);
}

static void
confab_conversation_row_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      g_value_set_object (value, self->conversation);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_row_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  ConfabConversationRow *self = CONFAB_CONVERSATION_ROW (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      confab_conversation_row_set_conversation (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_row_class_init (ConfabConversationRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_row_dispose;
  object_class->get_property = confab_conversation_row_get_property;
  object_class->set_property = confab_conversation_row_set_property;

  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL,
                         CONFAB_TYPE_CONVERSATION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-conversation-row.ui");
  gtk_widget_class_bind_template_callback (widget_class, state_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, has_unread_cb);
  gtk_widget_class_bind_template_callback (widget_class, unread_text_cb);
}

static void
confab_conversation_row_init (ConfabConversationRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabConversation *
confab_conversation_row_get_conversation (ConfabConversationRow *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_ROW (self), NULL);

  return self->conversation;
}

void
confab_conversation_row_set_conversation (ConfabConversationRow *self,
                                          ConfabConversation    *conversation)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_ROW (self));
  g_return_if_fail (!conversation || CONFAB_IS_CONVERSATION (conversation));

  if (g_set_object (&self->conversation, conversation))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}
