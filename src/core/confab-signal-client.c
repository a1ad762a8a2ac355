/* confab-signal-client.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "confab-core-enums.h"
#include "confab-protocol-error.h"
#include "confab-signal-client.h"

/* From the start of an attempt to user_stored: a host that swallows
 * packets would otherwise keep us waiting for TCP's own minutes. */
#define ATTEMPT_TIMEOUT_S          20
/* From a start_transfer to its answer. */
#define TRANSFER_TIMEOUT_S         10
#define DEFAULT_KEEPALIVE_S        15
#define DEFAULT_BACKOFF_INITIAL_MS 500
#define DEFAULT_BACKOFF_MAX_MS     (30 * 1000)
/* Frames from the server: an offer with every candidate in its SDP can
 * pass the 64 KiB a server accepts from a client, so allow more here. */
#define MAX_INCOMING_FRAME         (256 * 1024)

struct _ConfabSignalClient
{
  GObject                  parent_instance;

  GMainContext            *context;
  SoupSession             *session;

  char                    *url;       /* as the user wrote it, for messages */
  GUri                    *uri;       /* what we connect to */
  char                    *name;
  GError                  *last_error;
  ConfabSignalClientState  state;

  guint                    keepalive_interval;
  guint                    backoff_initial_ms;
  guint                    backoff_max_ms;
  guint                    n_failures;  /* reconnection attempts since the last success */

  /* The connection attempt under way, first or reconnection: cancelled by
   * disconnect(), a newer connect_async() or dispose. */
  GCancellable            *attempt_cancellable;
  GSource                 *attempt_timeout;
  GSource                 *retry_source;

  /* connect_async()'s task until the name is registered (or not), and the
   * watch on its caller's cancellable. */
  GTask                   *connect_task;
  GSource                 *connect_cancel_source;

  SoupWebsocketConnection *connection;
  gboolean                 registering; /* store_user sent, no answer yet */
  gint64                   last_heard;  /* monotonic time of the last frame or pong */
  GSource                 *watchdog;

  /* One Transfer per start_transfer sent, oldest first.  The server
   * answers them in order, and a transfer_response for an offline peer
   * names nobody, so order is what matches most answers to questions. */
  GQueue                   transfers;
};

typedef struct
{
  ConfabSignalClient *client;         /* unowned: the client ends every transfer before it goes */
  char               *target;
  /* check_online_async()'s task; NULL for send()'s, and once answered. */
  GTask              *task;
  GSource            *cancel_source;
  GSource            *timeout_source;
  /* Sent through send(): its answer goes out as "message-received". */
  gboolean            emit_answer;
} Transfer;

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

static void confab_signal_client_start_attempt (ConfabSignalClient *self);

static GSource *
confab_signal_client_add_timeout (ConfabSignalClient *self,
                                  guint               interval_ms,
                                  GSourceFunc         func)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
confab_signal_client_set_state (ConfabSignalClient      *self,
                                ConfabSignalClientState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Takes @error (which may be NULL to clear it). */
static void
confab_signal_client_take_last_error (ConfabSignalClient *self,
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

static const char *
confab_signal_client_get_host (ConfabSignalClient *self)
{
  const char *host = self->uri != NULL ? g_uri_get_host (self->uri) : NULL;

  return host != NULL ? host : self->url;
}

/* What went wrong with the connection itself, said so a person knows what
 * to check. */
static GError *
confab_signal_client_describe_connect_error (ConfabSignalClient *self,
                                             const GError       *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not reach the server at %s: connection refused. "
                          "Check the address and that the server is running."),
                        self->url);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not find the server “%s”. "
                          "Check the address and your network connection."),
                        confab_signal_client_get_host (self));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("The server at %s did not answer in time. "
                          "Check the address and your network connection."),
                        self->url);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not reach the server at %s: %s. Check your network connection."),
                        self->url, error->message);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("The server at %s sent a certificate that cannot be trusted. "
                          "Check the address, or ask the server’s owner to renew its certificate."),
                        self->url);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("The server at %s does not offer a secure connection. "
                          "Use an address starting with ws:// instead of wss://."),
                        self->url);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("Could not make a secure connection to %s: %s. "
                          "Check the address, or use ws:// if the server does not offer wss://."),
                        self->url, error->message);

  if (error->domain == SOUP_WEBSOCKET_ERROR)
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_A_SERVER,
                        _("The server at %s is not a signalling server: %s. Check the address."),
                        self->url, error->message);

  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                      _("Could not reach the server at %s: %s. "
                        "Check the address and that the server is running."),
                      self->url, error->message);
}

