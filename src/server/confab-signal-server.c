/* confab-signal-server.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-message.h"
#include "confab-signal-listener.h"
#include "confab-signal-log.h"
#include "confab-signal-server.h"
#include "confab-signal-transport.h"

#define DEFAULT_MAX_FRAME          CONFAB_MESSAGE_DEFAULT_MAX_FRAME
#define DEFAULT_RATE               50.0
#define DEFAULT_BURST              100
#define DEFAULT_KEEPALIVE_INTERVAL 30
#define DEFAULT_REGISTER_TIMEOUT   30
/* Connections past max-clients still upgraded, to be told the server is
 * full; past these, a new connection is closed at once. */
#define REFUSAL_ROOM               16
#define HARD_LIMIT_FACTOR          CONFAB_SIGNAL_LISTENER_HARD_LIMIT_FACTOR
/* A connection that answered no ping for this many intervals is dead. */
#define KEEPALIVE_MISSES           2
/* What a refused client may send before its close completes: room for a
 * close frame, nothing more. */
#define REFUSED_MAX_PAYLOAD        125

/* One websocket client.  Its link lets the server list every connection
 * (for shutdown and the keepalive sweep) and drop one in O(1). */
typedef struct
{
  GList                  link;
  ConfabSignalServer    *server;
  /* Frees itself after its closed event, which destroys the connection */
  ConfabSignalTransport *transport;
  /* NULL once the server stopped and the connection is only closing */
  ConfabSignalHubClient *client;
  /* In server->unregistered until it has a name (or is checked) */
  GList                  unregistered_link;
  guint64                id;
  gint64                 last_heard;   /* monotonic seconds */
  gint64                 connected_at; /* monotonic seconds */
} Connection;

struct _ConfabSignalServer
{
  GObject               parent_instance;

  ConfabSignalHub      *hub;
  ConfabSignalListener *listener;
  GQueue                connections;
  guint                 reaper_id;
  /* Connections without a name yet, oldest first */
  GQueue                unregistered;
  guint                 register_sweep_id;

  char                 *host;
  GTlsCertificate      *tls_certificate;
  guint                 port;
  guint                 bound_port;
  guint                 max_clients;
  guint                 keepalive_interval;
  guint                 register_timeout;
  char                **allowed_origins;
};

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_BOUND_PORT,
  PROP_MAX_CLIENTS,
  PROP_MAX_FRAME,
  PROP_RATE,
  PROP_BURST,
  PROP_KEEPALIVE_INTERVAL,
  PROP_REGISTER_TIMEOUT,
  PROP_ALLOWED_ORIGINS,
  PROP_TLS_CERTIFICATE,
  PROP_N_CLIENTS,
  PROP_RUNNING,
  PROP_HUB,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabSignalServer, confab_signal_server, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* The hub's view of a connection */

static void
connection_send_text (gpointer    user_data,
                      const char *text,
                      gsize       length)
{
  Connection *conn = user_data;

  confab_signal_transport_send_text (conn->transport, text, length);
}

static void
connection_close (gpointer    user_data,
                  gushort     code,
                  const char *reason)
{
  Connection *conn = user_data;

  confab_signal_transport_close (conn->transport, code, reason);
}

static const ConfabSignalEndpointFuncs endpoint_funcs = {
  .send_text = connection_send_text,
  .close = connection_close,
};

/* Connections being told the server is full are not counted: the
 * listener leaves them REFUSAL_ROOM. */
static void
update_listener_room (ConfabSignalServer *self)
{
  guint room = G_MAXUINT;

  if (self->max_clients > 0)
    room = self->max_clients - MIN (self->connections.length, self->max_clients) + REFUSAL_ROOM;

  confab_signal_listener_set_max_pending (self->listener, room);
}

/* Closes the connections that registered no name in time: until then
 * they are only a descriptor and a buffer held for nothing.  Pings do
 * not count: a client that answers them but never registers is as idle
 * as one that does not. */
static gboolean
register_sweep_cb (gpointer user_data)
{
  ConfabSignalServer *self = user_data;
  gint64 deadline = now_seconds () - self->register_timeout;
  GList *l;

  while ((l = self->unregistered.head) != NULL)
    {
      Connection *conn = l->data;

      if (conn->client != NULL && confab_signal_hub_client_get_name (conn->client) == NULL &&
          confab_signal_transport_is_open (conn->transport))
        {
          if (conn->connected_at > deadline)
            break;

          confab_signal_log (G_LOG_LEVEL_INFO, "reap", conn->id,
                             "Client %" G_GUINT64_FORMAT " registered no name in %u s: closing it",
                             conn->id, self->register_timeout);
          connection_close (conn, CONFAB_WS_CLOSE_POLICY_VIOLATION, "No name registered");
        }

      g_queue_unlink (&self->unregistered, l);
      l->data = NULL;
    }

  if (self->unregistered.head != NULL)
    return G_SOURCE_CONTINUE;

  self->register_sweep_id = 0;
  return G_SOURCE_REMOVE;
}

