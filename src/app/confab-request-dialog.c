/* confab-request-dialog.c: asks whether to accept a chat someone offers
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-request-dialog.h"

struct _ConfabRequestDialog
{
  AdwMessageDialog    parent_instance;

  ConfabConversation *conversation;
};

enum {
  PROP_0,
  PROP_CONVERSATION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabRequestDialog, confab_request_dialog, ADW_TYPE_MESSAGE_DIALOG)

static GParamSpec *properties[N_PROPS];

static void
conversation_state_cb (ConfabRequestDialog *self,
                       GParamSpec          *pspec,
                       ConfabConversation  *conversation)
{
  g_assert (CONFAB_IS_REQUEST_DIALOG (self));

  /* Answered (here, from a notification or by calling back) or given up
   * by the caller: either way the question is moot, and goes away rather
   * than lingering. */
  if (confab_conversation_get_state (conversation) != CONFAB_CONVERSATION_INCOMING)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
confab_request_dialog_constructed (GObject *object)
{
  ConfabRequestDialog *self = CONFAB_REQUEST_DIALOG (object);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  g_autofree char *heading = NULL;

  G_OBJECT_CLASS (confab_request_dialog_parent_class)->constructed (object);

  g_assert (CONFAB_IS_CONVERSATION (self->conversation));

  /* Translators: the heading of the accept dialog; %s is the caller */
  heading = g_strdup_printf (_("%s wants to chat with you"),
                             confab_conversation_get_peer_name (self->conversation));
  adw_message_dialog_set_heading (dialog, heading);
  adw_message_dialog_set_body (dialog, _("Nothing is connected until you accept. "
                                         "Your messages then go directly to them."));
  adw_message_dialog_add_responses (dialog,
                                    "decline", _("_Decline"),
                                    "accept", _("_Accept"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  /* Escape closes the dialog without an answer being taken for one: it
   * declines, as the mobile app's dialog does when dismissed. */
  adw_message_dialog_set_close_response (dialog, "decline");

  g_signal_connect_object (self->conversation, "notify::state",
                           G_CALLBACK (conversation_state_cb), self, G_CONNECT_SWAPPED);
}

/* The conversation is dropped in finalize, not dispose: GtkWidget's
 * dispose, which runs after ours, emits "destroy", and the window's
 * handler of it asks the dialog which request's notification to
 * withdraw. */
static void
confab_request_dialog_finalize (GObject *object)
{
  ConfabRequestDialog *self = CONFAB_REQUEST_DIALOG (object);

  g_clear_object (&self->conversation);

  G_OBJECT_CLASS (confab_request_dialog_parent_class)->finalize (object);
}

static void
confab_request_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ConfabRequestDialog *self = CONFAB_REQUEST_DIALOG (object);

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
confab_request_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ConfabRequestDialog *self = CONFAB_REQUEST_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      self->conversation = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_request_dialog_class_init (ConfabRequestDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = confab_request_dialog_constructed;
  object_class->finalize = confab_request_dialog_finalize;
  object_class->get_property = confab_request_dialog_get_property;
  object_class->set_property = confab_request_dialog_set_property;

  /* The request the dialog asks about, for its whole life. */
  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL,
                         CONFAB_TYPE_CONVERSATION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_request_dialog_init (ConfabRequestDialog *self)
{
}

ConfabRequestDialog *
confab_request_dialog_new (GtkWindow          *parent,
                           ConfabConversation *conversation)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CONFAB_IS_CONVERSATION (conversation), NULL);

  return g_object_new (CONFAB_TYPE_REQUEST_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "conversation", conversation,
                       NULL);
}

ConfabConversation *
confab_request_dialog_get_conversation (ConfabRequestDialog *self)
{
  g_return_val_if_fail (CONFAB_IS_REQUEST_DIALOG (self), NULL);

  return self->conversation;
}
