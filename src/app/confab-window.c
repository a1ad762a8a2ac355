/* confab-window.c: the main window
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-conversation-row.h"
#include "confab-conversation-view.h"
#include "confab-new-chat-dialog.h"
#include "confab-request-dialog.h"
#include "confab-sign-in-page.h"
#include "confab-window.h"

struct _ConfabWindow
{
  AdwApplicationWindow    parent_instance;

  ConfabSession          *session;
  GSettings              *settings;
  GtkSingleSelection     *selection;
  /* The peer whose conversation is shown as soon as it appears. */
  char                   *pending_peer;

  /* Template widgets */
  AdwToastOverlay        *toast_overlay;
  GtkStack               *stack;
  ConfabSignInPage       *sign_in_page;
  AdwLeaflet             *leaflet;
  GtkWidget              *sidebar;
  AdwWindowTitle         *sidebar_title;
  GtkStack               *sidebar_stack;
  GtkListView            *conversations_view;
  ConfabConversationView *conversation_view;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabWindow, confab_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static ConfabConversation *
confab_window_get_selected (ConfabWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static gboolean
confab_window_select_peer (ConfabWindow *self,
                           const char   *peer)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n_items = g_list_model_get_n_items (model);

  g_clear_pointer (&self->pending_peer, g_free);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ConfabConversation) conversation = g_list_model_get_item (model, i);

      if (g_strcmp0 (confab_conversation_get_peer_name (conversation), peer) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }

  /* Not there yet: selected when the session adds it. */
  self->pending_peer = g_strdup (peer);

  return FALSE;
}

static void
confab_window_update_actions (ConfabWindow *self)
{
  ConfabSessionState state = confab_session_get_state (self->session);
  gboolean signed_in = state == CONFAB_SESSION_REGISTERED || state == CONFAB_SESSION_RECONNECTING;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-chat",
                                 state == CONFAB_SESSION_REGISTERED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.close-conversation",
                                 confab_window_get_selected (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out",
                                 signed_in || state == CONFAB_SESSION_FAILED);
}

static void
session_state_changed_cb (ConfabWindow  *self,
                          GParamSpec    *pspec,
                          ConfabSession *session)
{
  const char *username = confab_session_get_username (session);
  g_autofree char *subtitle = NULL;

  g_assert (CONFAB_IS_WINDOW (self));

  switch (confab_session_get_state (session))
    {
    case CONFAB_SESSION_REGISTERED:
      gtk_stack_set_visible_child_name (self->stack, "chats");
      /* Translators: the subtitle of the chat list; %s is your own name */
      subtitle = g_strdup_printf (_("Signed in as %s"), username);
      break;

    case CONFAB_SESSION_RECONNECTING:
      subtitle = g_strdup (_("Reconnecting…"));
      break;

    case CONFAB_SESSION_FAILED:
      subtitle = g_strdup (_("Offline"));
      break;

    case CONFAB_SESSION_DISCONNECTED:
      /* Signed out: back to the sign-in page, which also shows why. */
      gtk_stack_set_visible_child_name (self->stack, "sign-in");
      gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_page));
      break;

    case CONFAB_SESSION_CONNECTING:
    default:
      break;
    }

  adw_window_title_set_subtitle (self->sidebar_title, subtitle != NULL ? subtitle : "");

  /* Two people on one desktop tell their windows apart by the title. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "chats") == 0 && username != NULL)
    {
      /* Translators: the window title once signed in; %s is your own name */
      g_autofree char *title = g_strdup_printf (_("%s — Confab"), username);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Confab"));
    }
  confab_window_update_actions (self);
}

static void
conversations_changed_cb (ConfabWindow *self,
                          guint         position,
                          guint         removed,
                          guint         added,
                          GListModel   *model)
{
  g_assert (CONFAB_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->sidebar_stack,
                                    g_list_model_get_n_items (model) > 0 ? "list" : "empty");

  if (added > 0 && self->pending_peer != NULL)
    {
      g_autofree char *peer = g_steal_pointer (&self->pending_peer);

      /* Keeps waiting when the one added was someone else. */
      confab_window_select_peer (self, peer);
    }
}

static void
selection_changed_cb (ConfabWindow       *self,
                      GParamSpec         *pspec,
                      GtkSingleSelection *selection)
{
  ConfabConversation *conversation = confab_window_get_selected (self);

  g_assert (CONFAB_IS_WINDOW (self));

  confab_conversation_view_set_conversation (self->conversation_view, conversation);
  if (conversation != NULL)
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->conversation_view));
  confab_window_update_actions (self);
}

