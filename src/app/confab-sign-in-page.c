/* confab-sign-in-page.c: the server address and name, before anything else
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-message.h"
#include "confab-protocol-error.h"
#include "confab-sign-in-page.h"

struct _ConfabSignInPage
{
  AdwBin            parent_instance;

  ConfabSession    *session;
  ConfabServerHost *server_host;
  GSettings        *settings;
  GCancellable     *cancellable;

  /* Template widgets */
  AdwEntryRow      *server_row;
  AdwEntryRow      *name_row;
  GtkLabel         *error_label;
  GtkButton        *sign_in_button;
  GtkSpinner       *spinner;
  GtkLabel         *sign_in_label;
  GtkLabel         *hosting_label;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabSignInPage, confab_sign_in_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
confab_sign_in_page_show_error (ConfabSignInPage *self,
                                const char       *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
confab_sign_in_page_set_busy (ConfabSignInPage *self,
                              gboolean          busy)
{
  const char *label = busy ? _("_Cancel") : _("_Sign In");

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_label (self->sign_in_label, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sign_in_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  busy ? _("Cancel") : _("Sign In"),
                                  -1);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  if (busy)
    gtk_widget_remove_css_class (GTK_WIDGET (self->sign_in_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->sign_in_button), "suggested-action");
}

/* Returns a sentence saying what is wrong with @name, or NULL.  The same
 * rules as the server's, checked here so that a mistake is caught before
 * anything is sent, in words a person can act on. */
static char *
check_name (const char *name)
{
  g_autoptr(GError) error = NULL;

  if (confab_message_validate_name (name, &error))
    return NULL;

  if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_EMPTY))
    return g_strdup (_("Enter the name others will find you by."));
  if (g_error_matches (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG))
    return g_strdup_printf (_("That name is too long. Use at most %d characters."),
                            CONFAB_MESSAGE_MAX_NAME_LENGTH);

  return g_strdup (_("That name contains invisible or control characters. Use letters, digits and punctuation."));
}

