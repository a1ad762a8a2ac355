/* confab-signal-client-reconnect.c: staying signed in
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-signal-client-errors.h"
#include "confab-signal-client-private.h"

/* The half of ConfabSignalClient that keeps it signed in once it was:
 * trying again after a failure, each wait longer than the last; the
 * watchdogs that notice a connection or an attempt that went silent; and
 * what the computer tells it through ConfabNetworkWatch. */

/* From the start of an attempt to user_stored: a host that swallows
 * packets would otherwise keep us waiting for TCP's own minutes. */
#define ATTEMPT_TIMEOUT_S 20

GSource *
_confab_signal_client_add_timeout (ConfabSignalClient *self,
                                   guint               interval_ms,
                                   GSourceFunc         func)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

/* Backoff */

static gboolean
retry_cb (gpointer user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  g_clear_pointer (&self->retry_source, g_source_unref);
  _confab_signal_client_start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
confab_signal_client_retry_in (ConfabSignalClient *self,
                               guint               wait_ms)
{
  g_assert (self->retry_source == NULL);

  g_debug ("Reconnecting to %s in %u ms", self->url, wait_ms);
  self->retry_source = _confab_signal_client_add_timeout (self, wait_ms, retry_cb);
}

static void
confab_signal_client_schedule_retry (ConfabSignalClient *self)
{
  guint delay = self->backoff_initial_ms;

  for (guint i = 0; i < self->n_failures && delay < self->backoff_max_ms; i++)
    delay *= 2;
  delay = CLAMP (delay, 1, MAX (self->backoff_max_ms, 1));
  self->n_failures++;

  /* Between half and all of the delay: clients dropped by one server
   * restart then spread out instead of all coming back at once. */
  confab_signal_client_retry_in (self, delay / 2 + g_random_int_range (0, delay / 2 + 1));
}

/* Attempts */

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  ConfabSignalClient *self = user_data;
  GError *error;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* With a websocket open, something answered, just not our protocol. */
  if (self->connection != NULL)
    error = _confab_signal_client_error_no_sign_in_answer (self->url);
  else
    error = _confab_signal_client_error_no_answer (self->url);

  g_clear_pointer (&self->attempt_timeout, g_source_unref);
  _confab_signal_client_attempt_failed (self, error);

  return G_SOURCE_REMOVE;
}

void
_confab_signal_client_arm_attempt_timeout (ConfabSignalClient *self)
{
  g_assert (self->attempt_timeout == NULL);

  self->attempt_timeout = _confab_signal_client_add_timeout (self, ATTEMPT_TIMEOUT_S * 1000,
                                                             attempt_timeout_cb);
}

void
_confab_signal_client_cancel_attempt (ConfabSignalClient *self)
{
  if (self->attempt_cancellable != NULL)
    {
      g_cancellable_cancel (self->attempt_cancellable);
      g_clear_object (&self->attempt_cancellable);
    }

  _confab_signal_client_clear_source (&self->attempt_timeout);
  _confab_signal_client_clear_source (&self->retry_source);
}

/* The attempt under way failed with @error (taken): the first attempt
 * ends connect_async() with it; later ones try again. */
void
_confab_signal_client_attempt_failed (ConfabSignalClient *self,
                                      GError             *error)
{
  _confab_signal_client_cancel_attempt (self);
  _confab_signal_client_drop_connection (self, error);

  if (self->connect_task != NULL)
    {
      _confab_signal_client_take_last_error (self, g_error_copy (error));
      _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_FAILED);
      _confab_signal_client_complete_connect (self, error);
      return;
    }

  g_debug ("Reconnecting to %s failed: %s", self->url, error->message);
  _confab_signal_client_take_last_error (self, error);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  confab_signal_client_schedule_retry (self);
}

/* Lets go of a registered connection for @error (taken), and waits to
 * try again. */
