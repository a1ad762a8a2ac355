/* confab-signal-listener.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* accept4() */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "confab-signal-http.h"
#include "confab-signal-listener.h"
#include "confab-soup-transport.h"
#include "confab-ws-loop.h"

/* Connections the kernel may queue before we accept them */
#define LISTEN_BACKLOG 4096
/* Connections taken from the kernel in one go, so that one busy
 * listening socket does not starve the rest of the main loop */
#define ACCEPT_BATCH 64
/* How long accepting pauses when not even the reserve descriptor could
 * be had back */
#define ACCEPT_PAUSE_MS 100

/* A connection accepted but not upgraded yet: SoupServer reads its
 * request.  Ours until the upgrade, so that it can be timed out and
 * counted. */
typedef struct
{
  GList              link;          /* in listener->pending_order */
  char              *key;           /* the peer's address and port */
  GSocketConnection *connection;
  gint64             deadline;      /* monotonic */
} Pending;

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->key);
  g_clear_object (&pending->connection);
  g_free (pending);
}

struct _ConfabSignalListener
{
  GObject                   parent_instance;

  ConfabSignalHub          *hub;
  ConfabSignalListenerFunc  func;
  gpointer                  user_data;

  /* While listening */
  SoupServer               *soup;
  GTlsCertificate          *certificate;
  gboolean                  tls;
  /* The listening GSockets, and a GSource a socket while accepting */
  GPtrArray                *sockets;
  GPtrArray                *accept_sources;
  guint                     resume_id;
  /* Closed to make room for one accept() when descriptors run out */
  int                       reserve_fd;
  /* Connections before their upgrade: by address, and oldest first */
  GHashTable               *pending;
  GQueue                    pending_order;
  guint                     sweep_id;
  guint                     upgrade_timeout;
  guint                     max_pending;
  char                    **allowed_origins;
  /* For the life of the listener: plain connections still closing from
   * an earlier start stay in it. */
  ConfabWsLoop             *ws_loop;
  guint                     keepalive_interval;
};

G_DEFINE_FINAL_TYPE (ConfabSignalListener, confab_signal_listener, G_TYPE_OBJECT)

static void
confab_signal_listener_dispose (GObject *object)
{
  ConfabSignalListener *self = CONFAB_SIGNAL_LISTENER (object);

  confab_signal_listener_stop (self);

  G_OBJECT_CLASS (confab_signal_listener_parent_class)->dispose (object);
}

static void
confab_signal_listener_finalize (GObject *object)
{
  ConfabSignalListener *self = CONFAB_SIGNAL_LISTENER (object);

  g_clear_pointer (&self->ws_loop, confab_ws_loop_free);
  g_clear_pointer (&self->allowed_origins, g_strfreev);
  g_clear_object (&self->hub);

  G_OBJECT_CLASS (confab_signal_listener_parent_class)->finalize (object);
}

static void
confab_signal_listener_class_init (ConfabSignalListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_signal_listener_dispose;
  object_class->finalize = confab_signal_listener_finalize;
}

static void
confab_signal_listener_init (ConfabSignalListener *self)
{
  self->reserve_fd = -1;
  self->upgrade_timeout = CONFAB_SIGNAL_LISTENER_UPGRADE_TIMEOUT;
  self->max_pending = G_MAXUINT;
  g_queue_init (&self->pending_order);
}

ConfabSignalListener *
confab_signal_listener_new (ConfabSignalHub          *hub,
                            ConfabSignalListenerFunc  func,
                            gpointer                  user_data)
{
  ConfabSignalListener *self;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (hub), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_SIGNAL_LISTENER, NULL);
  self->hub = g_object_ref (hub);
  self->func = func;
  self->user_data = user_data;

  return self;
}

/* Connections before their upgrade */

