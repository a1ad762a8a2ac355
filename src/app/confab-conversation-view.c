/* confab-conversation-view.c: one conversation, its messages and its entry
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-conversation-view.h"
#include "confab-message-row.h"
#include "confab-state-text.h"

struct _ConfabConversationView
{
  GtkWidget           parent_instance;

  ConfabSession      *session;
  ConfabConversation *conversation;
  GtkRoot            *root;
  /* What the view listens to and shows of whichever session and
   * conversation it is given: connected and disconnected as they change. */
  GSignalGroup       *session_signals;
  GSignalGroup       *conversation_signals;
  GBindingGroup      *conversation_bindings;

  /* Template widgets */
  AdwHeaderBar       *header_bar;
  GtkWidget          *back_button;
  GtkWidget          *close_button;
  AdwWindowTitle     *window_title;
  GtkRevealer        *banner_revealer;
  GtkLabel           *banner_label;
  GtkButton          *banner_button;
  GtkStack           *content_stack;
  GtkScrolledWindow  *scrolled_window;
  GtkListView        *messages_view;
  GtkWidget          *composer;
  GtkEntry           *entry;
  GtkLabel           *reason_label;

  guint               folded : 1;
  /* Follow new messages unless the person scrolled up to read. */
  guint               stick_to_bottom : 1;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CONVERSATION,
  PROP_FOLDED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabConversationView, confab_conversation_view, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static gboolean
confab_conversation_view_is_open (ConfabConversationView *self)
{
  return self->conversation != NULL &&
         confab_conversation_get_state (self->conversation) == CONFAB_CONVERSATION_OPEN;
}

/* What went wrong, as a sentence, with the action that may help; NULL
 * when nothing did.  The session's trouble comes first: without the
 * server no conversation can be retried. */
static char *
confab_conversation_view_describe_trouble (ConfabConversationView  *self,
                                           const char             **retry_action,
                                           const char             **retry_label)
{
  const char *peer;

  *retry_action = NULL;
  *retry_label = _("_Retry");

  if (self->session != NULL)
    {
      switch (confab_session_get_state (self->session))
        {
        case CONFAB_SESSION_RECONNECTING:
          return g_strdup (_("The connection to the server was lost. Reconnecting…"));

        case CONFAB_SESSION_FAILED:
          *retry_action = "win.reconnect";
          if (confab_session_get_last_error (self->session) != NULL)
            /* Translators: %s is the reason, a sentence of its own */
            return g_strdup_printf (_("Cannot reach the server. %s"),
                                    confab_session_get_last_error (self->session));
          return g_strdup (_("Cannot reach the server."));

        case CONFAB_SESSION_DISCONNECTED:
        case CONFAB_SESSION_CONNECTING:
        case CONFAB_SESSION_REGISTERED:
        default:
          break;
        }
    }

  if (self->conversation == NULL)
    return NULL;

  peer = confab_conversation_get_peer_name (self->conversation);
  *retry_action = "conversation.retry";

  switch (confab_conversation_get_state (self->conversation))
    {
    case CONFAB_CONVERSATION_FAILED:
      switch (confab_conversation_get_failure (self->conversation))
        {
        case CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE:
          return g_strdup_printf (_("%s is not online. Ask them to sign in to the same server, then retry."), peer);
        case CONFAB_CONVERSATION_FAILURE_NO_ANSWER:
          return g_strdup_printf (_("%s did not answer."), peer);
        case CONFAB_CONVERSATION_FAILURE_VANISHED:
          return g_strdup_printf (_("%s stopped responding."), peer);
        case CONFAB_CONVERSATION_FAILURE_DECLINED:
          return g_strdup_printf (_("%s declined the chat."), peer);
        case CONFAB_CONVERSATION_FAILURE_NETWORK:
          return g_strdup_printf (_("Could not connect to %s: there is no network path between you. "
                                    "A TURN server in Preferences can help."), peer);
        case CONFAB_CONVERSATION_FAILURE_ICE_SERVERS:
          /* The session's sentence names the server, or the missing one. */
          return g_strdup (confab_conversation_get_failure_reason (self->conversation));
        case CONFAB_CONVERSATION_FAILURE_TAMPERED:
          return g_strdup_printf (_("The connection with %s was tampered with: someone between you "
                                    "may be trying to read your messages. Nothing was sent."), peer);
        case CONFAB_CONVERSATION_FAILURE_HUNG_UP:
        case CONFAB_CONVERSATION_FAILURE_NONE:
        default:
          return g_strdup_printf (_("The chat with %s failed."), peer);
        }

    case CONFAB_CONVERSATION_CLOSED:
      *retry_label = _("_Chat Again");
      switch (confab_conversation_get_failure (self->conversation))
        {
        case CONFAB_CONVERSATION_FAILURE_DECLINED:
          return g_strdup_printf (_("You declined the chat with %s."), peer);
        case CONFAB_CONVERSATION_FAILURE_HUNG_UP:
          return g_strdup_printf (_("%s left the chat."), peer);
        case CONFAB_CONVERSATION_FAILURE_NONE:
        case CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE:
        case CONFAB_CONVERSATION_FAILURE_NETWORK:
        case CONFAB_CONVERSATION_FAILURE_NO_ANSWER:
        case CONFAB_CONVERSATION_FAILURE_VANISHED:
        case CONFAB_CONVERSATION_FAILURE_ICE_SERVERS:
        case CONFAB_CONVERSATION_FAILURE_TAMPERED:
        default:
          return g_strdup (_("The chat has ended."));
        }

    case CONFAB_CONVERSATION_NEW:
    case CONFAB_CONVERSATION_CALLING:
    case CONFAB_CONVERSATION_INCOMING:
    case CONFAB_CONVERSATION_CONNECTING:
    case CONFAB_CONVERSATION_OPEN:
    default:
      *retry_action = NULL;
      return NULL;
    }
}

