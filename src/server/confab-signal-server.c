/* confab-signal-server.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <libsoup/soup.h>

#include "confab-message.h"
#include "confab-signal-log.h"
#include "confab-signal-server.h"
#include "confab-ws-loop.h"

#define DEFAULT_MAX_FRAME          CONFAB_MESSAGE_DEFAULT_MAX_FRAME
#define DEFAULT_RATE               50.0
#define DEFAULT_BURST              100
#define DEFAULT_KEEPALIVE_INTERVAL 30
/* Frames up to max-frame are read and answered frame-too-large; past
 * this many times max-frame libsoup stops reading and drops the
 * connection, so that nobody makes us buffer a gigabyte. */
#define HARD_LIMIT_FACTOR          16
/* A connection that answered no ping for this many intervals is dead. */
#define KEEPALIVE_MISSES           2
/* Connections the kernel may queue before we accept them */
#define LISTEN_BACKLOG             4096

/* One websocket.  Its link lets the server list every connection (for
 * shutdown and the keepalive sweep) and drop one in O(1).  A plain ws://
 * connection is a ConfabWsConn of the server's epoll loop; a wss:// one
 * stays libsoup's SoupWebsocketConnection, over its GTlsConnection. */
typedef struct
{
  GList                    link;
  ConfabSignalServer      *server;
  SoupWebsocketConnection *ws;     /* or */
  ConfabWsConn            *wsc;
  /* NULL once the server stopped and the connection is only closing */
  ConfabSignalHubClient   *client;
  guint64                  id;
  gint64                   last_heard;   /* monotonic seconds */
} Connection;

struct _ConfabSignalServer
{
  GObject          parent_instance;

  ConfabSignalHub *hub;
  SoupServer      *soup;
  ConfabWsLoop    *ws_loop;
  GQueue           connections;
  guint            reaper_id;

