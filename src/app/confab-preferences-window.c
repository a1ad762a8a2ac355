/* confab-preferences-window.c: the server, the name, ICE servers, hosting
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "confab-ice-server.h"
#include "confab-message.h"
#include "confab-preferences-window.h"

struct _ConfabPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  ConfabServerHost     *server_host;
  GtkStringList        *ice_servers;

  /* Template widgets */
  AdwEntryRow          *server_row;
  AdwEntryRow          *name_row;
  GtkLabel             *account_problem_label;
  GtkSwitch            *notify_switch;
  GtkListBox           *ice_list;
  AdwEntryRow          *ice_add_row;
  GtkLabel             *ice_problem_label;
  AdwActionRow         *relay_row;
  GtkSwitch            *relay_switch;
  GtkSwitch            *host_switch;
  GtkSpinButton        *port_spin;
  AdwActionRow         *address_row;
  GtkLabel             *address_label;
};

enum {
  PROP_0,
  PROP_SERVER_HOST,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabPreferencesWindow, confab_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GParamSpec *properties[N_PROPS];

static void
show_problem (GtkLabel   *label,
              const char *problem)
{
  gtk_label_set_label (label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (label), problem != NULL);
}

static void
server_apply_cb (ConfabPreferencesWindow *self,
                 AdwEntryRow             *row)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  if (!g_str_has_prefix (url, "ws://") && !g_str_has_prefix (url, "wss://"))
    {
      show_problem (self->account_problem_label,
                    _("The server address must start with ws:// or wss://, like ws://192.168.1.10:3000."));
      return;
    }

  show_problem (self->account_problem_label, NULL);
  g_settings_set_string (self->settings, "server-url", url);
}

static void
name_apply_cb (ConfabPreferencesWindow *self,
               AdwEntryRow             *row)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  if (!confab_message_validate_name (name, NULL))
    {
      show_problem (self->account_problem_label,
                    _("Enter a name of at most 64 bytes, without control characters."));
      return;
    }

  show_problem (self->account_problem_label, NULL);
  g_settings_set_string (self->settings, "username", name);
}

static void
save_ice_servers (ConfabPreferencesWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->ice_servers));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) urls = NULL;

  for (guint i = 0; i < n_items; i++)
    g_strv_builder_add (builder, gtk_string_list_get_string (self->ice_servers, i));
  urls = g_strv_builder_end (builder);

  g_settings_set_strv (self->settings, "ice-servers", (const char * const *) urls);
}

static void
remove_ice_server_cb (ConfabPreferencesWindow *self,
                      GtkButton               *button)
{
  const char *url = g_object_get_data (G_OBJECT (button), "url");
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->ice_servers));

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  for (guint i = 0; i < n_items; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->ice_servers, i), url) == 0)
        {
          gtk_string_list_remove (self->ice_servers, i);
          break;
        }
    }

  save_ice_servers (self);
}

static GtkWidget *
create_ice_row_cb (gpointer item,
                   gpointer user_data)
{
  ConfabPreferencesWindow *self = user_data;
  const char *url = gtk_string_object_get_string (GTK_STRING_OBJECT (item));
  g_autofree char *remove_label = NULL;
  GtkWidget *row;
  GtkWidget *button;

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
  /* TURN URLs carry a password: show the whole URL anyway, as the person
   * typed it, so they can tell their servers apart. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: %s is a STUN or TURN URL */
  remove_label = g_strdup_printf (_("Remove %s"), url);
  gtk_widget_set_tooltip_text (button, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "url", g_strdup (url), g_free);
  g_signal_connect_object (button, "clicked", G_CALLBACK (remove_ice_server_cb), self, G_CONNECT_SWAPPED);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
ice_add_apply_cb (ConfabPreferencesWindow *self,
                  AdwEntryRow             *row)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autofree char *converted = NULL;
  g_autoptr(GError) error = NULL;
  ConfabIceServerKind kind;

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  if (url[0] == '\0')
    return;

  /* Checked the way the peer connection will read it, so a typo shows
   * here rather than as a chat that cannot connect. */
  if ((converted = confab_ice_server_to_webrtcbin (url, &kind, &error)) == NULL)
    {
      /* Translators: %s is the reason, which names the address */
      g_autofree char *problem = g_strdup_printf (_("Not added. %s"), error->message);
      show_problem (self->ice_problem_label, problem);
      return;
    }

  show_problem (self->ice_problem_label, NULL);
  gtk_string_list_append (self->ice_servers, url);
  save_ice_servers (self);
  gtk_editable_set_text (GTK_EDITABLE (row), "");
}

/* Hiding the address needs a TURN server to relay through: without one
 * the switch can only be turned off, and the row says what is missing. */
