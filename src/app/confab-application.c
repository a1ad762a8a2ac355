/* confab-application.c: the application, owner of the session
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-application.h"
#include "confab-preferences-window.h"
#include "confab-window.h"

struct _ConfabApplication
{
  AdwApplication    parent_instance;

  GSettings        *settings;
  ConfabSession    *session;
  ConfabServerHost *server_host;

  /* --host-server: host for this run without changing the setting. */
  guint             host_server_once : 1;
  guint             prewarmed : 1;
  /* app.quit closes the session and quits once that is done; shutdown
   * closes it when the application ended some other way. */
  guint             quitting : 1;
  guint             closed : 1;
};

G_DEFINE_FINAL_TYPE (ConfabApplication, confab_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_entries[] = {
  { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Sign in to the signalling server at URL (with --name)"), N_("URL") },
  { "name", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Sign in under NAME at once"), N_("NAME") },
  { "host-server", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Host a signalling server on this computer while Confab runs"), NULL },
  { "new-instance", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run a separate instance, for a second person on this desktop"), NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { NULL }
};

ConfabApplication *
confab_application_new (void)
{
  return g_object_new (CONFAB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/chat/confab/Confab",
                       NULL);
}

ConfabSession *
confab_application_get_session (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->session;
}

ConfabServerHost *
confab_application_get_server_host (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->server_host;
}

GSettings *
confab_application_get_settings (ConfabApplication *self)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (self), NULL);

  return self->settings;
}

static ConfabWindow *
confab_application_get_window (ConfabApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (CONFAB_IS_WINDOW (window))
    return CONFAB_WINDOW (window);

  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (CONFAB_IS_WINDOW (l->data))
        return l->data;
    }

  return confab_window_new (self);
}

static void
update_server_host (ConfabApplication *self)
{
  gboolean enabled;

  enabled = g_settings_get_boolean (self->settings, "host-server") || self->host_server_once;
  confab_server_host_set_enabled (self->server_host, enabled);
}

static void
host_server_changed_cb (ConfabApplication *self,
                        const char        *key,
                        GSettings         *settings)
{
  g_assert (CONFAB_IS_APPLICATION (self));

  update_server_host (self);
}

static void
first_paint_cb (GdkFrameClock     *frame_clock,
                ConfabApplication *self)
{
  g_assert (CONFAB_IS_APPLICATION (self));

  g_signal_handlers_disconnect_by_func (frame_clock, first_paint_cb, self);

  /* Loads the GStreamer plugins and makes the DTLS certificate on another
   * thread, so the first chat does not wait for them; started once the
   * window is on screen so that it does not compete with start-up. */
  if (!self->prewarmed)
    {
      self->prewarmed = TRUE;
      confab_session_prewarm (self->session);
    }
}

static void
confab_application_present (ConfabApplication *self,
                            ConfabWindow      *window)
{
  GdkFrameClock *frame_clock;

  gtk_window_present (GTK_WINDOW (window));

  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (!self->prewarmed && frame_clock != NULL)
    g_signal_connect_object (frame_clock, "after-paint", G_CALLBACK (first_paint_cb), self, 0);
}

static int
confab_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("confab %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* Must happen before registration: a second person on the same desktop
   * (or a test) gets a process of its own instead of a new window in the
   * first one, which would share its sign-in. */
  if (g_variant_dict_contains (options, "new-instance"))
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (confab_application_parent_class)->handle_local_options (app, options);
}

static int
confab_application_command_line (GApplication            *app,
                                 GApplicationCommandLine *command_line)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *server = NULL;
  g_autofree char *name = NULL;
  ConfabWindow *window;

  g_variant_dict_lookup (options, "server", "s", &server);
  g_variant_dict_lookup (options, "name", "s", &name);

  if (g_variant_dict_contains (options, "host-server"))
    {
      self->host_server_once = TRUE;
      update_server_host (self);
    }

  window = confab_application_get_window (self);

  if (name != NULL)
    {
      g_autofree char *url = NULL;

      if (server == NULL)
        url = g_settings_get_string (self->settings, "server-url");

      confab_window_sign_in (window, server != NULL ? server : url, name);
    }
  else if (server != NULL)
    {
      confab_window_sign_in (window, server, NULL);
    }

  confab_application_present (self, window);

  return 0;
}

static void
confab_application_activate (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);

  confab_application_present (self, confab_application_get_window (self));
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ConfabApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (CONFAB_IS_APPLICATION (self));

  /* Nothing cancels it: this only reports a bug. */
  if (!confab_session_close_finish (CONFAB_SESSION (object), result, &error))
    g_warning ("Could not close the session: %s", error->message);
  self->closed = TRUE;

  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_destroy (window);
    }

  g_application_release (G_APPLICATION (self));
  g_application_quit (G_APPLICATION (self));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  ConfabApplication *self = user_data;

  g_assert (CONFAB_IS_APPLICATION (self));

  if (self->quitting)
    return;
  self->quitting = TRUE;

  /* As GNOME Text Editor saves before it quits, Confab first lets its
   * hang-ups and last messages leave (a moment, a few seconds at most).
   * The windows go away at once, so quitting feels immediate; the hold
   * keeps the application running without them meanwhile. */
  g_application_hold (G_APPLICATION (self));
  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    gtk_widget_set_visible (GTK_WIDGET (l->data), FALSE);

  confab_session_close_async (self->session, NULL, close_cb, g_object_ref (self));
}

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ConfabApplication *self = user_data;
  ConfabPreferencesWindow *preferences;
  GtkWindow *parent;

  g_assert (CONFAB_IS_APPLICATION (self));

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  preferences = confab_preferences_window_new (self);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ConfabApplication *self = user_data;
  static const char *developers[] = { "The Confab authors", NULL };
  GtkWidget *about;

  g_assert (CONFAB_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-name", _("Confab"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Confab authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Chat directly with another person, peer to peer"),
                        "copyright", "© 2026 The Confab authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names, one per line, for the About window */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* The notification buttons: a notification can only name the peer, so
 * they find the conversation it asks about, whichever dialog or
 * conversation the window shows. */