/* Why the entry cannot be used right now, or NULL when it can. */
static char *
confab_conversation_view_describe_composer (ConfabConversationView *self)
{
  const char *peer;

  if (self->conversation == NULL)
    return NULL;

  peer = confab_conversation_get_peer_name (self->conversation);

  switch (confab_conversation_get_state (self->conversation))
    {
    case CONFAB_CONVERSATION_OPEN:
      return NULL;

    case CONFAB_CONVERSATION_NEW:
    case CONFAB_CONVERSATION_CALLING:
      return g_strdup_printf (_("Waiting for %s to accept…"), peer);

    case CONFAB_CONVERSATION_INCOMING:
      return g_strdup_printf (_("Accept the chat to write to %s."), peer);

    case CONFAB_CONVERSATION_CONNECTING:
      return g_strdup_printf (_("Connecting to %s…"), peer);

    case CONFAB_CONVERSATION_CLOSED:
    case CONFAB_CONVERSATION_FAILED:
    default:
      return g_strdup_printf (_("You cannot write: %s is not connected."), peer);
    }
}

static void
confab_conversation_view_update_send (ConfabConversationView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversation.send",
                                 confab_conversation_view_is_open (self) &&
                                 gtk_entry_get_text_length (self->entry) > 0);
}

static void
confab_conversation_view_update (ConfabConversationView *self)
{
  g_autofree char *trouble = NULL;
  g_autofree char *reason = NULL;
  const char *retry_action;
  const char *retry_label;
  gboolean open;

  trouble = confab_conversation_view_describe_trouble (self, &retry_action, &retry_label);
  gtk_label_set_label (self->banner_label, trouble != NULL ? trouble : "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->banner_button), retry_action);
  gtk_button_set_label (self->banner_button, retry_label);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), retry_action != NULL);
  gtk_revealer_set_reveal_child (self->banner_revealer, trouble != NULL);
  gtk_widget_set_visible (self->close_button, self->conversation != NULL);

  if (self->conversation == NULL)
    {
      adw_window_title_set_title (self->window_title, "");
      adw_window_title_set_subtitle (self->window_title, "");
      gtk_stack_set_visible_child_name (self->content_stack, "empty");
      gtk_widget_set_visible (self->composer, FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversation.retry", FALSE);
      confab_conversation_view_update_send (self);
      return;
    }

  adw_window_title_set_subtitle (self->window_title,
                                 confab_state_text_summary (confab_conversation_get_state (self->conversation),
                                                            confab_conversation_get_failure (self->conversation)));
  gtk_stack_set_visible_child_name (self->content_stack, "messages");
  gtk_widget_set_visible (self->composer, TRUE);

  open = confab_conversation_view_is_open (self);
  reason = confab_conversation_view_describe_composer (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), open);
  gtk_label_set_label (self->reason_label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), reason != NULL);
  gtk_entry_set_placeholder_text (self->entry, open ? _("Write a message") : NULL);
  /* A screen reader reads why the entry is unavailable along with it. */
  if (reason != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->entry),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversation.retry",
                                 g_strcmp0 (retry_action, "conversation.retry") == 0);
  confab_conversation_view_update_send (self);
}