static void
connection_destroy (Connection *conn)
{
  ConfabSignalServer *self = conn->server;

  if (conn->client != NULL)
    confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));

  g_queue_unlink (&self->connections, &conn->link);
  if (conn->unregistered_link.data != NULL)
    g_queue_unlink (&self->unregistered, &conn->unregistered_link);
  g_clear_pointer (&conn->transport, confab_signal_transport_abort);
  g_free (conn);
  update_listener_room (self);
}

/* The transport's view of a connection */

static void
connection_message_cb (gpointer    user_data,
                       const char *data,
                       gsize       length,
                       gboolean    binary)
{
  Connection *conn = user_data;

  if (conn->client != NULL)
    confab_signal_hub_handle_frame (conn->server->hub, conn->client, data, length, binary);
}

static void
connection_heard_cb (gpointer user_data)
{
  Connection *conn = user_data;

  conn->last_heard = now_seconds ();
}

static void
connection_closed_cb (gpointer user_data,
                      gushort  code)
{
  Connection *conn = user_data;
  ConfabSignalServer *self = conn->server;

  /* The transport frees itself once this returns. */
  conn->transport = NULL;

  confab_signal_log (G_LOG_LEVEL_INFO, "disconnect", conn->id,
                     "Client %" G_GUINT64_FORMAT " disconnected (close code %u)",
                     conn->id, code);

  connection_destroy (conn);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

static const ConfabSignalTransportEvents connection_events = {
  .message = connection_message_cb,
  .heard = connection_heard_cb,
  .closed = connection_closed_cb,
};

static void
refused_message_cb (gpointer    user_data,
                    const char *data,
                    gsize       length,
                    gboolean    binary)
{
}

static void
refused_heard_cb (gpointer user_data)
{
}

static void
refused_closed_cb (gpointer user_data,
                   gushort  code)
{
}

/* A refused connection lives on by itself until its close completes. */
static const ConfabSignalTransportEvents refused_events = {
  .message = refused_message_cb,
  .heard = refused_heard_cb,
  .closed = refused_closed_cb,
};

/* Answers first, so that a client learns why, then closes. */
static void
refuse_connection (ConfabSignalServer    *self,
                   ConfabSignalTransport *transport,
                   const char            *remote)
{
  g_autoptr(ConfabMessage) reply = NULL;
  g_autofree char *json = NULL;
  gsize length;

  confab_signal_metrics_count_error (confab_signal_hub_get_metrics (self->hub),
                                     CONFAB_PROTOCOL_ERROR_SERVER_FULL);
  confab_signal_log (G_LOG_LEVEL_INFO, "refuse", 0,
                     "Refused a connection from %s: %u clients is the limit",
                     remote, self->max_clients);

  reply = confab_message_new_error (confab_protocol_error_to_code (CONFAB_PROTOCOL_ERROR_SERVER_FULL),
                                    "The server is full; try again later", NULL);
  json = confab_message_to_json (reply, &length);

  confab_signal_transport_set_events (transport, &refused_events, NULL);
  confab_signal_transport_set_max_payload (transport, REFUSED_MAX_PAYLOAD);
  confab_signal_transport_keepalive (transport, 0);
  confab_signal_transport_send_text (transport, json, length);
  confab_signal_transport_close (transport, CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION, "Server full");
}

static void
listener_upgraded_cb (ConfabSignalListener  *listener,
                      ConfabSignalTransport *transport,
                      const char            *remote,
                      gpointer               user_data)
{
  ConfabSignalServer *self = user_data;
  Connection *conn;

  g_assert (CONFAB_IS_SIGNAL_SERVER (self));

  if (self->max_clients > 0 && self->connections.length >= self->max_clients)
    {
      refuse_connection (self, transport, remote);
      return;
    }

  conn = g_new0 (Connection, 1);
  conn->link.data = conn;
  conn->server = self;
  conn->transport = transport;
  conn->client = confab_signal_hub_add_client (self->hub, &endpoint_funcs, conn);
  conn->id = confab_signal_hub_client_get_id (conn->client);
  conn->last_heard = now_seconds ();
  conn->connected_at = conn->last_heard;
  confab_signal_transport_set_events (transport, &connection_events, conn);
  g_queue_push_tail_link (&self->connections, &conn->link);
  update_listener_room (self);

  if (self->register_timeout > 0)
    {
      conn->unregistered_link.data = conn;
      g_queue_push_tail_link (&self->unregistered, &conn->unregistered_link);
      if (self->register_sweep_id == 0)
        self->register_sweep_id = g_timeout_add_seconds (1, register_sweep_cb, self);
    }

  confab_signal_log (G_LOG_LEVEL_INFO, "connect", conn->id,
                     "Client %" G_GUINT64_FORMAT " connected from %s", conn->id, remote);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

/* Closes the connections that answered no ping for a while: a peer whose
 * network vanished never sends a FIN, and would hold its name for ever.
 * One sweep over every connection each interval costs far less than a
 * timer each. */
static gboolean
reap_cb (gpointer user_data)
{
  ConfabSignalServer *self = user_data;
  gint64 deadline = now_seconds () - (gint64) self->keepalive_interval * KEEPALIVE_MISSES;

  for (GList *l = self->connections.head; l != NULL; l = l->next)
    {
      Connection *conn = l->data;

      if (!confab_signal_transport_is_open (conn->transport))
        continue;

      if (conn->last_heard >= deadline)
        {
          confab_signal_transport_keepalive (conn->transport, self->keepalive_interval);
          continue;
        }

      confab_signal_log (G_LOG_LEVEL_INFO, "reap", conn->id,
                         "Client %" G_GUINT64_FORMAT " answered no ping: closing it", conn->id);

      /* Free the name now: the close handshake of a dead peer only ends
       * at the close timeout. */
      if (conn->client != NULL)
        confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));
      connection_close (conn, CONFAB_WS_CLOSE_GOING_AWAY, "No answer to pings");
    }

  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
confab_signal_server_dispose (GObject *object)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  confab_signal_server_stop (self);

  /* Connections still closing are dropped at once. */
  while (self->connections.head != NULL)
    connection_destroy (self->connections.head->data);
  g_clear_handle_id (&self->register_sweep_id, g_source_remove);

  G_OBJECT_CLASS (confab_signal_server_parent_class)->dispose (object);
}

