/* confab-server-host.c: a signalling server run inside the app
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "confab-server-host.h"
#include "confab-signal-server.h"

#define DEFAULT_PORT 3000

struct _ConfabServerHost
{
  GObject             parent_instance;

  ConfabSignalServer *server;
  char               *address;
  char               *error;
  guint               port;
  guint               enabled : 1;
};

enum {
  PROP_0,
  PROP_ENABLED,
  PROP_PORT,
  PROP_RUNNING,
  PROP_ADDRESS,
  PROP_ERROR,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabServerHost, confab_server_host, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* The first IPv4 address of an interface that is up and not loopback: the
 * one a phone on the same network reaches us at.  Loopback when there is
 * none, which still serves a second instance on this computer. */
static char *
find_lan_address (void)
{
  struct ifaddrs *addrs = NULL;
  char *found = NULL;

  if (getifaddrs (&addrs) != 0)
    return g_strdup ("127.0.0.1");

  for (const struct ifaddrs *ifa = addrs; ifa != NULL && found == NULL; ifa = ifa->ifa_next)
    {
      char text[INET_ADDRSTRLEN];

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
          (ifa->ifa_flags & IFF_UP) == 0 || (ifa->ifa_flags & IFF_LOOPBACK) != 0)
        continue;

      if (inet_ntop (AF_INET, &((const struct sockaddr_in *) (gconstpointer) ifa->ifa_addr)->sin_addr,
                     text, sizeof text) != NULL)
        found = g_strdup (text);
    }

  freeifaddrs (addrs);

  return found != NULL ? found : g_strdup ("127.0.0.1");
}

/* GLib 2.76's g_set_str(), for the 2.74 we build on. */
static gboolean
set_str (char       **str,
         const char  *value)
{
  if (g_strcmp0 (*str, value) == 0)
    return FALSE;

  g_free (*str);
  *str = g_strdup (value);

  return TRUE;
}

static void
confab_server_host_set_state (ConfabServerHost *self,
                              const char       *address,
                              const char       *error)
{
  if (set_str (&self->address, address))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
  if (set_str (&self->error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
confab_server_host_stop (ConfabServerHost *self)
{
  gboolean was_running = self->server != NULL;

  if (self->server != NULL)
    confab_signal_server_stop (self->server);
  g_clear_object (&self->server);

  if (was_running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
confab_server_host_apply (ConfabServerHost *self)
{
  g_autoptr(ConfabSignalServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lan = NULL;
  g_autofree char *address = NULL;

  confab_server_host_stop (self);

  if (!self->enabled)
    {
      confab_server_host_set_state (self, NULL, NULL);
      return;
    }

  server = confab_signal_server_new ();
  if (!confab_signal_server_listen (server, NULL, self->port, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %u is a port number, %s the system's reason */
      message = g_strdup_printf (_("Could not host a server on port %u: %s"), self->port, error->message);
      confab_server_host_set_state (self, NULL, message);
      return;
    }

  self->server = g_steal_pointer (&server);
  lan = find_lan_address ();
  address = g_strdup_printf ("ws://%s:%u", lan, self->port);
  confab_server_host_set_state (self, address, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
confab_server_host_dispose (GObject *object)
{
  ConfabServerHost *self = CONFAB_SERVER_HOST (object);

  confab_server_host_stop (self);

  G_OBJECT_CLASS (confab_server_host_parent_class)->dispose (object);
}

static void
confab_server_host_finalize (GObject *object)
{
  ConfabServerHost *self = CONFAB_SERVER_HOST (object);

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (confab_server_host_parent_class)->finalize (object);
}

static void
confab_server_host_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ConfabServerHost *self = CONFAB_SERVER_HOST (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->server != NULL);
      break;

    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_server_host_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ConfabServerHost *self = CONFAB_SERVER_HOST (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      confab_server_host_set_enabled (self, g_value_get_boolean (value));
      break;

    case PROP_PORT:
      confab_server_host_set_port (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_server_host_class_init (ConfabServerHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_server_host_dispose;
  object_class->finalize = confab_server_host_finalize;
  object_class->get_property = confab_server_host_get_property;
  object_class->set_property = confab_server_host_set_property;

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       1, G_MAXUINT16, DEFAULT_PORT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_server_host_init (ConfabServerHost *self)
{
  self->port = DEFAULT_PORT;
}

ConfabServerHost *
confab_server_host_new (void)
{
  return g_object_new (CONFAB_TYPE_SERVER_HOST, NULL);
}

gboolean
confab_server_host_get_enabled (ConfabServerHost *self)
{
  g_return_val_if_fail (CONFAB_IS_SERVER_HOST (self), FALSE);

  return self->enabled;
}

void
confab_server_host_set_enabled (ConfabServerHost *self,
                                gboolean          enabled)
{
  g_return_if_fail (CONFAB_IS_SERVER_HOST (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  confab_server_host_apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

guint
confab_server_host_get_port (ConfabServerHost *self)
{
  g_return_val_if_fail (CONFAB_IS_SERVER_HOST (self), 0);

  return self->port;
}

void
confab_server_host_set_port (ConfabServerHost *self,
                             guint             port)
{
  g_return_if_fail (CONFAB_IS_SERVER_HOST (self));
  g_return_if_fail (port > 0 && port <= G_MAXUINT16);

  if (self->port == port)
    return;

  self->port = port;
  if (self->enabled)
    confab_server_host_apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

gboolean
confab_server_host_get_running (ConfabServerHost *self)
{
  g_return_val_if_fail (CONFAB_IS_SERVER_HOST (self), FALSE);

  return self->server != NULL;
}

const char *
confab_server_host_get_address (ConfabServerHost *self)
{
  g_return_val_if_fail (CONFAB_IS_SERVER_HOST (self), NULL);

  return self->address;
}

const char *
confab_server_host_get_error (ConfabServerHost *self)
{
  g_return_val_if_fail (CONFAB_IS_SERVER_HOST (self), NULL);

  return self->error;
}