static void
update_relay_row (ConfabPreferencesWindow *self)
{
  g_auto(GStrv) urls = g_settings_get_strv (self->settings, "ice-servers");
  gboolean has_turn = FALSE;
  gboolean usable;

  for (guint i = 0; urls[i] != NULL && !has_turn; i++)
    {
      ConfabIceServerKind kind;
      g_autofree char *converted = confab_ice_server_to_webrtcbin (urls[i], &kind, NULL);

      has_turn = converted != NULL && kind != CONFAB_ICE_SERVER_STUN;
    }

  /* The switch too: assistive technologies read its own state. */
  usable = has_turn || gtk_switch_get_active (self->relay_switch);
  gtk_widget_set_sensitive (GTK_WIDGET (self->relay_row), usable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->relay_switch), usable);
  adw_action_row_set_subtitle (self->relay_row,
                               has_turn
                               ? _("Your messages go through your TURN server, so the other person only "
                                   "sees its address.")
                               : _("Needs a TURN server: add one above first."));
}

static void
relay_only_changed_cb (ConfabPreferencesWindow *self,
                       const char              *key,
                       GSettings               *settings)
{
  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  update_relay_row (self);
}

static void
ice_servers_changed_cb (ConfabPreferencesWindow *self,
                        const char              *key,
                        GSettings               *settings)
{
  g_auto(GStrv) urls = g_settings_get_strv (settings, "ice-servers");
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->ice_servers));

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  gtk_string_list_splice (self->ice_servers, 0, n_items, (const char * const *) urls);
  gtk_widget_set_visible (GTK_WIDGET (self->ice_list), urls[0] != NULL);
  update_relay_row (self);
}

static void
server_host_changed_cb (ConfabPreferencesWindow *self,
                        GParamSpec              *pspec,
                        ConfabServerHost        *host)
{
  const char *error = confab_server_host_get_error (host);
  const char *address = confab_server_host_get_address (host);

  g_assert (CONFAB_IS_PREFERENCES_WINDOW (self));

  if (error != NULL)
    {
      gtk_label_set_label (self->address_label, error);
      gtk_widget_add_css_class (GTK_WIDGET (self->address_label), "error");
    }
  else
    {
      gtk_label_set_label (self->address_label,
                           address != NULL ? address : _("Not hosting"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->address_label), "error");
    }
}

static void
confab_preferences_window_constructed (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->constructed (object);

  g_assert (CONFAB_IS_SERVER_HOST (self->server_host));
  g_assert (G_IS_SETTINGS (self->settings));

  url = g_settings_get_string (self->settings, "server-url");
  name = g_settings_get_string (self->settings, "username");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);

  g_settings_bind (self->settings, "notify-messages", self->notify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "relay-only", self->relay_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::relay-only",
                           G_CALLBACK (relay_only_changed_cb), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "host-server", self->host_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "host-server-port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);

  gtk_list_box_bind_model (self->ice_list, G_LIST_MODEL (self->ice_servers),
                           create_ice_row_cb, self, NULL);
  g_signal_connect_object (self->settings, "changed::ice-servers",
                           G_CALLBACK (ice_servers_changed_cb), self, G_CONNECT_SWAPPED);
  ice_servers_changed_cb (self, "ice-servers", self->settings);

  g_signal_connect_object (self->server_host, "notify::address",
                           G_CALLBACK (server_host_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->server_host, "notify::error",
                           G_CALLBACK (server_host_changed_cb), self, G_CONNECT_SWAPPED);
  server_host_changed_cb (self, NULL, self->server_host);
}

static void
confab_preferences_window_dispose (GObject *object)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CONFAB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->ice_servers);
  g_clear_object (&self->server_host);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (confab_preferences_window_parent_class)->dispose (object);
}

static void
confab_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVER_HOST:
      g_value_set_object (value, self->server_host);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  ConfabPreferencesWindow *self = CONFAB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVER_HOST:
      self->server_host = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_preferences_window_class_init (ConfabPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = confab_preferences_window_constructed;
  object_class->dispose = confab_preferences_window_dispose;
  object_class->get_property = confab_preferences_window_get_property;
  object_class->set_property = confab_preferences_window_set_property;

  /* Shows where the hosted server can be reached, and why not. */
  properties[PROP_SERVER_HOST] =
    g_param_spec_object ("server-host", NULL, NULL,
                         CONFAB_TYPE_SERVER_HOST,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* The application's: one GSettings for the whole process. */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/confab/Confab/confab-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, account_problem_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, notify_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, ice_list);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, ice_add_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, ice_problem_label);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, relay_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, relay_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, host_switch);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, ConfabPreferencesWindow, address_label);
  gtk_widget_class_bind_template_callback (widget_class, server_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, ice_add_apply_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
confab_preferences_window_init (ConfabPreferencesWindow *self)
{
  self->ice_servers = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
}

ConfabPreferencesWindow *
confab_preferences_window_new (ConfabApplication *application)
{
  g_return_val_if_fail (CONFAB_IS_APPLICATION (application), NULL);

  return g_object_new (CONFAB_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       "server-host", confab_application_get_server_host (application),
                       "settings", confab_application_get_settings (application),
                       NULL);
}