static void
confab_conversation_view_mark_read (ConfabConversationView *self)
{
  /* Only what a person can see is read: the window must have the focus
   * and show this conversation. */
  if (self->conversation == NULL || self->root == NULL ||
      !gtk_window_is_active (GTK_WINDOW (self->root)) ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  confab_conversation_mark_read (self->conversation);
}

static void
conversation_changed_cb (ConfabConversationView *self,
                         GParamSpec             *pspec,
                         ConfabConversation     *conversation)
{
  gboolean was_open = gtk_widget_get_sensitive (GTK_WIDGET (self->entry));

  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  confab_conversation_view_update (self);

  /* The moment the chat opens, typing can start without a click. */
  if (!was_open && confab_conversation_view_is_open (self))
    confab_conversation_view_focus_entry (self);
}

static void
messages_changed_cb (ConfabConversationView *self,
                     guint                   position,
                     guint                   removed,
                     guint                   added,
                     GListModel             *model)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  confab_conversation_view_mark_read (self);
}

static void
session_changed_cb (ConfabConversationView *self,
                    GParamSpec             *pspec,
                    ConfabSession          *session)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  confab_conversation_view_update (self);
}

static void
root_active_changed_cb (ConfabConversationView *self,
                        GParamSpec             *pspec,
                        GtkWindow              *window)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  confab_conversation_view_mark_read (self);
}

static void
adjustment_upper_changed_cb (ConfabConversationView *self,
                             GParamSpec             *pspec,
                             GtkAdjustment          *adjustment)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  /* GTK 4.8 has no gtk_list_view_scroll_to(): follow the end through the
   * adjustment, which grows once the new row is measured. */
  if (self->stick_to_bottom)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment) -
                              gtk_adjustment_get_page_size (adjustment));
}

static void
adjustment_value_changed_cb (ConfabConversationView *self,
                             GtkAdjustment          *adjustment)
{
  double bottom;

  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
  self->stick_to_bottom = gtk_adjustment_get_value (adjustment) >= bottom - 1.0;
}

static void
entry_activate_cb (ConfabConversationView *self,
                   GtkEntry               *entry)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "conversation.send", NULL);
}

static void
entry_changed_cb (ConfabConversationView *self,
                  GtkEditable            *editable)
{
  g_assert (CONFAB_IS_CONVERSATION_VIEW (self));

  confab_conversation_view_update_send (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);
  g_autoptr(GError) error = NULL;
  const char *text;

  if (self->conversation == NULL)
    return;

  text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  if (text[0] == '\0')
    return;

  if (!confab_conversation_send_text (self->conversation, text, &error))
    {
      gtk_label_set_label (self->reason_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
      return;
    }

  self->stick_to_bottom = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
}

static void
retry_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ConfabConversationView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A failure shows in the conversation's own state and the banner; only
   * a refusal before any call (not signed in, say) needs saying here. */
  if (!confab_session_call_finish (CONFAB_SESSION (object), result, &error) &&
      !g_error_matches (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_PEER_OFFLINE))
    {
      gtk_label_set_label (self->banner_label, error->message);
      gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
    }
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);

  if (self->session == NULL || self->conversation == NULL)
    return;

  confab_session_call_async (self->session,
                             confab_conversation_get_peer_name (self->conversation),
                             NULL, retry_cb, g_object_ref (self));
}

static void
confab_conversation_view_root (GtkWidget *widget)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);

  GTK_WIDGET_CLASS (confab_conversation_view_parent_class)->root (widget);

  self->root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (self->root))
    g_signal_connect_object (self->root, "notify::is-active",
                             G_CALLBACK (root_active_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
confab_conversation_view_unroot (GtkWidget *widget)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (widget);

  if (self->root != NULL)
    g_signal_handlers_disconnect_by_func (self->root, root_active_changed_cb, self);
  self->root = NULL;

  GTK_WIDGET_CLASS (confab_conversation_view_parent_class)->unroot (widget);
}

static void
confab_conversation_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (confab_conversation_view_parent_class)->map (widget);

  confab_conversation_view_mark_read (CONFAB_CONVERSATION_VIEW (widget));
}

static void
confab_conversation_view_dispose (GObject *object)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (object);

  confab_conversation_view_set_conversation (self, NULL);
  confab_conversation_view_set_session (self, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->conversation_signals);
  g_clear_object (&self->conversation_bindings);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_CONVERSATION_VIEW);

  G_OBJECT_CLASS (confab_conversation_view_parent_class)->dispose (object);
}

