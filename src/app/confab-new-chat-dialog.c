/* confab-new-chat-dialog.c: asks for the name of the person to chat with
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-message.h"
#include "confab-new-chat-dialog.h"

struct _ConfabNewChatDialog
{
  AdwMessageDialog  parent_instance;

  char             *own_name;

  /* Template widgets */
  GtkEntry         *entry;
  GtkLabel         *problem_label;
};

G_DEFINE_FINAL_TYPE (ConfabNewChatDialog, confab_new_chat_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
entry_changed_cb (ConfabNewChatDialog *self,
                  GtkEditable         *editable)
{
  g_autofree char *peer = confab_new_chat_dialog_dup_peer (self);
  const char *problem = NULL;

  g_assert (CONFAB_IS_NEW_CHAT_DIALOG (self));

  /* An empty entry needs no scolding: the disabled button says enough. */
  if (peer[0] != '\0' && !confab_message_validate_name (peer, NULL))
    problem = _("That is not a name anyone can have: it is too long or contains control characters.");
  else if (g_strcmp0 (peer, self->own_name) == 0)
    problem = _("That is you. Enter the name of someone else.");

  gtk_label_set_label (self->problem_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), problem != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "start",
                                           peer[0] != '\0' && problem == NULL);
}

static void
confab_new_chat_dialog_dispose (GObject *object)
{
  ConfabNewChatDialog *self = CONFAB_NEW_CHAT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_NEW_CHAT_DIALOG);

  G_OBJECT_CLASS (confab_new_chat_dialog_parent_class)->dispose (object);
}

static void
confab_new_chat_dialog_finalize (GObject *object)
{
  ConfabNewChatDialog *self = CONFAB_NEW_CHAT_DIALOG (object);

  g_clear_pointer (&self->own_name, g_free);

  G_OBJECT_CLASS (confab_new_chat_dialog_parent_class)->finalize (object);
}

static void
confab_new_chat_dialog_class_init (ConfabNewChatDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_new_chat_dialog_dispose;
  object_class->finalize = confab_new_chat_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-new-chat-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabNewChatDialog, entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabNewChatDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
}

static void
confab_new_chat_dialog_init (ConfabNewChatDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabNewChatDialog *
confab_new_chat_dialog_new (GtkWindow  *parent,
                            const char *own_name)
{
  ConfabNewChatDialog *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (CONFAB_TYPE_NEW_CHAT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->own_name = g_strdup (own_name);

  return self;
}

char *
confab_new_chat_dialog_dup_peer (ConfabNewChatDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_NEW_CHAT_DIALOG (self), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
}