static char *
address_key (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;

  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("[%s]:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* Takes @pending out of the listener's hands; the connection itself is
 * SoupServer's (or the transport's) to close. */
static void
pending_remove (ConfabSignalListener *self,
                Pending              *pending)
{
  g_queue_unlink (&self->pending_order, &pending->link);
  g_hash_table_remove (self->pending, pending->key);
}

/* Forgets connections SoupServer closed (a request answered, a client
 * gone) and ends those past their deadline.  Shutting the socket down
 * rather than closing it lets SoupServer's own read end, so that it
 * closes the descriptor it still watches. */
static void
pending_sweep (ConfabSignalListener *self)
{
  gint64 now = g_get_monotonic_time ();
  GList *next;

  for (GList *l = self->pending_order.head; l != NULL; l = next)
    {
      Pending *pending = l->data;
      GSocket *socket = g_socket_connection_get_socket (pending->connection);

      next = l->next;
      if (g_socket_is_closed (socket))
        pending_remove (self, pending);
      else if (pending->deadline <= now)
        {
          g_socket_shutdown (socket, TRUE, TRUE, NULL);
          pending_remove (self, pending);
        }
    }
}

static gboolean
pending_sweep_cb (gpointer user_data)
{
  ConfabSignalListener *self = user_data;

  pending_sweep (self);
  if (self->pending_order.head != NULL)
    return G_SOURCE_CONTINUE;

  self->sweep_id = 0;
  return G_SOURCE_REMOVE;
}

/* The upgrade */

/* After the 101 went out: the connection leaves SoupServer for a
 * transport of its own. */
static void
upgraded_cb (SoupServerMessage    *msg,
             ConfabSignalListener *self)
{
  /* Stealing the connection drops SoupServer's reference to @msg. */
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  g_autoptr(GSocket) socket = NULL;
  const char *remote = soup_server_message_get_remote_host (msg);
  g_autofree char *key = NULL;
  Pending *pending;
  g_autoptr(GIOStream) stream = NULL;
  ConfabSignalTransport *transport;
  gsize max_payload;

  g_assert (CONFAB_IS_SIGNAL_LISTENER (self));

  key = address_key (soup_server_message_get_remote_address (msg));
  pending = key != NULL ? g_hash_table_lookup (self->pending, key) : NULL;
  if (pending == NULL)
    return;

  /* From here the connection is the transport's, with timeouts of its
   * own. */
  socket = g_object_ref (g_socket_connection_get_socket (pending->connection));
  pending_remove (self, pending);

  /* Each relay is one small frame: with Nagle's algorithm a frame could
   * wait for the ACK of the previous one (up to 40 ms of delayed ACK). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL || self->soup == NULL)
    {
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      return;
    }

  max_payload = (gsize) confab_signal_hub_get_max_frame (self->hub) *
                CONFAB_SIGNAL_LISTENER_HARD_LIMIT_FACTOR;

  if (self->tls)
    {
      SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
      SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

      transport = confab_soup_transport_new (stream, soup_server_message_get_uri (msg),
                                             soup_message_headers_get_one (request, "Origin"),
                                             soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                                             max_payload, self->keepalive_interval, NULL, NULL);
    }
  else
    {
      /* From here the descriptor is read directly: RFC 6455 (4.1) has a
       * client wait for the 101 before it sends a frame, so libsoup's
       * read buffer holds nothing of the websocket (a client that does
       * not wait loses what it sent early, and only that). */
      transport = confab_ws_loop_add (self->ws_loop, stream, g_socket_get_fd (socket),
                                      max_payload, NULL, NULL);
    }

  self->func (self, transport, remote != NULL ? remote : "?", self->user_data);
}

/* Websocket upgrades at any path but the HTTP handlers' are answered
 * here rather than through soup_server_add_websocket_handler(), whose
 * SoupWebsocketConnection would be one more GSource (and a keepalive
 * timer) in the main loop for every plain connection.  One handshake
 * serves both kinds of transport. */
static void
root_cb (SoupServer        *soup,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  ConfabSignalListener *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  const char *origin;

  if (!soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    {
      confab_signal_http_respond_root (msg, path);
      return;
    }

  /* Only browsers send an Origin, and a page's scripts cannot change it:
   * when origins are listed, a page elsewhere cannot use the server. */
  origin = soup_message_headers_get_one (headers, "Origin");
  if (self->allowed_origins != NULL && origin != NULL &&
      !g_strv_contains ((const char * const *) self->allowed_origins, origin))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      return;
    }

  /* No extension is offered: permessage-deflate keeps a zlib stream of a
   * few hundred KiB a connection, for small frames, and the mobile app
   * does not ask for it.  A failed handshake has its status set. */
  if (soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (upgraded_cb), self, 0);
}

/* Accepting */

static void start_accepting (ConfabSignalListener *self);
static void stop_accepting  (ConfabSignalListener *self);

static gboolean
resume_accepting_cb (gpointer user_data)
{
  ConfabSignalListener *self = user_data;

  self->resume_id = 0;
  start_accepting (self);

  return G_SOURCE_REMOVE;
}

/* Out of descriptors: the kernel keeps the connection queued and the
 * listening socket readable, so a level-triggered source would spin, and
 * the clients wait for nothing.  As nginx and libuv do, give back the
 * reserve descriptor, accept and close what is queued (those clients at
 * least learn at once), and take the reserve again.  When not even that
 * works, stop watching for a moment. */