static void
transfer_free (Transfer *transfer)
{
  clear_source (&transfer->cancel_source);
  clear_source (&transfer->timeout_source);
  g_clear_object (&transfer->task);
  g_free (transfer->target);
  g_free (transfer);
}

/* Answers the question, if anyone still waits for the answer, with
 * @error (taken) or else @online. */
static void
transfer_complete (Transfer *transfer,
                   GError   *error,
                   gboolean  online)
{
  g_autoptr(GTask) task = g_steal_pointer (&transfer->task);

  clear_source (&transfer->cancel_source);
  clear_source (&transfer->timeout_source);

  if (task == NULL)
    g_clear_error (&error);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, online);
}

static gboolean
transfer_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  Transfer *transfer = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&transfer->task);

  g_assert (CONFAB_IS_SIGNAL_CLIENT (transfer->client));
  g_assert (g_queue_find (&transfer->client->transfers, transfer) != NULL);

  /* The answer still comes and must still be matched to this question,
   * so the transfer stays in the queue, answered already. */
  g_clear_pointer (&transfer->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static gboolean
transfer_timeout_cb (gpointer user_data)
{
  Transfer *transfer = user_data;
  ConfabSignalClient *self = transfer->client;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* A server that rate-limits may drop a request without a word; without
   * this its question would wait for ever, and hold up the queue. */
  g_clear_pointer (&transfer->timeout_source, g_source_unref);
  g_queue_remove (&self->transfers, transfer);
  transfer_complete (transfer,
                     g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TIMED_OUT,
                                  _("The server at %s did not say whether “%s” is online. "
                                    "Try again in a moment."),
                                  self->url, transfer->target),
                     FALSE);
  transfer_free (transfer);

  return G_SOURCE_REMOVE;
}

static void
confab_signal_client_push_transfer (ConfabSignalClient *self,
                                    const char         *target,
                                    GTask              *task,
                                    GCancellable       *cancellable)
{
  Transfer *transfer = g_new0 (Transfer, 1);

  transfer->client = self;
  transfer->target = g_strdup (target);
  transfer->emit_answer = task == NULL;

  if (task != NULL)
    {
      transfer->task = g_object_ref (task);
      transfer->timeout_source = g_timeout_source_new_seconds (TRANSFER_TIMEOUT_S);
      g_source_set_callback (transfer->timeout_source, transfer_timeout_cb, transfer, NULL);
      g_source_attach (transfer->timeout_source, self->context);
    }

  if (cancellable != NULL)
    {
      transfer->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (transfer->cancel_source, G_SOURCE_FUNC (transfer_cancelled_cb),
                             transfer, NULL);
      g_source_attach (transfer->cancel_source, self->context);
    }

  g_queue_push_tail (&self->transfers, transfer);
}

/* The transfer a transfer_response naming @online_user (NULL: nobody)
 * answers, taken out of the queue; NULL if none waits. */
static Transfer *
confab_signal_client_pop_transfer (ConfabSignalClient *self,
                                   const char         *online_user)
{
  /* An answer that names someone belongs to the oldest question about
   * them, even if an older question's answer was lost on the way. */
  if (online_user != NULL)
    {
      for (GList *l = self->transfers.head; l != NULL; l = l->next)
        {
          Transfer *transfer = l->data;

          if (g_strcmp0 (transfer->target, online_user) == 0)
            {
              g_queue_delete_link (&self->transfers, l);
              return transfer;
            }
        }
    }

  return g_queue_pop_head (&self->transfers);
}

/* Every start_transfer still unanswered will never be answered now. */
static void
confab_signal_client_fail_transfers (ConfabSignalClient *self,
                                     const GError       *error)
{
  GQueue transfers = self->transfers;
  Transfer *transfer;

  /* Callbacks may ask again: those questions go to the next connection. */
  g_queue_init (&self->transfers);

  while ((transfer = g_queue_pop_head (&transfers)) != NULL)
    {
      transfer_complete (transfer, g_error_copy (error), FALSE);
      transfer_free (transfer);
    }
}

