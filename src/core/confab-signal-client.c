/* confab-signal-client.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-core-enums.h"
#include "confab-signal-client-errors.h"
#include "confab-signal-client-private.h"

/* The object and its API.  The rest of the class is in the files that
 * confab-signal-client-private.h lists. */

#define DEFAULT_KEEPALIVE_S        15
#define DEFAULT_BACKOFF_INITIAL_MS 500
#define DEFAULT_BACKOFF_MAX_MS     (30 * 1000)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_URL,
  PROP_NAME,
  PROP_LAST_ERROR,
  PROP_KEEPALIVE_INTERVAL,
  N_PROPS
};

enum
{
  MESSAGE_RECEIVED,
  SERVER_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ConfabSignalClient, confab_signal_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (confab-signal-client-error-quark, confab_signal_client_error)

void
_confab_signal_client_set_state (ConfabSignalClient      *self,
                                 ConfabSignalClientState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Takes @error (which may be NULL to clear it). */
void
_confab_signal_client_take_last_error (ConfabSignalClient *self,
                                       GError             *error)
{
  if (error == NULL && self->last_error == NULL)
    return;

  if (error != NULL && self->last_error != NULL &&
      g_error_matches (error, self->last_error->domain, self->last_error->code) &&
      g_strcmp0 (error->message, self->last_error->message) == 0)
    {
      g_error_free (error);
      return;
    }

  g_clear_error (&self->last_error);
  self->last_error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

void
_confab_signal_client_emit_message (ConfabSignalClient *self,
                                    ConfabMessage      *message,
                                    const char         *peer)
{
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message, peer);
}

void
_confab_signal_client_emit_server_error (ConfabSignalClient *self,
                                         ConfabMessage      *error)
{
  g_signal_emit (self, signals[SERVER_ERROR], 0, error);
}

/* Ends connect_async() with @error (taken), or with success for NULL. */
void
_confab_signal_client_complete_connect (ConfabSignalClient *self,
                                        GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  _confab_signal_client_clear_source (&self->connect_cancel_source);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Stops everything under way, failing the pending checks with @error. */
static void
confab_signal_client_reset (ConfabSignalClient *self,
                            const GError       *error)
{
  _confab_signal_client_cancel_attempt (self);
  _confab_signal_client_drop_connection (self, error);
}

static gboolean
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  g_clear_pointer (&self->connect_cancel_source, g_source_unref);
  error = _confab_signal_client_error_cancelled ();
  confab_signal_client_reset (self, error);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  _confab_signal_client_complete_connect (self, g_steal_pointer (&error));

  return G_SOURCE_REMOVE;
}

static gboolean
confab_signal_client_parse_url (ConfabSignalClient  *self,
                                const char          *url,
                                GError             **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *path;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_propagate_error (error, _confab_signal_client_error_invalid_url (url));
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_propagate_error (error, _confab_signal_client_error_not_websocket_url (url));
      return FALSE;
    }

  /* The mobile app connects to "ws://HOST:3000", without a path; HTTP
   * needs one. */
  path = g_uri_get_path (uri);
  g_clear_pointer (&self->uri, g_uri_unref);
  self->uri = g_uri_build (G_URI_FLAGS_NONE,
                           scheme,
                           g_uri_get_userinfo (uri),
                           g_uri_get_host (uri),
                           g_uri_get_port (uri),
                           path[0] != '\0' ? path : "/",
                           g_uri_get_query (uri),
                           NULL);

  return TRUE;
}

static void
confab_signal_client_dispose (GObject *object)
{
  ConfabSignalClient *self = (ConfabSignalClient *)object;
  g_autoptr(GError) error = NULL;

  _confab_signal_client_unwatch_network (self);
  error = _confab_signal_client_error_closed ();
  confab_signal_client_reset (self, error);
  _confab_signal_client_complete_connect (self, g_steal_pointer (&error));
  g_clear_object (&self->transfers);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (confab_signal_client_parent_class)->dispose (object);
}

static void
confab_signal_client_finalize (GObject *object)
{
  ConfabSignalClient *self = (ConfabSignalClient *)object;

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (confab_signal_client_parent_class)->finalize (object);
}

static void
confab_signal_client_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabSignalClient *self = CONFAB_SIGNAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;

    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_client_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabSignalClient *self = CONFAB_SIGNAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_KEEPALIVE_INTERVAL:
      confab_signal_client_set_keepalive_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_client_class_init (ConfabSignalClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_signal_client_dispose;
  object_class->finalize = confab_signal_client_finalize;
  object_class->get_property = confab_signal_client_get_property;
  object_class->set_property = confab_signal_client_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CONFAB_TYPE_SIGNAL_CLIENT_STATE,
                       CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, G_MAXUINT / 1000, DEFAULT_KEEPALIVE_S,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2,
                  CONFAB_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[SERVER_ERROR] =
    g_signal_new ("server-error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, CONFAB_TYPE_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_signal_client_init (ConfabSignalClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->session = soup_session_new ();
  self->state = CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED;
  self->keepalive_interval = DEFAULT_KEEPALIVE_S;
  self->backoff_initial_ms = DEFAULT_BACKOFF_INITIAL_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->transfers = confab_start_transfer_queue_new ();
  _confab_signal_client_watch_network (self);
}

/**
 * confab_signal_client_new:
 *
 * Returns: (transfer full): a disconnected client, living in the
 *   thread-default main context.
 */
ConfabSignalClient *
confab_signal_client_new (void)
{
  return g_object_new (CONFAB_TYPE_SIGNAL_CLIENT, NULL);
}

ConfabSignalClientState
confab_signal_client_get_state (ConfabSignalClient *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);

  return self->state;
}

const char *
confab_signal_client_get_url (ConfabSignalClient *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), NULL);

  return self->url;
}

