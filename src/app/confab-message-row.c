/* confab-message-row.c: one chat message in a conversation
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-message-row.h"

struct _ConfabMessageRow
{
  GtkWidget          parent_instance;

  ConfabChatMessage *message;

  /* Template widgets */
  GtkWidget         *bubble;
};

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabMessageRow, confab_message_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static const char *
delivery_text (ConfabDeliveryState state)
{
  switch (state)
    {
    case CONFAB_DELIVERY_SENDING:
      return _("Sending");
    case CONFAB_DELIVERY_SENT:
      return _("Sent");
    case CONFAB_DELIVERY_DELIVERED:
      return _("Delivered");
    case CONFAB_DELIVERY_FAILED:
      return _("Not sent");
    default:
      return "";
    }
}

/* The time of every message, and for our own the delivery state too, in
 * words rather than ticks so that a screen reader says the same. */
static char *
meta_text_cb (ConfabMessageRow          *self,
              GDateTime                 *time,
              ConfabChatMessageDirection direction,
              ConfabDeliveryState        state)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *clock = NULL;

  if (time == NULL)
    return g_strdup ("");

  /* Messages keep their time in UTC. */
  local = g_date_time_to_local (time);
  clock = g_date_time_format (local, "%H:%M");
  if (direction != CONFAB_CHAT_MESSAGE_OUTGOING)
    return g_steal_pointer (&clock);

  /* Translators: the time a message was sent, then its delivery state,
   * as in "14:05 · Delivered" */
  return g_strdup_printf (_("%s · %s"), clock, delivery_text (state));
}

static void
confab_message_row_dispose (GObject *object)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_MESSAGE_ROW);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (confab_message_row_parent_class)->dispose (object);
}

static void
confab_message_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabMessageRow *self = CONFAB_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      confab_message_row_set_message (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_message_row_class_init (ConfabMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_message_row_dispose;
  object_class->get_property = confab_message_row_get_property;
  object_class->set_property = confab_message_row_set_property;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         CONFAB_TYPE_CHAT_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabMessageRow, bubble);
  gtk_widget_class_bind_template_callback (widget_class, meta_text_cb);
}

static void
confab_message_row_init (ConfabMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabChatMessage *
confab_message_row_get_message (ConfabMessageRow *self)
{
  g_return_val_if_fail (CONFAB_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
confab_message_row_set_message (ConfabMessageRow  *self,
                                ConfabChatMessage *message)
{
  gboolean outgoing;

  g_return_if_fail (CONFAB_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CONFAB_IS_CHAT_MESSAGE (message));

  if (!g_set_object (&self->message, message))
    return;

  /* Rows are recycled between messages of either direction, so the side
   * and the colour are set again each time. */
  outgoing = message != NULL &&
             confab_chat_message_get_direction (message) == CONFAB_CHAT_MESSAGE_OUTGOING;
  gtk_widget_set_halign (self->bubble, outgoing ? GTK_ALIGN_END : GTK_ALIGN_START);
  if (outgoing)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "outgoing");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "incoming");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "incoming");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "outgoing");
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}