static char *
check_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url[0] == '\0')
    return g_strdup (_("Enter the address of a signalling server, like ws://192.168.1.10:3000."));

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL ||
      (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return g_strdup (_("The server address must start with ws:// or wss://, like ws://192.168.1.10:3000."));

  return NULL;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(ConfabSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_session_connect_finish (CONFAB_SESSION (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        confab_sign_in_page_show_error (self, NULL);
      else
        confab_sign_in_page_show_error (self, error->message);
    }

  g_clear_object (&self->cancellable);
  confab_sign_in_page_set_busy (self, FALSE);

  if (error != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ConfabSignInPage *self = CONFAB_SIGN_IN_PAGE (widget);
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;
  g_autofree char *problem = NULL;

  /* While connecting, the same button cancels. */
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      return;
    }

  if (self->session == NULL)
    return;

  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if ((problem = check_url (url)) != NULL)
    {
      confab_sign_in_page_show_error (self, problem);
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }

  if ((problem = check_name (name)) != NULL)
    {
      confab_sign_in_page_show_error (self, problem);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "server-url", url);
      g_settings_set_string (self->settings, "username", name);
    }

  confab_sign_in_page_show_error (self, NULL);
  confab_sign_in_page_set_busy (self, TRUE);
  self->cancellable = g_cancellable_new ();
  confab_session_connect_async (self->session, url, name, self->cancellable,
                                connect_cb, g_object_ref (self));
}

static void
server_host_changed_cb (ConfabSignInPage *self,
                        GParamSpec       *pspec,
                        ConfabServerHost *server_host)
{
  const char *address = confab_server_host_get_address (server_host);

  g_assert (CONFAB_IS_SIGN_IN_PAGE (self));

  /* The newcomer's question: what do the others type in? */
  if (address != NULL)
    {
      /* Translators: %s is an address such as ws://192.168.1.10:3000 */
      g_autofree char *text = g_strdup_printf (_("This computer hosts a signalling server: "
                                                 "others sign in to it at %s."), address);

      gtk_label_set_label (self->hosting_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->hosting_label), address != NULL);
}

static void
server_activated_cb (ConfabSignInPage *self,
                     AdwEntryRow      *row)
{
  g_assert (CONFAB_IS_SIGN_IN_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
name_activated_cb (ConfabSignInPage *self,
                   AdwEntryRow      *row)
{
  g_assert (CONFAB_IS_SIGN_IN_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in-page.sign-in", NULL);
}

static gboolean
confab_sign_in_page_grab_focus (GtkWidget *widget)
{
  ConfabSignInPage *self = CONFAB_SIGN_IN_PAGE (widget);

  /* The server is usually remembered: start where typing is needed. */
  if (gtk_editable_get_text (GTK_EDITABLE (self->server_row))[0] == '\0')
    return gtk_widget_grab_focus (GTK_WIDGET (self->server_row));

  return gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
confab_sign_in_page_dispose (GObject *object)
{
  ConfabSignInPage *self = CONFAB_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_SIGN_IN_PAGE);
  g_clear_object (&self->session);
  g_clear_object (&self->server_host);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_sign_in_page_parent_class)->dispose (object);
}

static void
confab_sign_in_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabSignInPage *self = CONFAB_SIGN_IN_PAGE (object);

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
confab_sign_in_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabSignInPage *self = CONFAB_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      confab_sign_in_page_set_session (self, g_value_get_object (value));
      break;

    case PROP_SETTINGS:
      confab_sign_in_page_set_settings (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_sign_in_page_class_init (ConfabSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_sign_in_page_dispose;
  object_class->get_property = confab_sign_in_page_get_property;
  object_class->set_property = confab_sign_in_page_set_property;

  widget_class->grab_focus = confab_sign_in_page_grab_focus;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CONFAB_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Where the last server and name are remembered: the application's. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, sign_in_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabSignInPage, hosting_label);
  gtk_widget_class_bind_template_callback (widget_class, server_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_activated_cb);

  gtk_widget_class_install_action (widget_class, "sign-in-page.sign-in", NULL, sign_in_action);
}

static void
confab_sign_in_page_init (ConfabSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabSession *
confab_sign_in_page_get_session (ConfabSignInPage *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGN_IN_PAGE (self), NULL);

  return self->session;
}

void
confab_sign_in_page_set_session (ConfabSignInPage *self,
                                 ConfabSession    *session)
{
  g_return_if_fail (CONFAB_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (!session || CONFAB_IS_SESSION (session));

  if (g_set_object (&self->session, session))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

GSettings *
confab_sign_in_page_get_settings (ConfabSignInPage *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGN_IN_PAGE (self), NULL);

  return self->settings;
}

void
confab_sign_in_page_set_settings (ConfabSignInPage *self,
                                  GSettings        *settings)
{
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (CONFAB_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (!settings || G_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings))
    return;

  /* The fields start with what was used last. */
  if (settings != NULL)
    {
      url = g_settings_get_string (settings, "server-url");
      name = g_settings_get_string (settings, "username");
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

void
confab_sign_in_page_set_server_host (ConfabSignInPage *self,
                                     ConfabServerHost *server_host)
{
  g_return_if_fail (CONFAB_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (!server_host || CONFAB_IS_SERVER_HOST (server_host));

  if (self->server_host != NULL)
    g_signal_handlers_disconnect_by_data (self->server_host, self);

  if (!g_set_object (&self->server_host, server_host) || server_host == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->hosting_label), FALSE);
      return;
    }

  g_signal_connect_object (server_host, "notify::address",
                           G_CALLBACK (server_host_changed_cb), self, G_CONNECT_SWAPPED);
  server_host_changed_cb (self, NULL, server_host);
}

void
confab_sign_in_page_sign_in (ConfabSignInPage *self,
                             const char       *url,
                             const char       *name)
{
  g_return_if_fail (CONFAB_IS_SIGN_IN_PAGE (self));

  if (url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  if (name != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
      if (self->cancellable == NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "sign-in-page.sign-in", NULL);
    }
}