/* Lets go of the connection, closing it if it is open.  Nothing it does
 * afterwards reaches us. */
static void
confab_signal_client_drop_connection (ConfabSignalClient *self,
                                      const GError       *error)
{
  g_autoptr(SoupWebsocketConnection) connection = g_steal_pointer (&self->connection);

  clear_source (&self->watchdog);
  clear_source (&self->attempt_timeout);
  self->registering = FALSE;

  if (connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (connection, self);

      /* The close handshake needs the connection alive: it lets go of
       * itself once closed. */
      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          g_signal_connect (connection, "closed", G_CALLBACK (g_object_unref), NULL);
          soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          connection = NULL;
        }
    }

  confab_signal_client_fail_transfers (self, error);
}

static void
confab_signal_client_cancel_attempt (ConfabSignalClient *self)
{
  if (self->attempt_cancellable != NULL)
    {
      g_cancellable_cancel (self->attempt_cancellable);
      g_clear_object (&self->attempt_cancellable);
    }

  clear_source (&self->attempt_timeout);
  clear_source (&self->retry_source);
}

/* Ends connect_async() with @error (taken), or with success for NULL. */
static void
confab_signal_client_complete_connect (ConfabSignalClient *self,
                                       GError             *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  clear_source (&self->connect_cancel_source);

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

static gboolean
retry_cb (gpointer user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  g_clear_pointer (&self->retry_source, g_source_unref);
  confab_signal_client_start_attempt (self);

  return G_SOURCE_REMOVE;
}

static void
confab_signal_client_schedule_retry (ConfabSignalClient *self)
{
  guint delay = self->backoff_initial_ms;
  guint wait;

  g_assert (self->retry_source == NULL);

  for (guint i = 0; i < self->n_failures && delay < self->backoff_max_ms; i++)
    delay *= 2;
  delay = CLAMP (delay, 1, MAX (self->backoff_max_ms, 1));

  /* Between half and all of the delay: clients dropped by one server
   * restart then spread out instead of all coming back at once. */
  wait = delay / 2 + g_random_int_range (0, delay / 2 + 1);
  self->n_failures++;

  g_debug ("Reconnecting to %s in %u ms", self->url, wait);
  self->retry_source = confab_signal_client_add_timeout (self, wait, retry_cb);
}

/* The attempt under way failed with @error (taken): the first attempt
 * ends connect_async() with it; later ones try again. */
static void
confab_signal_client_attempt_failed (ConfabSignalClient *self,
                                     GError             *error)
{
  confab_signal_client_cancel_attempt (self);
  confab_signal_client_drop_connection (self, error);

  if (self->connect_task != NULL)
    {
      confab_signal_client_take_last_error (self, g_error_copy (error));
      confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_FAILED);
      confab_signal_client_complete_connect (self, error);
      return;
    }

  g_debug ("Reconnecting to %s failed: %s", self->url, error->message);
  confab_signal_client_take_last_error (self, error);
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  confab_signal_client_schedule_retry (self);
}

/* A connection that was registered went away. */
static void
confab_signal_client_connection_lost (ConfabSignalClient *self)
{
  g_autoptr(GError) error = NULL;

  g_assert (self->state == CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);

  error = g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST,
                       _("Lost the connection to the server at %s. Reconnecting…"),
                       self->url);
  g_debug ("%s", error->message);

  confab_signal_client_drop_connection (self, error);
  confab_signal_client_take_last_error (self, g_steal_pointer (&error));
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);

  self->n_failures = 0;
  confab_signal_client_schedule_retry (self);
}

static void
confab_signal_client_registered (ConfabSignalClient *self)
{
  self->registering = FALSE;
  self->n_failures = 0;
  clear_source (&self->attempt_timeout);
  g_clear_object (&self->attempt_cancellable);

  confab_signal_client_take_last_error (self, NULL);
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  confab_signal_client_complete_connect (self, NULL);
}