static void
conversation_activated_cb (ConfabWindow *self,
                           guint         position,
                           GtkListView  *list_view)
{
  g_assert (CONFAB_IS_WINDOW (self));

  /* Activating the selected row again (Enter, a click) when folded goes
   * back to the conversation; the view then takes the keyboard focus. */
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->conversation_view));
  confab_conversation_view_focus_entry (self->conversation_view);
}

static void
withdraw_request_notification (ConfabWindow       *self,
                               ConfabConversation *conversation)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  g_autofree char *id = NULL;

  /* Gone with its window, at exit. */
  if (application == NULL)
    return;

  id = g_strdup_printf ("request-%s", confab_conversation_get_peer_name (conversation));
  g_application_withdraw_notification (G_APPLICATION (application), id);
}

static void
request_response_cb (ConfabWindow        *self,
                     const char          *response,
                     ConfabRequestDialog *dialog)
{
  g_assert (CONFAB_IS_WINDOW (self));

  confab_window_answer_request (self, confab_request_dialog_get_conversation (dialog),
                                g_strcmp0 (response, "accept") == 0);
}

static void
request_destroy_cb (ConfabWindow        *self,
                    ConfabRequestDialog *dialog)
{
  g_assert (CONFAB_IS_WINDOW (self));

  /* However the question went away, its notification goes with it. */
  withdraw_request_notification (self, confab_request_dialog_get_conversation (dialog));
}

static void
incoming_request_cb (ConfabWindow  *self,
                     const char    *peer,
                     ConfabSession *session)
{
  ConfabConversation *conversation;
  ConfabRequestDialog *dialog;

  g_assert (CONFAB_IS_WINDOW (self));

  /* Listed before the session asks, unless a watcher of its state
   * removed it at once: then there is nothing to ask about. */
  conversation = confab_session_lookup_conversation (session, peer);
  if (conversation == NULL)
    return;

  /* The dialog closes itself once the conversation stops asking, so the
   * session asks again only after this one is gone. */
  dialog = confab_request_dialog_new (GTK_WINDOW (self), conversation);
  g_signal_connect_object (dialog, "response", G_CALLBACK (request_response_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (request_destroy_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));

  if (!gtk_window_is_active (GTK_WINDOW (self)))
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *id = g_strdup_printf ("request-%s", peer);

      notification = g_notification_new (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)));
      g_notification_set_body (notification, _("Open Confab to accept or decline."));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      g_notification_set_default_action_and_target (notification, "app.open-conversation", "s", peer);
      g_notification_add_button_with_target (notification, _("Decline"), "app.decline", "s", peer);
      g_notification_add_button_with_target (notification, _("Accept"), "app.accept", "s", peer);
      g_application_send_notification (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                       id, notification);
    }
}

static void
message_received_cb (ConfabWindow       *self,
                     ConfabConversation *conversation,
                     ConfabChatMessage  *message,
                     ConfabSession      *session)
{
  const char *peer = confab_conversation_get_peer_name (conversation);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  g_assert (CONFAB_IS_WINDOW (self));

  if (gtk_window_is_active (GTK_WINDOW (self)) ||
      !g_settings_get_boolean (self->settings, "notify-messages"))
    return;

  notification = g_notification_new (peer);
  g_notification_set_body (notification, confab_chat_message_get_text (message));
  g_notification_set_default_action_and_target (notification, "app.open-conversation", "s", peer);
  /* One notification a peer, replaced by the newest message. */
  id = g_strdup_printf ("message-%s", peer);
  g_application_send_notification (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))),
                                   id, notification);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ConfabSession *session = CONFAB_SESSION (object);
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_session_call_finish (session, result, &error))
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

static void
new_chat_response_cb (ConfabWindow         *self,
                      const char           *response,
                      ConfabNewChatDialog  *dialog)
{
  g_autofree char *peer = NULL;

  g_assert (CONFAB_IS_WINDOW (self));

  if (g_strcmp0 (response, "start") != 0)
    return;

  peer = confab_new_chat_dialog_dup_peer (dialog);
  confab_session_call_async (self->session, peer, NULL, call_cb, g_object_ref (self));
  /* The conversation appears at once, in state "calling". */
  confab_window_select_peer (self, peer);
}

static void
new_chat_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabNewChatDialog *dialog;

  dialog = confab_new_chat_dialog_new (GTK_WINDOW (self), confab_session_get_username (self->session));
  g_signal_connect_object (dialog, "response", G_CALLBACK (new_chat_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_conversation_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);
  ConfabConversation *conversation = confab_window_get_selected (self);
  g_autofree char *peer = NULL;

  if (conversation == NULL)
    return;

  peer = g_strdup (confab_conversation_get_peer_name (conversation));
  confab_session_remove_conversation (self->session, peer);
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
reconnect_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ConfabWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_session_connect_finish (CONFAB_SESSION (object), result, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  confab_session_connect_async (self->session,
                                confab_session_get_server_url (self->session),
                                confab_session_get_username (self->session),
                                NULL, reconnect_cb, g_object_ref (self));
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ConfabWindow *self = CONFAB_WINDOW (widget);

  confab_session_disconnect (self->session);
  gtk_stack_set_visible_child_name (self->stack, "sign-in");
  gtk_window_set_title (GTK_WINDOW (self), _("Confab"));
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_page));
}