static void
confab_signal_server_finalize (GObject *object)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  /* After the connections: refused ones still closing live in its loop. */
  g_clear_object (&self->listener);
  g_clear_object (&self->hub);
  g_clear_object (&self->tls_certificate);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->allowed_origins, g_strfreev);

  G_OBJECT_CLASS (confab_signal_server_parent_class)->finalize (object);
}

static void
confab_signal_server_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_BOUND_PORT:
      g_value_set_uint (value, self->bound_port);
      break;

    case PROP_MAX_CLIENTS:
      g_value_set_uint (value, self->max_clients);
      break;

    case PROP_MAX_FRAME:
      g_value_set_uint (value, confab_signal_server_get_max_frame (self));
      break;

    case PROP_RATE:
      g_value_set_double (value, confab_signal_server_get_rate (self));
      break;

    case PROP_BURST:
      g_value_set_uint (value, confab_signal_server_get_burst (self));
      break;

    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;

    case PROP_REGISTER_TIMEOUT:
      g_value_set_uint (value, self->register_timeout);
      break;

    case PROP_ALLOWED_ORIGINS:
      g_value_set_boxed (value, self->allowed_origins);
      break;

    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;

    case PROP_N_CLIENTS:
      g_value_set_uint (value, self->connections.length);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, confab_signal_server_get_running (self));
      break;

    case PROP_HUB:
      g_value_set_object (value, self->hub);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_server_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  switch (prop_id)
    {
    case PROP_HOST:
      confab_signal_server_set_host (self, g_value_get_string (value));
      break;

    case PROP_PORT:
      confab_signal_server_set_port (self, g_value_get_uint (value));
      break;

    case PROP_MAX_CLIENTS:
      confab_signal_server_set_max_clients (self, g_value_get_uint (value));
      break;

    case PROP_MAX_FRAME:
      confab_signal_server_set_max_frame (self, g_value_get_uint (value));
      break;

    case PROP_RATE:
      confab_signal_server_set_rate (self, g_value_get_double (value));
      break;

    case PROP_BURST:
      confab_signal_server_set_burst (self, g_value_get_uint (value));
      break;

    case PROP_KEEPALIVE_INTERVAL:
      confab_signal_server_set_keepalive_interval (self, g_value_get_uint (value));
      break;

    case PROP_REGISTER_TIMEOUT:
      confab_signal_server_set_register_timeout (self, g_value_get_uint (value));
      break;

    case PROP_ALLOWED_ORIGINS:
      confab_signal_server_set_allowed_origins (self, g_value_get_boxed (value));
      break;

    case PROP_TLS_CERTIFICATE:
      confab_signal_server_set_tls_certificate (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_server_class_init (ConfabSignalServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_signal_server_dispose;
  object_class->finalize = confab_signal_server_finalize;
  object_class->get_property = confab_signal_server_get_property;
  object_class->set_property = confab_signal_server_set_property;

  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL,
                       0, G_MAXUINT16, CONFAB_SIGNAL_SERVER_DEFAULT_PORT,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_BOUND_PORT] =
    g_param_spec_uint ("bound-port", NULL, NULL,
                       0, G_MAXUINT16, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_MAX_CLIENTS] =
    g_param_spec_uint ("max-clients", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_MAX_FRAME] =
    g_param_spec_uint ("max-frame", NULL, NULL,
                       1, G_MAXUINT32 / HARD_LIMIT_FACTOR, DEFAULT_MAX_FRAME,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0.0, G_MAXDOUBLE, DEFAULT_RATE,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_BURST] =
    g_param_spec_uint ("burst", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_BURST,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, G_MAXUINT16, DEFAULT_KEEPALIVE_INTERVAL,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_REGISTER_TIMEOUT] =
    g_param_spec_uint ("register-timeout", NULL, NULL,
                       0, G_MAXUINT16, DEFAULT_REGISTER_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_ALLOWED_ORIGINS] =
    g_param_spec_boxed ("allowed-origins", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_N_CLIENTS] =
    g_param_spec_uint ("n-clients", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_HUB] =
    g_param_spec_object ("hub", NULL, NULL,
                         CONFAB_TYPE_SIGNAL_HUB,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_signal_server_init (ConfabSignalServer *self)
{
  self->hub = confab_signal_hub_new ();
  self->listener = confab_signal_listener_new (self->hub, listener_upgraded_cb, self);
  confab_signal_listener_set_keepalive_interval (self->listener, DEFAULT_KEEPALIVE_INTERVAL);
  self->port = CONFAB_SIGNAL_SERVER_DEFAULT_PORT;
  self->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  self->register_timeout = DEFAULT_REGISTER_TIMEOUT;
  g_queue_init (&self->connections);
  g_queue_init (&self->unregistered);
}

ConfabSignalServer *
confab_signal_server_new (void)
{
  return g_object_new (CONFAB_TYPE_SIGNAL_SERVER, NULL);
}

gboolean
confab_signal_server_start (ConfabSignalServer  *self,
                            GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!confab_signal_listener_get_listening (self->listener), FALSE);

  if (!confab_signal_listener_start (self->listener, self->host, self->port,
                                     self->tls_certificate, error))
    return FALSE;

  self->bound_port = confab_signal_listener_get_port (self->listener);

  if (self->keepalive_interval > 0)
    self->reaper_id = g_timeout_add_seconds (self->keepalive_interval, reap_cb, self);

  confab_signal_log (G_LOG_LEVEL_INFO, "listen", 0, "Listening on %s%s port %u",
                     self->tls_certificate != NULL ? "wss://" : "ws://",
                     self->host != NULL ? self->host : "*", self->bound_port);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  return TRUE;
}

gboolean
confab_signal_server_listen (ConfabSignalServer  *self,
                             const char          *host,
                             guint                port,
                             GError             **error)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  confab_signal_server_set_host (self, host);
  confab_signal_server_set_port (self, port);

  return confab_signal_server_start (self, error);
}

void
confab_signal_server_stop (ConfabSignalServer *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));

  if (!confab_signal_server_get_running (self))
    return;

  g_clear_handle_id (&self->reaper_id, g_source_remove);

  /* Every name goes at once; the close frames go out now, and each
   * connection is dropped when its close completes (or times out). */
  for (GList *l = self->connections.head; l != NULL; l = l->next)
    {
      Connection *conn = l->data;

      if (conn->client != NULL)
        confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));
      connection_close (conn, CONFAB_WS_CLOSE_GOING_AWAY, "Server shutting down");
    }

  confab_signal_listener_stop (self->listener);
  self->bound_port = 0;

  confab_signal_log (G_LOG_LEVEL_INFO, "stop", 0, "Stopped; %u clients closing",
                     self->connections.length);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