static void
confab_signal_client_handle_error_reply (ConfabSignalClient *self,
                                         ConfabMessage      *message)
{
  const char *ref = confab_message_get_error_ref (message);
  const char *code = confab_message_get_error_code (message);
  const char *text = confab_message_get_error_message (message);

  /* Before the name is registered, an error without a ref (such as a full
   * server's) can only be about us signing in. */
  if (self->registering && (ref == NULL || g_strcmp0 (ref, "store_user") == 0))
    {
      ConfabProtocolError protocol_code;
      gboolean bad_name = FALSE;

      if (confab_protocol_error_from_code (code, &protocol_code))
        bad_name = protocol_code == CONFAB_PROTOCOL_ERROR_NAME_EMPTY ||
                   protocol_code == CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG ||
                   protocol_code == CONFAB_PROTOCOL_ERROR_NAME_INVALID;

      if (g_strcmp0 (code, "server-full") == 0)
        confab_signal_client_attempt_failed (self,
                                             g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                          CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                                                          _("The server at %s is full. Try again "
                                                            "later, or use another server."),
                                                          self->url));
      else if (bad_name)
        confab_signal_client_attempt_failed (self,
                                             g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                          CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                                                          _("The server at %s does not accept "
                                                            "the name “%s”: %s. Choose another name."),
                                                          self->url, self->name, text));
      else
        confab_signal_client_attempt_failed (self,
                                             g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                          CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                                                          _("The server at %s refused to sign you "
                                                            "in: %s. Try again later."),
                                                          self->url, text));
      return;
    }

  /* A refused start_transfer is the answer to the oldest one. */
  if (g_strcmp0 (ref, "start_transfer") == 0 && !g_queue_is_empty (&self->transfers))
    {
      Transfer *transfer = g_queue_pop_head (&self->transfers);

      transfer_complete (transfer,
                         g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                      CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                                      _("The server at %s would not say whether “%s” is online: "
                                        "%s. Try again later."),
                                      self->url, transfer->target, text),
                         FALSE);
      transfer_free (transfer);
    }

  g_signal_emit (self, signals[SERVER_ERROR], 0, message);
}

static void
confab_signal_client_handle_transfer_response (ConfabSignalClient *self,
                                               ConfabMessage      *message)
{
  const char *online_user = confab_message_get_user (message);
  g_autofree char *peer = NULL;
  Transfer *transfer;
  gboolean emit;

  transfer = confab_signal_client_pop_transfer (self, online_user);
  emit = transfer == NULL || transfer->emit_answer;

  /* "Offline" names nobody: the question says whom it is about. */
  peer = g_strdup (transfer != NULL ? transfer->target : online_user);

  if (transfer != NULL)
    {
      transfer_complete (transfer, NULL, online_user != NULL);
      transfer_free (transfer);
    }

  if (emit)
    g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message, peer);
}

static void
confab_signal_client_handle_message (ConfabSignalClient *self,
                                     ConfabMessage      *message)
{
  ConfabMessageKind kind = confab_message_get_kind (message);

  switch (kind)
    {
    case CONFAB_MESSAGE_USER_STORED:
      if (self->registering)
        confab_signal_client_registered (self);
      break;

    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
      if (self->registering)
        confab_signal_client_attempt_failed (self,
                                             g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                          CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN,
                                                          _("The name “%s” is already taken on %s. "
                                                            "Choose another name, or sign out where "
                                                            "it is in use."),
                                                          self->name, self->url));
      break;

    case CONFAB_MESSAGE_ERROR:
      confab_signal_client_handle_error_reply (self, message);
      break;

    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
      confab_signal_client_handle_transfer_response (self, message);
      break;

    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
    case CONFAB_MESSAGE_ICE_CANDIDATE:
      g_signal_emit (self, signals[MESSAGE_RECEIVED], 0,
                     message, confab_message_get_name (message));
      break;

    /* Requests are for servers; one sent to us is the server's mistake. */
    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
    case CONFAB_MESSAGE_N_KINDS:
    default:
      g_message ("Ignoring a “%s” the server at %s sent",
                 confab_message_kind_to_string (kind), self->url);
      break;
    }
}

static void
message_cb (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) hold = NULL;
  const char *data;
  gsize length;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));
  g_assert (self->connection == connection);

  self->last_heard = g_get_monotonic_time ();

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_message ("Ignoring a binary frame the server at %s sent", self->url);
      return;
    }

  data = g_bytes_get_data (bytes, &length);
  message = confab_message_parse (data, length, MAX_INCOMING_FRAME, NULL, &error);
  if (message == NULL)
    {
      /* The server is untrusted input like any peer: say so and go on. */
      g_message ("Ignoring a frame the server at %s sent: %s", self->url, error->message);
      return;
    }

  /* A handler may drop the last reference to us. */
  hold = g_object_ref (G_OBJECT (self));
  confab_signal_client_handle_message (self, message);
}

