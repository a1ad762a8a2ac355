/* confab-network-watch.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-network-watch.h"

#define LOGIN1_NAME      "org.freedesktop.login1"
#define LOGIN1_PATH      "/org/freedesktop/login1"
#define LOGIN1_INTERFACE "org.freedesktop.login1.Manager"

struct _ConfabNetworkWatch
{
  GObject          parent_instance;

  GMainContext    *context;
  GNetworkMonitor *monitor;
  gulong           network_changed_id;

  /* Getting the system bus, until it is got (or found missing). */
  GCancellable    *cancellable;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
};

enum
{
  ONLINE,
  SLEEPING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ConfabNetworkWatch, confab_network_watch, G_TYPE_OBJECT)

static gboolean
emit_online_cb (gpointer user_data)
{
  ConfabNetworkWatch *self = user_data;

  g_assert (CONFAB_IS_NETWORK_WATCH (self));

  g_signal_emit (self, signals[ONLINE], 0);

  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor    *monitor,
                    gboolean            available,
                    ConfabNetworkWatch *self)
{
  g_assert (CONFAB_IS_NETWORK_WATCH (self));

  /* Losing the network is no reason to let go: a server on this computer
   * or this LAN stays reachable without a default route, and a connection
   * that really died is the watchdog's to find. */
  if (!available)
    return;

  g_debug ("The network changed and is available");

  /* The monitor is the process's, and emits on the context of whoever
   * made it first: hop to ours. */
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_online_cb, g_object_ref (self), g_object_unref);
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  ConfabNetworkWatch *self = user_data;
  gboolean start;

  g_assert (CONFAB_IS_NETWORK_WATCH (self));

  /* The system bus is input too. */
  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &start);
  g_debug ("The computer %s", start ? "is about to sleep" : "woke up");

  g_signal_emit (self, start ? signals[SLEEPING] : signals[ONLINE], 0);
}

static void
bus_get_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  ConfabNetworkWatch *self = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  bus = g_bus_get_finish (result, &error);

  /* Cancelled means disposed: @self may be gone, and must not be touched. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (CONFAB_IS_NETWORK_WATCH (self));

  g_clear_object (&self->cancellable);

  if (bus == NULL)
    {
      g_debug ("No system bus, so no word of sleep and resume: %s", error->message);
      return;
    }

  /* Called back on this context, which is the one that was the
   * thread-default when the watch was made. */
  self->system_bus = g_steal_pointer (&bus);
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (self->system_bus,
                                        LOGIN1_NAME,
                                        LOGIN1_INTERFACE,
                                        "PrepareForSleep",
                                        LOGIN1_PATH,
                                        NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        prepare_for_sleep_cb,
                                        self, NULL);
}

static void
confab_network_watch_dispose (GObject *object)
{
  ConfabNetworkWatch *self = (ConfabNetworkWatch *)object;

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }

  /* GDBus calls nothing of a subscription once it is gone, even what it
   * had queued already. */
  if (self->sleep_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
      self->sleep_subscription = 0;
    }
  g_clear_object (&self->system_bus);

  g_clear_signal_handler (&self->network_changed_id, self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (confab_network_watch_parent_class)->dispose (object);
}

static void
confab_network_watch_finalize (GObject *object)
{
  ConfabNetworkWatch *self = (ConfabNetworkWatch *)object;

  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (confab_network_watch_parent_class)->finalize (object);
}

static void
confab_network_watch_class_init (ConfabNetworkWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_network_watch_dispose;
  object_class->finalize = confab_network_watch_finalize;

  signals[ONLINE] =
    g_signal_new ("online",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);

  signals[SLEEPING] =
    g_signal_new ("sleeping",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
confab_network_watch_init (ConfabNetworkWatch *self)
{
  self->context = g_main_context_ref_thread_default ();

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);

  /* Asynchronously, so that a bus that is slow to answer never holds up
   * the connection it is only there to help. */
  self->cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, bus_get_cb, self);
}

/**
 * confab_network_watch_new:
 *
 * Returns: (transfer full): a watch emitting on the thread-default main
 *   context.
 */
ConfabNetworkWatch *
confab_network_watch_new (void)
{
  return g_object_new (CONFAB_TYPE_NETWORK_WATCH, NULL);
}