static void
confab_signal_client_sign_out_for_now (ConfabSignalClient *self,
                                       GError             *error)
{
  g_debug ("%s", error->message);

  _confab_signal_client_drop_connection (self, error);
  _confab_signal_client_take_last_error (self, error);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
}

/* A connection that was registered went away. */
void
_confab_signal_client_connection_lost (ConfabSignalClient *self)
{
  const char *url = self->url;

  g_assert (self->state == CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);

  confab_signal_client_sign_out_for_now (self, _confab_signal_client_error_connection_lost (url));

  self->n_failures = 0;
  confab_signal_client_schedule_retry (self);
}

/* The watchdog */

static gboolean
watchdog_cb (gpointer user_data)
{
  ConfabSignalClient *self = user_data;
  gint64 silence;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* libsoup pings but never gives up on a silent peer; a connection whose
   * other end vanished (a suspended laptop, a dropped Wi-Fi) stays "open"
   * for TCP's own minutes unless we notice. */
  silence = g_get_monotonic_time () - self->last_heard;
  if (silence < 2 * (gint64) self->keepalive_interval * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;

  g_message ("The server at %s stopped answering", self->url);
  g_clear_pointer (&self->watchdog, g_source_unref);

  if (self->registering)
    _confab_signal_client_attempt_failed (self, _confab_signal_client_error_no_answer (self->url));
  else
    _confab_signal_client_connection_lost (self);

  return G_SOURCE_REMOVE;
}

void
_confab_signal_client_start_watchdog (ConfabSignalClient *self)
{
  _confab_signal_client_clear_source (&self->watchdog);

  if (self->connection == NULL || self->keepalive_interval == 0)
    return;

  soup_websocket_connection_set_keepalive_interval (self->connection, self->keepalive_interval);
  self->last_heard = g_get_monotonic_time ();
  self->watchdog = _confab_signal_client_add_timeout (self,
                                                      self->keepalive_interval * 1000,
                                                      watchdog_cb);
}

/* The network and the computer */

static void
network_online_cb (ConfabNetworkWatch *watch,
                   ConfabSignalClient *self)
{
  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* Only a client waiting out a backoff has anything to gain: a signed-in
   * one has its connection (and the watchdog to find it dead), and an
   * attempt under way has its own timeout. */
  if (self->retry_source == NULL)
    return;

  /* Failures on the network before say nothing about this one. */
  g_debug ("Reconnecting to %s now: the network is back, or the computer woke up", self->url);
  _confab_signal_client_clear_source (&self->retry_source);
  self->n_failures = 0;
  _confab_signal_client_start_attempt (self);
}

static void
network_sleeping_cb (ConfabNetworkWatch *watch,
                     ConfabSignalClient *self)
{
  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* A first attempt (connect_async()) is its caller's to see through. */
  if (self->state != CONFAB_SIGNAL_CLIENT_STATE_REGISTERED &&
      self->state != CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING)
    return;

  /* Closed now, the connection tells the server to free the name; left
   * open, it would go silent and hold the name until the server gives up
   * on it, refusing us when we come back. */
  _confab_signal_client_cancel_attempt (self);
  confab_signal_client_sign_out_for_now (self, _confab_signal_client_error_asleep (self->url));

  /* Waking up says "online"; should that never come (or the sleep not
   * happen), the longest backoff, which counts only time awake, brings
   * the client back all the same. */
  confab_signal_client_retry_in (self, self->backoff_max_ms);
}

void
_confab_signal_client_watch_network (ConfabSignalClient *self)
{
  g_assert (self->network_watch == NULL);

  self->network_watch = confab_network_watch_new ();
  g_signal_connect (self->network_watch, "online", G_CALLBACK (network_online_cb), self);
  g_signal_connect (self->network_watch, "sleeping", G_CALLBACK (network_sleeping_cb), self);
}

void
_confab_signal_client_unwatch_network (ConfabSignalClient *self)
{
  if (self->network_watch != NULL)
    g_signal_handlers_disconnect_by_data (self->network_watch, self);
  g_clear_object (&self->network_watch);
}