static void
pong_cb (SoupWebsocketConnection *connection,
         GBytes                  *bytes,
         gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  self->last_heard = g_get_monotonic_time ();
}

static void
error_cb (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  /* "closed" follows and does the work. */
  g_debug ("The connection to %s failed: %s", self->url, error->message);
}

static void
closed_cb (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));
  g_assert (self->connection == connection);

  if (self->registering)
    confab_signal_client_attempt_failed (self,
                                         g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                      CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST,
                                                      _("The server at %s closed the connection "
                                                        "before signing you in. Try again later."),
                                                      self->url));
  else
    confab_signal_client_connection_lost (self);
}

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
    confab_signal_client_attempt_failed (self,
                                         g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                      CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                                                      _("The server at %s did not answer in time. "
                                                        "Check the address and your network "
                                                        "connection."),
                                                      self->url));
  else
    confab_signal_client_connection_lost (self);

  return G_SOURCE_REMOVE;
}

static void
confab_signal_client_start_watchdog (ConfabSignalClient *self)
{
  clear_source (&self->watchdog);

  if (self->connection == NULL || self->keepalive_interval == 0)
    return;

  soup_websocket_connection_set_keepalive_interval (self->connection, self->keepalive_interval);
  self->last_heard = g_get_monotonic_time ();
  self->watchdog = confab_signal_client_add_timeout (self,
                                                     self->keepalive_interval * 1000,
                                                     watchdog_cb);
}

static void
confab_signal_client_send_message (ConfabSignalClient *self,
                                   ConfabMessage      *message)
{
  g_autofree char *json = confab_message_to_json (message, NULL);

  soup_websocket_connection_send_text (self->connection, json);
}

static void
websocket_connect_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autoptr(ConfabMessage) store_user = NULL;
  g_autoptr(GError) error = NULL;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  /* Cancelled means we were told to stop, maybe by dispose: @self may be
   * gone, and must not be touched. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  if (connection == NULL)
    {
      confab_signal_client_attempt_failed (self,
                                           confab_signal_client_describe_connect_error (self, error));
      return;
    }

  self->connection = g_steal_pointer (&connection);
  soup_websocket_connection_set_max_incoming_payload_size (self->connection, MAX_INCOMING_FRAME);
  g_signal_connect (self->connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (self->connection, "pong", G_CALLBACK (pong_cb), self);
  g_signal_connect (self->connection, "error", G_CALLBACK (error_cb), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (closed_cb), self);
  confab_signal_client_start_watchdog (self);

  /* Registering is the same the first time and after every reconnection:
   * the server forgot us with the old socket. */
  self->registering = TRUE;
  store_user = confab_message_new_store_user (self->name);
  confab_signal_client_send_message (self, store_user);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  ConfabSignalClient *self = user_data;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  g_clear_pointer (&self->attempt_timeout, g_source_unref);
  confab_signal_client_attempt_failed (self,
                                       g_error_new (CONFAB_SIGNAL_CLIENT_ERROR,
                                                    self->connection != NULL
                                                      ? CONFAB_SIGNAL_CLIENT_ERROR_NOT_A_SERVER
                                                      : CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                                                    self->connection != NULL
                                                      ? _("The server at %s did not answer the "
                                                          "sign-in. Check that the address is a "
                                                          "signalling server.")
                                                      : _("The server at %s did not answer in time. "
                                                          "Check the address and your network "
                                                          "connection."),
                                                    self->url));

  return G_SOURCE_REMOVE;
}

static void
network_event_cb (SoupMessage        *message,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  /* Signalling is bursts of small frames (an answer, then candidates one
   * by one): with Nagle's algorithm each could wait for the ACK of the
   * one before, up to the server's delayed-ACK time. */
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
confab_signal_client_start_attempt (ConfabSignalClient *self)
{
  g_autoptr(SoupMessage) message = NULL;

  g_assert (self->connection == NULL);
  g_assert (self->attempt_cancellable == NULL);

  self->attempt_cancellable = g_cancellable_new ();
  self->attempt_timeout = confab_signal_client_add_timeout (self, ATTEMPT_TIMEOUT_S * 1000,
                                                            attempt_timeout_cb);

  message = soup_message_new_from_uri (SOUP_METHOD_GET, self->uri);
  g_signal_connect (message, "network-event", G_CALLBACK (network_event_cb), NULL);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, self->attempt_cancellable,
                                        websocket_connect_cb, self);
}