confab_signal_server_get_running (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), FALSE);

  return confab_signal_listener_get_listening (self->listener);
}

const char *
confab_signal_server_get_host (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), NULL);

  return self->host;
}

void
confab_signal_server_set_host (ConfabSignalServer *self,
                               const char         *host)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));

  if (g_strcmp0 (self->host, host) == 0)
    return;

  g_free (self->host);
  self->host = g_strdup (host);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

guint
confab_signal_server_get_port (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->port;
}

void
confab_signal_server_set_port (ConfabSignalServer *self,
                               guint               port)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (port <= G_MAXUINT16);

  if (self->port == port)
    return;

  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

guint
confab_signal_server_get_bound_port (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->bound_port;
}

guint
confab_signal_server_get_max_clients (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->max_clients;
}

void
confab_signal_server_set_max_clients (ConfabSignalServer *self,
                                      guint               max_clients)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));

  if (self->max_clients == max_clients)
    return;

  self->max_clients = max_clients;
  update_listener_room (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CLIENTS]);
}

guint
confab_signal_server_get_max_frame (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return confab_signal_hub_get_max_frame (self->hub);
}

void
confab_signal_server_set_max_frame (ConfabSignalServer *self,
                                    guint               max_frame)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (max_frame > 0 && max_frame <= G_MAXUINT32 / HARD_LIMIT_FACTOR);

  if (confab_signal_hub_get_max_frame (self->hub) == max_frame)
    return;

  confab_signal_hub_set_max_frame (self->hub, max_frame);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FRAME]);
}