  char            *host;
  GTlsCertificate *tls_certificate;
  guint            port;
  guint            bound_port;
  guint            max_clients;
  guint            keepalive_interval;
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

static gboolean
connection_is_open (Connection *conn)
{
  if (conn->wsc != NULL)
    return confab_ws_conn_is_open (conn->wsc);

  return soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
connection_send_text (gpointer    user_data,
                      const char *text,
                      gsize       length)
{
  Connection *conn = user_data;

  /* libsoup warns about sending on a closing connection; a relay to a
   * peer that is just leaving is normal, not a bug. */
  if (conn->wsc != NULL)
    confab_ws_conn_send_text (conn->wsc, text, length);
  else if (soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (conn->ws, text);
}

static void
connection_close (gpointer    user_data,
                  gushort     code,
                  const char *reason)
{
  Connection *conn = user_data;

  if (conn->wsc != NULL)
    confab_ws_conn_close (conn->wsc, code, reason);
  else if (soup_websocket_connection_get_state (conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn->ws, code, reason);
}

static const ConfabSignalEndpointFuncs endpoint_funcs = {
  .send_text = connection_send_text,
  .close = connection_close,
};

static void
connection_message_cb (SoupWebsocketConnection *ws,
                       int                      type,
                       GBytes                  *message,
                       gpointer                 user_data)
{
  Connection *conn = user_data;
  const char *data;
  gsize length;

  g_assert (conn->ws == ws);

  conn->last_heard = now_seconds ();

  if (conn->client == NULL)
    return;

  data = g_bytes_get_data (message, &length);
  confab_signal_hub_handle_frame (conn->server->hub, conn->client, data, length,
                                  type == SOUP_WEBSOCKET_DATA_BINARY);
}

static void
connection_pong_cb (SoupWebsocketConnection *ws,
                    GBytes                  *message,
                    gpointer                 user_data)
{
  Connection *conn = user_data;

  conn->last_heard = now_seconds ();
}

static void
connection_destroy (Connection *conn)
{
  ConfabSignalServer *self = conn->server;

  if (conn->client != NULL)
    confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));

  g_queue_unlink (&self->connections, &conn->link);
  if (conn->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (conn->ws, conn);
      g_clear_object (&conn->ws);
    }
  g_clear_pointer (&conn->wsc, confab_ws_conn_abort);
  g_free (conn);
}

static void
connection_closed (Connection *conn,
                   gushort     code)
{
  ConfabSignalServer *self = conn->server;

  confab_signal_log (G_LOG_LEVEL_INFO, "disconnect", conn->id,
                     "Client %" G_GUINT64_FORMAT " disconnected (close code %u)",
                     conn->id, code);

  connection_destroy (conn);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

static void
connection_closed_cb (SoupWebsocketConnection *ws,
                      gpointer                 user_data)
{
  connection_closed (user_data, soup_websocket_connection_get_close_code (ws));
}

/* The epoll loop's view of a plain connection */

static void
plain_message_cb (gpointer    user_data,
                  const char *data,
                  gsize       length,
                  gboolean    binary)
{
  Connection *conn = user_data;

  if (conn->client != NULL)
    confab_signal_hub_handle_frame (conn->server->hub, conn->client, data, length, binary);
}

static void
plain_heard_cb (gpointer user_data)
{
  Connection *conn = user_data;

  conn->last_heard = now_seconds ();
}

static void
plain_closed_cb (gpointer user_data,
                 gushort  code)
{
  Connection *conn = user_data;

  /* The loop frees it once this returns. */
  conn->wsc = NULL;
  connection_closed (conn, code);
}

static const ConfabWsConnFuncs plain_funcs = {
  .message = plain_message_cb,
  .heard = plain_heard_cb,
  .closed = plain_closed_cb,
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
refused_closed_plain_cb (gpointer user_data,
                         gushort  code)
{
}

/* A refused connection lives on in the loop until its close completes. */
static const ConfabWsConnFuncs refused_funcs = {
  .message = refused_message_cb,
  .heard = refused_heard_cb,
  .closed = refused_closed_plain_cb,
};

static void
refused_closed_cb (SoupWebsocketConnection *ws,
                   gpointer                 user_data)
{
  g_signal_handlers_disconnect_by_func (ws, refused_closed_cb, user_data);
  g_object_unref (ws);
}

/* Answers first, so that a client learns why, then closes; the
 * connection lives on by itself until the close completes. */
/* Counts and logs a refused connection; returns the server-full error
 * it is answered with. */
static char *
refusal_json (ConfabSignalServer *self,
              const char         *remote,
              gsize              *length)
{
  g_autoptr(ConfabMessage) reply = NULL;

  confab_signal_metrics_count_error (confab_signal_hub_get_metrics (self->hub),
                                     CONFAB_PROTOCOL_ERROR_SERVER_FULL);
  confab_signal_log (G_LOG_LEVEL_INFO, "refuse", 0,
                     "Refused a connection from %s: %u clients is the limit",
                     remote, self->max_clients);

  reply = confab_message_new_error (confab_protocol_error_to_code (CONFAB_PROTOCOL_ERROR_SERVER_FULL),
                                    "The server is full; try again later", NULL);

  return confab_message_to_json (reply, length);
}

static void
refuse_connection (ConfabSignalServer      *self,
                   SoupWebsocketConnection *ws,
                   const char              *remote)
{
  g_autofree char *json = refusal_json (self, remote, NULL);

  soup_websocket_connection_send_text (ws, json);
  soup_websocket_connection_close (ws, CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION, "Server full");

  g_signal_connect (g_object_ref (ws), "closed", G_CALLBACK (refused_closed_cb), NULL);
}

static void
refuse_plain_connection (ConfabSignalServer *self,
                         GIOStream          *stream,
                         int                 fd,
                         const char         *remote)
{
  gsize length;
  g_autofree char *json = refusal_json (self, remote, &length);
  ConfabWsConn *wsc;

  /* Room for a close frame, nothing more */
  wsc = confab_ws_loop_add (self->ws_loop, stream, fd, 125, &refused_funcs, NULL);
  confab_ws_conn_send_text (wsc, json, length);
  confab_ws_conn_close (wsc, CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION, "Server full");
}

static void
limit_payload (ConfabSignalServer      *self,
               SoupWebsocketConnection *ws)
{
  guint64 limit = (guint64) confab_signal_hub_get_max_frame (self->hub) * HARD_LIMIT_FACTOR;

  /* libsoup 3.2 checks each frame against max-incoming-payload-size but
   * not a message fragmented into many frames; 3.6 adds
   * max-total-message-size for that, which we set where it exists. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, limit);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ws), "max-total-message-size") != NULL)
    g_object_set (ws, "max-total-message-size", limit, NULL);
}

static Connection *
connection_new (ConfabSignalServer *self)
{
  Connection *conn = g_new0 (Connection, 1);

  conn->link.data = conn;
  conn->server = self;
  conn->client = confab_signal_hub_add_client (self->hub, &endpoint_funcs, conn);
  conn->id = confab_signal_hub_client_get_id (conn->client);
  conn->last_heard = now_seconds ();

  return conn;
}

static void
connection_added (ConfabSignalServer *self,
                  Connection         *conn,
                  const char         *remote)
{
  g_queue_push_tail_link (&self->connections, &conn->link);

  confab_signal_log (G_LOG_LEVEL_INFO, "connect", conn->id,
                     "Client %" G_GUINT64_FORMAT " connected from %s",
                     conn->id, remote != NULL ? remote : "?");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

static void
websocket_cb (SoupServer              *soup,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  ConfabSignalServer *self = user_data;
  const char *remote = soup_server_message_get_remote_host (msg);
  GSocket *socket;
  Connection *conn;

  g_assert (CONFAB_IS_SIGNAL_SERVER (self));

  limit_payload (self, ws);

  /* Each relay is one small frame: with Nagle's algorithm a frame could
   * wait for the ACK of the previous one (up to 40 ms of delayed ACK). */
  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  if (self->max_clients > 0 && self->connections.length >= self->max_clients)
    {
      refuse_connection (self, ws, remote != NULL ? remote : "?");
      return;
    }

  conn = connection_new (self);
  conn->ws = g_object_ref (ws);

  g_signal_connect (ws, "message", G_CALLBACK (connection_message_cb), conn);
  g_signal_connect (ws, "pong", G_CALLBACK (connection_pong_cb), conn);
  g_signal_connect (ws, "closed", G_CALLBACK (connection_closed_cb), conn);
  soup_websocket_connection_set_keepalive_interval (ws, self->keepalive_interval);

  connection_added (self, conn, remote);
}

/* A plain upgrade, after its 101 went out: the connection leaves
 * SoupServer for the epoll loop. */
static void
plain_upgraded_cb (SoupServerMessage  *msg,
                   ConfabSignalServer *self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autofree char *remote = g_strdup (soup_server_message_get_remote_host (msg));
  g_autoptr(GIOStream) stream = NULL;
  Connection *conn;
  int fd;

  g_assert (CONFAB_IS_SIGNAL_SERVER (self));

  if (socket == NULL)
    return;

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  fd = g_socket_get_fd (socket);

  /* Frees @msg, most likely; nothing of it is used after this.  From
   * here the descriptor is read directly: RFC 6455 (4.1) has a client
   * wait for the 101 before it sends a frame, so libsoup's read buffer
   * holds nothing of the websocket (a client that does not wait loses
   * what it sent early, and only that). */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL || self->soup == NULL)
    {
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      return;
    }

  if (self->max_clients > 0 && self->connections.length >= self->max_clients)
    {
      refuse_plain_connection (self, stream, fd, remote != NULL ? remote : "?");
      return;
    }

  conn = connection_new (self);
  conn->wsc = confab_ws_loop_add (self->ws_loop, stream, fd,
                                  (gsize) confab_signal_hub_get_max_frame (self->hub) * HARD_LIMIT_FACTOR,
                                  &plain_funcs, conn);
  connection_added (self, conn, remote);
}

/* Answers a plain websocket upgrade here rather than through
 * soup_server_add_websocket_handler(), whose SoupWebsocketConnection
 * would be one more GSource (and a keepalive timer) in the main loop. */
static void
accept_plain_websocket (ConfabSignalServer *self,
                        SoupServerMessage  *msg)
{
  /* No extension is offered: permessage-deflate keeps a zlib stream of a
   * few hundred KiB a connection, for small frames. */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    return;

  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (plain_upgraded_cb), self, 0);
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

      if (!connection_is_open (conn))
        continue;

      if (conn->last_heard >= deadline)
        {
          /* libsoup pings its own connections on a timer of each. */
          if (conn->wsc != NULL)
            confab_ws_conn_ping (conn->wsc);
          continue;
        }

      confab_signal_log (G_LOG_LEVEL_INFO, "reap", conn->id,
                         "Client %" G_GUINT64_FORMAT " answered no ping: closing it", conn->id);

      /* Free the name now: the close handshake of a dead peer only ends
       * at the close timeout. */
      if (conn->client != NULL)
        confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));
      connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "No answer to pings");
    }

  return G_SOURCE_CONTINUE;
}