/* Stops everything under way, failing the pending checks with @error. */
static void
confab_signal_client_reset (ConfabSignalClient *self,
                            const GError       *error)
{
  confab_signal_client_cancel_attempt (self);
  confab_signal_client_drop_connection (self, error);
}

static gboolean
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  ConfabSignalClient *self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (self));

  g_clear_pointer (&self->connect_cancel_source, g_source_unref);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Signing in was cancelled."));
  confab_signal_client_reset (self, error);
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  confab_signal_client_complete_connect (self, g_steal_pointer (&error));

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
      g_set_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL,
                   _("“%s” is not a server address. Enter one like ws://example.com:3000."),
                   url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0 && g_ascii_strcasecmp (scheme, "wss") != 0)
    {
      g_set_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL,
                   _("“%s” is not a signalling server address: it must start with ws:// or "
                     "wss://, like ws://example.com:3000."),
                   url);
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

static gboolean
confab_signal_client_check_name (const char  *name,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (confab_message_validate_name (name, &local_error))
    return TRUE;

  if (g_error_matches (local_error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_EMPTY))
    g_set_error_literal (error, CONFAB_SIGNAL_CLIENT_ERROR,
                         CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                         _("Enter a name to sign in with."));
  else if (g_error_matches (local_error, CONFAB_PROTOCOL_ERROR,
                            CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG))
    g_set_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                 _("The name is too long. Choose a name of at most %d bytes."),
                 CONFAB_MESSAGE_MAX_NAME_LENGTH);
  else
    /* Not printed: it may not even be UTF-8. */
    g_set_error_literal (error, CONFAB_SIGNAL_CLIENT_ERROR,
                         CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                         _("The name contains characters that cannot be used. "
                           "Choose a name of letters, digits and punctuation."));

  return FALSE;
}

static void
confab_signal_client_dispose (GObject *object)
{
  ConfabSignalClient *self = (ConfabSignalClient *)object;
  g_autoptr(GError) error = NULL;

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The connection to the server was closed."));
  confab_signal_client_reset (self, error);
  confab_signal_client_complete_connect (self, g_steal_pointer (&error));
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
  g_queue_init (&self->transfers);
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
      confab_signal_client_start_watchdog (self);
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

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Signing in again replaced this attempt."));
  confab_signal_client_reset (self, error);
  confab_signal_client_complete_connect (self, g_steal_pointer (&error));
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
  if (!confab_signal_client_check_name (name, &error) ||
      !confab_signal_client_parse_url (self, url, &error))
    {
      confab_signal_client_take_last_error (self, g_error_copy (error));
      confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
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

  confab_signal_client_take_last_error (self, NULL);
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_CONNECTING);
  confab_signal_client_start_attempt (self);
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

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Signed out of the server."));
  confab_signal_client_reset (self, error);
  self->n_failures = 0;
  confab_signal_client_take_last_error (self, NULL);
  confab_signal_client_set_state (self, CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  confab_signal_client_complete_connect (self, g_steal_pointer (&error));
}

static gboolean
confab_signal_client_check_connected (ConfabSignalClient  *self,
                                      GError             **error)
{
  if (self->state == CONFAB_SIGNAL_CLIENT_STATE_REGISTERED)
    return TRUE;

  if (self->url == NULL)
    g_set_error_literal (error, CONFAB_SIGNAL_CLIENT_ERROR,
                         CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED,
                         _("Not signed in to a server. Sign in first."));
  else
    g_set_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED,
                 _("Not connected to the server at %s. "
                   "Wait until the connection is back, then try again."),
                 self->url);

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
    confab_signal_client_push_transfer (self, confab_message_get_target (message), NULL, NULL);

  confab_signal_client_send_message (self, message);

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

  confab_signal_client_push_transfer (self, peer, task, cancellable);

  message = confab_message_new_start_transfer (self->name, peer);
  confab_signal_client_send_message (self, message);
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