const char *
confab_signal_client_get_name (ConfabSignalClient *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), NULL);

  return self->name;
}

const GError *
confab_signal_client_get_last_error (ConfabSignalClient *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), NULL);

  return self->last_error;
}

guint
confab_signal_client_get_keepalive_interval (ConfabSignalClient *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), 0);

  return self->keepalive_interval;
}

void
confab_signal_client_set_keepalive_interval (ConfabSignalClient *self,
                                             guint               seconds)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_CLIENT (self));
  g_return_if_fail (seconds <= G_MAXUINT / 1000);

  if (self->keepalive_interval == seconds)
    return;

  self->keepalive_interval = seconds;
  if (self->connection != NULL)
    {
      soup_websocket_connection_set_keepalive_interval (self->connection, seconds);
      _confab_signal_client_start_watchdog (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
}

void
confab_signal_client_set_backoff (ConfabSignalClient *self,
                                  guint               initial_ms,
                                  guint               max_ms)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_CLIENT (self));
  g_return_if_fail (initial_ms > 0);
  g_return_if_fail (max_ms >= initial_ms);
  g_return_if_fail (max_ms <= G_MAXUINT / 2);

  self->backoff_initial_ms = initial_ms;
  self->backoff_max_ms = max_ms;
}

void
confab_signal_client_connect_async (ConfabSignalClient  *self,
                                    const char          *url,
                                    const char          *name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_SIGNAL_CLIENT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_signal_client_connect_async);

  error = _confab_signal_client_error_replaced ();
  confab_signal_client_reset (self, error);
  _confab_signal_client_complete_connect (self, g_steal_pointer (&error));
  self->n_failures = 0;

  if (g_strcmp0 (self->url, url) != 0)
    {
      g_free (self->url);
      self->url = g_strdup (url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
    }

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }

  /* Both are the user's typing: refuse them here, before any network. */
  if (!_confab_signal_client_check_name (name, &error) ||
      !confab_signal_client_parse_url (self, url, &error))
    {
      _confab_signal_client_take_last_error (self, g_error_copy (error));
      _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
      return;
    }

  self->connect_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      self->connect_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->connect_cancel_source, G_SOURCE_FUNC (connect_cancelled_cb),
                             self, NULL);
      g_source_attach (self->connect_cancel_source, self->context);
    }

  _confab_signal_client_take_last_error (self, NULL);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_CONNECTING);
  _confab_signal_client_start_attempt (self);
}

gboolean
confab_signal_client_connect_finish (ConfabSignalClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_signal_client_disconnect (ConfabSignalClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_SIGNAL_CLIENT (self));

  error = _confab_signal_client_error_signed_out ();
  confab_signal_client_reset (self, error);
  self->n_failures = 0;
  _confab_signal_client_take_last_error (self, NULL);
  _confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  _confab_signal_client_complete_connect (self, g_steal_pointer (&error));
}

static gboolean
confab_signal_client_check_connected (ConfabSignalClient  *self,
                                      GError             **error)
{
  if (self->state == CONFAB_SIGNAL_CLIENT_STATE_REGISTERED)
    return TRUE;

  g_propagate_error (error, _confab_signal_client_error_not_connected (self->url));

  return FALSE;
}

gboolean
confab_signal_client_send (ConfabSignalClient  *self,
                           ConfabMessage       *message,
                           GError             **error)
{
  ConfabMessageKind kind;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  kind = confab_message_get_kind (message);
  g_return_val_if_fail (confab_message_kind_is_client_request (kind) ||
                        kind == CONFAB_MESSAGE_ICE_CANDIDATE, FALSE);
  g_return_val_if_fail (kind != CONFAB_MESSAGE_STORE_USER, FALSE);

  if (!confab_signal_client_check_connected (self, error))
    return FALSE;

  if (kind == CONFAB_MESSAGE_START_TRANSFER)
    confab_start_transfer_queue_push (self->transfers, self->url,
                                      confab_message_get_target (message), NULL, NULL);

  _confab_signal_client_send_message (self, message);

  return TRUE;
}

void
confab_signal_client_check_online_async (ConfabSignalClient  *self,
                                         const char          *peer,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_SIGNAL_CLIENT (self));
  g_return_if_fail (peer != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_signal_client_check_online_async);

  if (!confab_signal_client_check_connected (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  confab_start_transfer_queue_push (self->transfers, self->url, peer, task, cancellable);

  message = confab_message_new_start_transfer (self->name, peer);
  _confab_signal_client_send_message (self, message);
}

gboolean
confab_signal_client_check_online_finish (ConfabSignalClient  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