/* HTTP */

static gboolean
check_method (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);

  return FALSE;
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              char              *body)
{
  /* libsoup 3.2 knows no reason phrase for 426 */
  soup_server_message_set_status (msg, status, status == 426 ? "Upgrade Required" : NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
healthz_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  if (strcmp (path, "/healthz") != 0)
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup ("Not found\n"));
  else if (check_method (msg))
    respond_text (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", g_strdup ("ok\n"));
}

static void
metrics_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  ConfabSignalServer *self = user_data;

  if (strcmp (path, "/metrics") != 0)
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup ("Not found\n"));
  else if (check_method (msg))
    respond_text (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
                  confab_signal_metrics_to_prometheus (confab_signal_hub_get_metrics (self->hub)));
}

/* Plain HTTP anywhere but the two paths above.  A websocket upgrade is
 * left alone (no status set), so that SoupServer goes on to the
 * websocket handler of the same path. */
static void
root_cb (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  ConfabSignalServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* Over TLS the websocket handler of the same path takes it. */
  if (soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    {
      if (self->tls_certificate == NULL)
        accept_plain_websocket (self, msg);
      return;
    }

  if (strcmp (path, "/") != 0)
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup ("Not found\n"));
  else if (check_method (msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Upgrade", "websocket");
      respond_text (msg, 426, "text/plain; charset=utf-8",
                    g_strdup ("confab-signal: connect with a websocket client\n"));
    }
}

/* GObject */

static void
confab_signal_server_dispose (GObject *object)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  confab_signal_server_stop (self);

  /* Connections still closing: dropping the last reference closes the
   * stream at once. */
  while (self->connections.head != NULL)
    connection_destroy (self->connections.head->data);

  G_OBJECT_CLASS (confab_signal_server_parent_class)->dispose (object);
}