static void
confab_conversation_view_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_CONVERSATION:
      g_value_set_object (value, self->conversation);
      break;

    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_view_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  ConfabConversationView *self = CONFAB_CONVERSATION_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      confab_conversation_view_set_session (self, g_value_get_object (value));
      break;

    case PROP_CONVERSATION:
      confab_conversation_view_set_conversation (self, g_value_get_object (value));
      break;

    case PROP_FOLDED:
      confab_conversation_view_set_folded (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_conversation_view_class_init (ConfabConversationViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_conversation_view_dispose;
  object_class->get_property = confab_conversation_view_get_property;
  object_class->set_property = confab_conversation_view_set_property;

  widget_class->root = confab_conversation_view_root;
  widget_class->unroot = confab_conversation_view_unroot;
  widget_class->map = confab_conversation_view_map;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CONFAB_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CONVERSATION] =
    g_param_spec_object ("conversation", NULL, NULL,
                         CONFAB_TYPE_CONVERSATION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CONFAB_TYPE_MESSAGE_ROW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-conversation-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, back_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, close_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, window_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, banner_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, banner_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, messages_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, composer);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, entry);
  gtk_widget_class_bind_template_child (widget_class, ConfabConversationView, reason_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "conversation.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "conversation.retry", NULL, retry_action);
}

static void
confab_conversation_view_init (ConfabConversationView *self)
{
  GtkAdjustment *vadjustment;

  self->stick_to_bottom = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->session_signals = g_signal_group_new (CONFAB_TYPE_SESSION);
  g_signal_group_connect_object (self->session_signals, "notify::state",
                                 G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::last-error",
                                 G_CALLBACK (session_changed_cb), self, G_CONNECT_SWAPPED);

  self->conversation_signals = g_signal_group_new (CONFAB_TYPE_CONVERSATION);
  g_signal_group_connect_object (self->conversation_signals, "notify::state",
                                 G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->conversation_signals, "notify::failure",
                                 G_CALLBACK (conversation_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->conversation_signals, "items-changed",
                                 G_CALLBACK (messages_changed_cb), self, G_CONNECT_SWAPPED);

  self->conversation_bindings = g_binding_group_new ();
  g_binding_group_bind (self->conversation_bindings, "peer-name",
                        self->window_title, "title",
                        G_BINDING_SYNC_CREATE);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (vadjustment, "notify::upper",
                           G_CALLBACK (adjustment_upper_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (adjustment_value_changed_cb), self, G_CONNECT_SWAPPED);

  confab_conversation_view_update (self);
}

ConfabSession *
confab_conversation_view_get_session (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), NULL);

  return self->session;
}

void
confab_conversation_view_set_session (ConfabConversationView *self,
                                      ConfabSession          *session)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));
  g_return_if_fail (!session || CONFAB_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);

  confab_conversation_view_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

ConfabConversation *
confab_conversation_view_get_conversation (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), NULL);

  return self->conversation;
}

void
confab_conversation_view_set_conversation (ConfabConversationView *self,
                                           ConfabConversation     *conversation)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));
  g_return_if_fail (!conversation || CONFAB_IS_CONVERSATION (conversation));

  if (!g_set_object (&self->conversation, conversation))
    return;

  g_signal_group_set_target (self->conversation_signals, conversation);
  g_binding_group_set_source (self->conversation_bindings, conversation);

  if (conversation != NULL)
    {
      g_autoptr(GtkNoSelection) selection = NULL;

      selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (conversation)));
      gtk_list_view_set_model (self->messages_view, GTK_SELECTION_MODEL (selection));
    }
  else
    {
      gtk_list_view_set_model (self->messages_view, NULL);
    }

  self->stick_to_bottom = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  confab_conversation_view_update (self);
  confab_conversation_view_mark_read (self);
  if (confab_conversation_view_is_open (self))
    confab_conversation_view_focus_entry (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION]);
}

gboolean
confab_conversation_view_get_folded (ConfabConversationView *self)
{
  g_return_val_if_fail (CONFAB_IS_CONVERSATION_VIEW (self), FALSE);

  return self->folded;
}

void
confab_conversation_view_set_folded (ConfabConversationView *self,
                                     gboolean                folded)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));

  folded = !!folded;
  if (self->folded == folded)
    return;

  self->folded = folded;
  /* Folded, this pane is the whole window: it needs the way back and the
   * window buttons on both sides. */
  gtk_widget_set_visible (self->back_button, folded);
  adw_header_bar_set_show_start_title_buttons (self->header_bar, folded);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLDED]);
}

void
confab_conversation_view_focus_entry (ConfabConversationView *self)
{
  g_return_if_fail (CONFAB_IS_CONVERSATION_VIEW (self));

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->entry)))
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}