static void
answer_request (ConfabApplication *self,
                GVariant          *parameter,
                gboolean           accept)
{
  const char *peer = g_variant_get_string (parameter, NULL);
  ConfabConversation *conversation = confab_session_lookup_conversation (self->session, peer);
  ConfabWindow *window = confab_application_get_window (self);

  /* Removed since: its request dialog, and with it the notification,
   * went away too. */
  if (conversation != NULL)
    confab_window_answer_request (window, conversation, accept);
  if (accept)
    gtk_window_present (GTK_WINDOW (window));
}

static void
accept_action_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  answer_request (CONFAB_APPLICATION (user_data), parameter, TRUE);
}

static void
decline_action_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  answer_request (CONFAB_APPLICATION (user_data), parameter, FALSE);
}

static void
open_conversation_action_cb (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  ConfabApplication *self = user_data;
  ConfabWindow *window = confab_application_get_window (self);

  confab_window_show_conversation (window, g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action_cb },
  { "preferences", preferences_action_cb },
  { "about", about_action_cb },
  { "accept", accept_action_cb, "s" },
  { "decline", decline_action_cb, "s" },
  { "open-conversation", open_conversation_action_cb, "s" },
};

static void
confab_application_startup (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (confab_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  self->session = confab_session_new ();
  self->server_host = confab_server_host_new ();

  g_settings_bind (self->settings, "ice-servers", self->session, "ice-servers", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "relay-only", self->session, "relay-only", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "host-server-port", self->server_host, "port", G_SETTINGS_BIND_GET);
  g_signal_connect_object (self->settings, "changed::host-server",
                           G_CALLBACK (host_server_changed_cb), self, G_CONNECT_SWAPPED);
  update_server_host (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
}

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

static void
confab_application_shutdown (GApplication *app)
{
  ConfabApplication *self = CONFAB_APPLICATION (app);

  /* Ended otherwise than by app.quit (the last window closed): the
   * session still hangs up and lets the last messages drain before the
   * process ends, the main loop being over. */
  if (!self->closed)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      confab_session_close_async (self->session, NULL, store_result_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (!confab_session_close_finish (self->session, result, &error))
        g_warning ("Could not close the session: %s", error->message);
      self->closed = TRUE;
    }

  confab_server_host_set_enabled (self->server_host, FALSE);

  G_APPLICATION_CLASS (confab_application_parent_class)->shutdown (app);
}

static void
confab_application_dispose (GObject *object)
{
  ConfabApplication *self = CONFAB_APPLICATION (object);

  g_clear_object (&self->session);
  g_clear_object (&self->server_host);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_application_parent_class)->dispose (object);
}

static void
confab_application_class_init (ConfabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = confab_application_dispose;

  app_class->handle_local_options = confab_application_handle_local_options;
  app_class->command_line = confab_application_command_line;
  app_class->activate = confab_application_activate;
  app_class->startup = confab_application_startup;
  app_class->shutdown = confab_application_shutdown;
}

static void
confab_application_init (ConfabApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Chat directly with another person, peer to peer."));
}