static void
confab_signal_server_finalize (GObject *object)
{
  ConfabSignalServer *self = CONFAB_SIGNAL_SERVER (object);

  g_clear_pointer (&self->ws_loop, confab_ws_loop_free);
  g_clear_object (&self->hub);
  g_clear_object (&self->tls_certificate);
  g_clear_pointer (&self->host, g_free);

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

    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;

    case PROP_N_CLIENTS:
      g_value_set_uint (value, self->connections.length);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->soup != NULL);
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
  self->port = CONFAB_SIGNAL_SERVER_DEFAULT_PORT;
  self->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  g_queue_init (&self->connections);
}

ConfabSignalServer *
confab_signal_server_new (void)
{
  return g_object_new (CONFAB_TYPE_SIGNAL_SERVER, NULL);
}

/* The port of the first listening socket.  Not soup_server_get_uris():
 * libsoup 3.2 leaks a GSocketAddress in it on every call. */
static guint
get_listening_port (SoupServer *soup)
{
  GSList *listeners = soup_server_get_listeners (soup);
  guint port = 0;

  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);

  return port;
}

/* Listens on one address.  Not soup_server_listen(): GLib's sockets
 * listen with a backlog of 10, and a burst of clients connecting at once
 * (all of them, when a server restarts) overflows it; the kernel then
 * drops their SYNs, which are retried only after 1, 3, 7... seconds. */