static gboolean
confab_window_close_request (GtkWindow *window)
{
  ConfabWindow *self = CONFAB_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (confab_window_parent_class)->close_request (window);
}

static void
confab_window_constructed (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);
  GListModel *conversations;

  G_OBJECT_CLASS (confab_window_parent_class)->constructed (object);

  g_assert (CONFAB_IS_SESSION (self->session));
  g_assert (G_IS_SETTINGS (self->settings));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  conversations = confab_session_get_conversations (self->session);
  self->selection = gtk_single_selection_new (g_object_ref (conversations));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->conversations_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (conversations, "items-changed",
                           G_CALLBACK (conversations_changed_cb), self, G_CONNECT_SWAPPED);
  conversations_changed_cb (self, 0, 0, 0, conversations);

  confab_sign_in_page_set_settings (self->sign_in_page, self->settings);
  confab_sign_in_page_set_session (self->sign_in_page, self->session);
  gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_page));
  confab_conversation_view_set_session (self->conversation_view, self->session);

  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "incoming-request",
                           G_CALLBACK (incoming_request_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "message-received",
                           G_CALLBACK (message_received_cb), self, G_CONNECT_SWAPPED);
  session_state_changed_cb (self, NULL, self->session);
}

static void
confab_window_dispose (GObject *object)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_WINDOW);

  g_clear_pointer (&self->pending_peer, g_free);
  g_clear_object (&self->selection);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (confab_window_parent_class)->dispose (object);
}

static void
confab_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ConfabWindow *self = CONFAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_window_class_init (ConfabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = confab_window_constructed;
  object_class->dispose = confab_window_dispose;
  object_class->get_property = confab_window_get_property;
  object_class->set_property = confab_window_set_property;

  /* The window is a view of one session, for its whole life. */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CONFAB_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* The application's: one GSettings for the whole process. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  window_class->close_request = confab_window_close_request;

  g_type_ensure (CONFAB_TYPE_CONVERSATION);
  g_type_ensure (CONFAB_TYPE_CONVERSATION_ROW);
  g_type_ensure (CONFAB_TYPE_CONVERSATION_VIEW);
  g_type_ensure (CONFAB_TYPE_SIGN_IN_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversations_view);
  gtk_widget_class_bind_template_child (widget_class, ConfabWindow, conversation_view);
  gtk_widget_class_bind_template_callback (widget_class, conversation_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_action);
  gtk_widget_class_install_action (widget_class, "win.close-conversation", NULL, close_conversation_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-conversation", NULL);
}

static void
confab_window_init (ConfabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabWindow *
confab_window_new (ConfabApplication *application)
{
  ConfabWindow *self;

  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);

  self = g_object_new (CONFAB_TYPE_WINDOW,
                       "application", application,
                       "session", confab_application_get_session (application),
                       "settings", confab_application_get_settings (application),
                       NULL);
  confab_sign_in_page_set_server_host (self->sign_in_page,
                                       confab_application_get_server_host (application));

  return self;
}

void
confab_window_sign_in (ConfabWindow *self,
                       const char   *url,
                       const char   *name)
{
  g_return_if_fail (CONFAB_IS_WINDOW (self));

  gtk_stack_set_visible_child_name (self->stack, "sign-in");
  gtk_window_set_title (GTK_WINDOW (self), _("Confab"));
  confab_sign_in_page_sign_in (self->sign_in_page, url, name);
}

void
confab_window_answer_request (ConfabWindow       *self,
                              ConfabConversation *conversation,
                              gboolean            accept)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_WINDOW (self));
  g_return_if_fail (CONFAB_IS_CONVERSATION (conversation));

  /* Answering ends the request: its dialog closes by itself. */
  withdraw_request_notification (self, conversation);

  if (accept)
    {
      if (!confab_conversation_accept (conversation, &error))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      else
        confab_window_select_peer (self, confab_conversation_get_peer_name (conversation));
    }
  else if (!confab_conversation_decline (conversation, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
    }
}

void
confab_window_show_conversation (ConfabWindow *self,
                                 const char   *peer)
{
  g_return_if_fail (CONFAB_IS_WINDOW (self));
  g_return_if_fail (peer != NULL);

  if (confab_window_select_peer (self, peer))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->conversation_view));
}