static void
shed_queued (ConfabSignalListener *self,
             int                   listen_fd)
{
  if (self->reserve_fd >= 0)
    {
      int fd;

      close (self->reserve_fd);
      while ((fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
        close (fd);
      self->reserve_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    }

  if (self->reserve_fd < 0)
    {
      g_debug ("Out of file descriptors: pausing accept for %u ms", ACCEPT_PAUSE_MS);
      stop_accepting (self);
      self->resume_id = g_timeout_add (ACCEPT_PAUSE_MS, resume_accepting_cb, self);
    }
}

/* Hands one accepted socket to SoupServer to read its request, and keeps
 * an eye on it until its upgrade. */
static void
accept_one (ConfabSignalListener *self,
            int                   fd)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  Pending *pending;

  socket = g_socket_new_from_fd (fd, &error);
  if (socket == NULL)
    {
      close (fd);
      return;
    }

  /* Connections that have not upgraded count against the limit too:
   * otherwise idle ones could take every descriptor. */
  if (g_hash_table_size (self->pending) >= self->max_pending)
    pending_sweep (self);
  if (g_hash_table_size (self->pending) >= self->max_pending)
    {
      g_debug ("Refused a connection: %u are waiting to upgrade", self->max_pending);
      g_socket_close (socket, NULL);
      return;
    }

  local = g_socket_get_local_address (socket, NULL);
  remote = g_socket_get_remote_address (socket, NULL);
  if (local == NULL || remote == NULL)
    {
      /* Gone already */
      g_socket_close (socket, NULL);
      return;
    }

  connection = g_socket_connection_factory_create_connection (socket);
  if (self->tls)
    {
      stream = G_IO_STREAM (g_tls_server_connection_new (G_IO_STREAM (connection),
                                                         self->certificate, &error));
      if (stream == NULL)
        {
          g_warning ("Cannot start TLS: %s", error->message);
          g_socket_close (socket, NULL);
          return;
        }
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));

  key = address_key (remote);
  if (key == NULL)
    {
      g_socket_close (socket, NULL);
      return;
    }

  /* A port the kernel reused: the earlier connection is gone. */
  pending = g_hash_table_lookup (self->pending, key);
  if (pending != NULL)
    pending_remove (self, pending);

  pending = g_new0 (Pending, 1);
  pending->link.data = pending;
  pending->key = g_steal_pointer (&key);
  pending->connection = g_object_ref (connection);
  pending->deadline = g_get_monotonic_time () + (gint64) self->upgrade_timeout * G_USEC_PER_SEC;
  g_hash_table_replace (self->pending, pending->key, pending);
  g_queue_push_tail_link (&self->pending_order, &pending->link);
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add_seconds (1, pending_sweep_cb, self);

  soup_server_accept_iostream (self->soup, stream, local, remote, NULL);
}

static gboolean
accept_cb (GSocket      *listening,
           GIOCondition  condition,
           gpointer      user_data)
{
  ConfabSignalListener *self = user_data;
  int listen_fd = g_socket_get_fd (listening);

  for (guint i = 0; i < ACCEPT_BATCH && self->soup != NULL; i++)
    {
      int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

      if (fd >= 0)
        {
          accept_one (self, fd);
          continue;
        }

      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE)
        shed_queued (self, listen_fd);
      else if (errno != EAGAIN)
        g_debug ("accept: %s", g_strerror (errno));
      break;
    }

  return G_SOURCE_CONTINUE;
}

static void
start_accepting (ConfabSignalListener *self)
{
  g_assert (self->accept_sources->len == 0);

  for (guint i = 0; i < self->sockets->len; i++)
    {
      GSource *source = g_socket_create_source (self->sockets->pdata[i], G_IO_IN, NULL);

      g_source_set_callback (source, G_SOURCE_FUNC (accept_cb), self, NULL);
      g_source_set_static_name (source, "ConfabSignalListener accept");
      g_source_attach (source, NULL);
      g_ptr_array_add (self->accept_sources, source);
    }
}

static void
stop_accepting (ConfabSignalListener *self)
{
  for (guint i = 0; i < self->accept_sources->len; i++)
    g_source_destroy (self->accept_sources->pdata[i]);
  g_ptr_array_set_size (self->accept_sources, 0);
}

/* Listening */

