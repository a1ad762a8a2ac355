/* confab-signal-listener.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <libsoup/soup.h>

#include "confab-signal-http.h"
#include "confab-signal-listener.h"
#include "confab-soup-transport.h"
#include "confab-ws-loop.h"

/* Connections the kernel may queue before we accept them */
#define LISTEN_BACKLOG 4096

struct _ConfabSignalListener
{
  GObject                   parent_instance;

  ConfabSignalHub          *hub;
  ConfabSignalListenerFunc  func;
  gpointer                  user_data;

  /* While listening */
  SoupServer               *soup;
  gboolean                  tls;
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

/* The upgrade */

/* After the 101 went out: the connection leaves SoupServer for a
 * transport of its own. */
static void
upgraded_cb (SoupServerMessage    *msg,
             ConfabSignalListener *self)
{
  /* Stealing the connection drops SoupServer's reference to @msg. */
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  GSocket *socket = soup_server_message_get_socket (msg);
  const char *remote = soup_server_message_get_remote_host (msg);
  g_autoptr(GIOStream) stream = NULL;
  ConfabSignalTransport *transport;
  gsize max_payload;

  g_assert (CONFAB_IS_SIGNAL_LISTENER (self));

  if (socket == NULL)
    return;

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
      g_autoptr(SoupWebsocketConnection) ws = NULL;

      /* What SoupServer's own websocket handler does */
      ws = soup_websocket_connection_new (stream, soup_server_message_get_uri (msg),
                                          SOUP_WEBSOCKET_CONNECTION_SERVER,
                                          soup_message_headers_get_one (request, "Origin"),
                                          soup_message_headers_get_one (response, "Sec-WebSocket-Protocol"),
                                          NULL);
      transport = confab_soup_transport_new (ws, max_payload, self->keepalive_interval, NULL, NULL);
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

  if (!soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    {
      confab_signal_http_respond_root (msg, path);
      return;
    }

  /* No extension is offered: permessage-deflate keeps a zlib stream of a
   * few hundred KiB a connection, for small frames, and the mobile app
   * does not ask for it.  A failed handshake has its status set. */
  if (soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (upgraded_cb), self, 0);
}

/* Listening */

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
listen_on_address (ConfabSignalListener     *self,
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

static gboolean
listen_on (ConfabSignalListener     *self,
           const char               *host,
           guint                     port,
           SoupServerListenOptions   options,
           GError                  **error)
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

      if (!listen_on_address (self, address, options, &local_error))
        {
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
confab_signal_listener_start (ConfabSignalListener  *self,
                              const char            *host,
                              guint                  port,
                              GTlsCertificate       *certificate,
                              GError               **error)
{
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_LISTENER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  self->soup = soup_server_new ("server-header", "confab-signal/" PACKAGE_VERSION " ", NULL);
  soup_server_add_handler (self->soup, "/", root_cb, self, NULL);
  confab_signal_http_add_handlers (self->soup, self->hub);

  self->tls = certificate != NULL;
  if (self->tls)
    {
      soup_server_set_tls_certificate (self->soup, certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  if (self->ws_loop == NULL)
    self->ws_loop = confab_ws_loop_new (NULL);

  if (!listen_on (self, host, port, options, error))
    {
      confab_signal_listener_stop (self);
      return FALSE;
    }

  return TRUE;
}

void
confab_signal_listener_stop (ConfabSignalListener *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  if (self->soup == NULL)
    return;

  /* Closes the listening sockets; websockets were taken over from their
   * HTTP connections and stay open for their closing handshake. */
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
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

  return self->soup != NULL ? get_listening_port (self->soup) : 0;
}

void
confab_signal_listener_set_keepalive_interval (ConfabSignalListener *self,
                                               guint                 interval)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_LISTENER (self));

  self->keepalive_interval = interval;
}