static gboolean
listen_on_address (ConfabSignalServer       *self,
                   GSocketAddress           *address,
                   SoupServerListenOptions   options,
                   GError                  **error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;

  /* The kernel caps it at net.core.somaxconn. */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);

  /* IPv4 has a socket of its own when listening everywhere. */
  if (family == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, error))
    return FALSE;

  return g_socket_bind (socket, address, TRUE, error) &&
         g_socket_listen (socket, error) &&
         soup_server_listen_socket (self->soup, socket, options, error);
}

/* Listens on @host: every interface when NULL, else an address or a name
 * to resolve (each of its addresses, on one port). */
static gboolean
listen_on (ConfabSignalServer       *self,
           SoupServerListenOptions   options,
           GError                  **error)
{
  g_autolist(GInetAddress) addresses = NULL;
  guint port = self->port;

  if (self->host == NULL || self->host[0] == '\0')
    {
      /* IPv6 may be missing from the machine, but not IPv4. */
      addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
      addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
    }
  else
    {
      g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (self->host);

      if (literal != NULL)
        addresses = g_list_prepend (NULL, g_steal_pointer (&literal));
      else
        {
          g_autoptr(GResolver) resolver = g_resolver_get_default ();

          addresses = g_resolver_lookup_by_name (resolver, self->host, NULL, error);
          if (addresses == NULL)
            return FALSE;
        }
    }

  for (const GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);
      g_autoptr(GError) local_error = NULL;

      if (!listen_on_address (self, address, options, &local_error))
        {
          gboolean everywhere = self->host == NULL || self->host[0] == '\0';

          if (everywhere && g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV6 &&
              get_listening_port (self->soup) != 0)
            continue;

          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Port 0 picks a free port on the first address; the others share
       * it, so that one number reaches every address. */
      port = get_listening_port (self->soup);
    }

  return TRUE;
}

gboolean
confab_signal_server_start (ConfabSignalServer  *self,
                            GError             **error)
{
  g_autoptr(SoupServer) soup = NULL;
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  soup = soup_server_new ("server-header", "confab-signal/" PACKAGE_VERSION " ", NULL);

  /* permessage-deflate keeps a zlib stream of a few hundred KiB per
   * connection, and signalling frames are small: without it a hundred
   * thousand clients fit in memory.  The mobile app does not ask for it. */
  soup_server_remove_websocket_extension (soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);

  soup_server_add_handler (soup, "/", root_cb, self, NULL);
  soup_server_add_websocket_handler (soup, "/", NULL, NULL, websocket_cb, self, NULL);
  soup_server_add_handler (soup, "/healthz", healthz_cb, self, NULL);
  soup_server_add_handler (soup, "/metrics", metrics_cb, self, NULL);

  if (self->tls_certificate != NULL)
    {
      soup_server_set_tls_certificate (soup, self->tls_certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  /* Connections still closing from an earlier run stay in theirs. */
  if (self->ws_loop == NULL)
    self->ws_loop = confab_ws_loop_new (NULL);

  self->soup = g_steal_pointer (&soup);
  if (!listen_on (self, options, error))
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
      return FALSE;
    }

  self->bound_port = get_listening_port (self->soup);

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

  if (self->soup == NULL)
    return;

  g_clear_handle_id (&self->reaper_id, g_source_remove);

  /* Every name goes at once; the close frames go out now, and each
   * connection is dropped when its close completes (or times out). */
  for (GList *l = self->connections.head; l != NULL; l = l->next)
    {
      Connection *conn = l->data;

      if (conn->client != NULL)
        confab_signal_hub_remove_client (self->hub, g_steal_pointer (&conn->client));
      connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Server shutting down");
    }

  /* Closes the listening sockets; websockets were taken over from their
   * HTTP connections and stay open for their closing handshake. */
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
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

  return self->soup != NULL;
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

  /* Existing connections keep their pings; the sweep follows at once. */
  if (self->soup != NULL)
    {
      g_clear_handle_id (&self->reaper_id, g_source_remove);
      if (interval > 0)
        self->reaper_id = g_timeout_add_seconds (interval, reap_cb, self);
      for (GList *l = self->connections.head; l != NULL; l = l->next)
        {
          Connection *conn = l->data;

          if (conn->ws != NULL)
            soup_websocket_connection_set_keepalive_interval (conn->ws, interval);
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEPALIVE_INTERVAL]);
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