/* The port of the first listening socket */
static guint
get_listening_port (ConfabSignalListener *self)
{
  guint port = 0;

  if (self->sockets != NULL && self->sockets->len > 0)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (self->sockets->pdata[0], NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }

  return port;
}

/* Listens on one address.  Not soup_server_listen(): GLib's sockets
 * listen with a backlog of 10, and a burst of clients connecting at once
 * (all of them, when a server restarts) overflows it; the kernel then
 * drops their SYNs, which are retried only after 1, 3, 7... seconds.
 * Nor SoupServer's own accepting: libsoup 3.2 removes its source for
 * good on the first failed accept(), so that a server that once ran out
 * of descriptors never accepts again. */
static gboolean
listen_on_address (ConfabSignalListener  *self,
                   GSocketAddress        *address,
                   GError               **error)
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

  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return FALSE;

  g_ptr_array_add (self->sockets, g_steal_pointer (&socket));
  return TRUE;
}

static gboolean
listen_on (ConfabSignalListener  *self,
           const char            *host,
           guint                  port,
           GError               **error)
{
  g_autolist(GInetAddress) addresses = NULL;
  gboolean everywhere = host == NULL || host[0] == '\0';

  if (everywhere)
    {
      /* IPv6 may be missing from the machine, but not IPv4. */
      addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
      addresses = g_list_prepend (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
    }
  else
    {
      g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (host);

      if (literal != NULL)
        addresses = g_list_prepend (NULL, g_steal_pointer (&literal));
      else
        {
          g_autoptr(GResolver) resolver = g_resolver_get_default ();

          addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);
          if (addresses == NULL)
            return FALSE;
        }
    }

  for (const GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);
      g_autoptr(GError) local_error = NULL;

      if (!listen_on_address (self, address, &local_error))
        {
          if (everywhere && g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV6 &&
              get_listening_port (self) != 0)
            continue;

          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Port 0 picks a free port on the first address; the others share
       * it, so that one number reaches every address. */
      port = get_listening_port (self);
    }

  return TRUE;
}

gboolean
confab_signal_listener_start (ConfabSignalListener  *self,
                              const char            *host,
                              guint                  port,
                              GTlsCertificate       *certificate,
                              GError               **error)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_LISTENER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  self->soup = soup_server_new ("server-header", "confab-signal/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->soup, "/", root_cb, self, NULL);
  confab_signal_http_add_handlers (self->soup, self->hub);

  self->tls = certificate != NULL;
  g_set_object (&self->certificate, certificate);
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  self->accept_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, pending_free);
  self->reserve_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  if (self->ws_loop == NULL)
    self->ws_loop = confab_ws_loop_new (NULL);

  if (!listen_on (self, host, port, error))
    {
      confab_signal_listener_stop (self);
      return FALSE;
    }

  start_accepting (self);

  return TRUE;
}

void
confab_signal_listener_stop (ConfabSignalListener *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  if (self->soup == NULL)
    return;

  stop_accepting (self);
  g_clear_handle_id (&self->resume_id, g_source_remove);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  for (guint i = 0; i < self->sockets->len; i++)
    g_socket_close (self->sockets->pdata[i], NULL);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_clear_pointer (&self->accept_sources, g_ptr_array_unref);
  if (self->reserve_fd >= 0)
    close (self->reserve_fd);
  self->reserve_fd = -1;

  /* Connections still reading their request end with SoupServer's;
   * websockets were taken over from their HTTP connections and stay open
   * for their closing handshake. */
  g_queue_init (&self->pending_order);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->certificate);
}

gboolean
confab_signal_listener_get_listening (ConfabSignalListener *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_LISTENER (self), FALSE);

  return self->soup != NULL;
}

guint
confab_signal_listener_get_port (ConfabSignalListener *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_LISTENER (self), 0);

  return self->soup != NULL ? get_listening_port (self) : 0;
}

void
confab_signal_listener_set_keepalive_interval (ConfabSignalListener *self,
                                               guint                 interval)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  self->keepalive_interval = interval;
}

void
confab_signal_listener_set_max_pending (ConfabSignalListener *self,
                                        guint                 max_pending)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  self->max_pending = max_pending;
}

void
confab_signal_listener_set_upgrade_timeout (ConfabSignalListener *self,
                                            guint                 seconds)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));
  g_return_if_fail (seconds > 0);

  self->upgrade_timeout = seconds;
}

void
confab_signal_listener_set_allowed_origins (ConfabSignalListener *self,
                                            const char * const   *origins)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  g_clear_pointer (&self->allowed_origins, g_strfreev);
  self->allowed_origins = g_strdupv ((char **) origins);
}