double
confab_signal_server_get_rate (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0.0);

  return confab_signal_hub_get_rate (self->hub);
}

void
confab_signal_server_set_rate (ConfabSignalServer *self,
                               double              rate)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (rate >= 0.0);

  if (confab_signal_hub_get_rate (self->hub) == rate)
    return;

  confab_signal_hub_set_rate (self->hub, rate);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

guint
confab_signal_server_get_burst (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return confab_signal_hub_get_burst (self->hub);
}

void
confab_signal_server_set_burst (ConfabSignalServer *self,
                                guint               burst)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (burst > 0);

  if (confab_signal_hub_get_burst (self->hub) == burst)
    return;

  confab_signal_hub_set_burst (self->hub, burst);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BURST]);
}

guint
confab_signal_server_get_keepalive_interval (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->keepalive_interval;
}

void
confab_signal_server_set_keepalive_interval (ConfabSignalServer *self,
                                             guint               interval)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (interval <= G_MAXUINT16);

  if (self->keepalive_interval == interval)
    return;

  self->keepalive_interval = interval;
  confab_signal_listener_set_keepalive_interval (self->listener, interval);

  /* The sweep restarts at the new interval; transports that ping on a
   * timer of their own are told now. */
  if (confab_signal_server_get_running (self))
    {
      g_clear_handle_id (&self->reaper_id, g_source_remove);
      if (interval > 0)
        self->reaper_id = g_timeout_add_seconds (interval, reap_cb, self);
      for (GList *l = self->connections.head; l != NULL; l = l->next)
        {
          Connection *conn = l->data;

          confab_signal_transport_keepalive (conn->transport, interval);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
}

guint
confab_signal_server_get_register_timeout (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->register_timeout;
}

/* Applies to connections made from now on. */
void
confab_signal_server_set_register_timeout (ConfabSignalServer *self,
                                           guint               seconds)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (seconds <= G_MAXUINT16);

  if (self->register_timeout == seconds)
    return;

  self->register_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTER_TIMEOUT]);
}

const char * const *
confab_signal_server_get_allowed_origins (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), NULL);

  return (const char * const *) self->allowed_origins;
}

void
confab_signal_server_set_allowed_origins (ConfabSignalServer *self,
                                          const char * const *origins)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));

  if (self->allowed_origins == NULL && origins == NULL)
    return;
  if (self->allowed_origins != NULL && origins != NULL &&
      g_strv_equal ((const char * const *) self->allowed_origins, origins))
    return;

  g_clear_pointer (&self->allowed_origins, g_strfreev);
  self->allowed_origins = g_strdupv ((char **) origins);
  confab_signal_listener_set_allowed_origins (self->listener, origins);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOWED_ORIGINS]);
}

GTlsCertificate *
confab_signal_server_get_tls_certificate (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), NULL);

  return self->tls_certificate;
}

void
confab_signal_server_set_tls_certificate (ConfabSignalServer *self,
                                          GTlsCertificate    *certificate)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&self->tls_certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_CERTIFICATE]);
}

guint
confab_signal_server_get_n_clients (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), 0);

  return self->connections.length;
}

ConfabSignalHub *
confab_signal_server_get_hub (ConfabSignalServer *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), NULL);

  return self->hub;
}
