/* confab-signal-hub.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-message.h"
#include "confab-rate-limiter.h"
#include "confab-signal-hub.h"
#include "confab-signal-log.h"

#define DEFAULT_MAX_FRAME CONFAB_MESSAGE_DEFAULT_MAX_FRAME
#define DEFAULT_RATE      50.0
#define DEFAULT_BURST     100

/* Kept small on purpose: a server holds one per connection, a hundred
 * thousand of them.  The name is shared with the hash table's key. */
struct _ConfabSignalHubClient
{
  const ConfabSignalEndpointFuncs *funcs;
  gpointer                         user_data;
  char                            *name;
  guint64                          id;
  ConfabTokenBucket                bucket;
  /* The hub holds one reference, and handle_frame() another while it
   * runs, so that an endpoint that closes itself from inside send_text
   * cannot free a client the hub is still using. */
  guint                            ref_count : 8;
  guint                            closing : 1;
  guint                            removed : 1;
};

struct _ConfabSignalHub
{
  GObject              parent_instance;

  /* name -> ConfabSignalHubClient, borrowing the client's name as key */
  GHashTable          *users;
  ConfabRateLimiter   *limiter;
  ConfabSignalMetrics *metrics;
  guint64              next_id;
  guint                n_clients;
  guint                max_frame;
};

enum {
  PROP_0,
  PROP_MAX_FRAME,
  PROP_RATE,
  PROP_BURST,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabSignalHub, confab_signal_hub, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static ConfabSignalHubClient *
client_ref (ConfabSignalHubClient *client)
{
  g_assert (client->ref_count < 0xff);

  client->ref_count++;

  return client;
}

static void
client_unref (ConfabSignalHubClient *client)
{
  g_assert (client->ref_count > 0);

  if (--client->ref_count > 0)
    return;

  g_free (client->name);
  g_free (client);
}

static void
confab_signal_hub_finalize (GObject *object)
{
  ConfabSignalHub *self = CONFAB_SIGNAL_HUB (object);

  if (self->n_clients > 0)
    g_critical ("A ConfabSignalHub was finalized with %u clients still added", self->n_clients);

  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_object (&self->limiter);
  g_clear_object (&self->metrics);

  G_OBJECT_CLASS (confab_signal_hub_parent_class)->finalize (object);
}

static void
confab_signal_hub_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ConfabSignalHub *self = CONFAB_SIGNAL_HUB (object);

  switch (prop_id)
    {
    case PROP_MAX_FRAME:
      g_value_set_uint (value, self->max_frame);
      break;

    case PROP_RATE:
      g_value_set_double (value, confab_rate_limiter_get_rate (self->limiter));
      break;

    case PROP_BURST:
      g_value_set_uint (value, confab_rate_limiter_get_burst (self->limiter));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_hub_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ConfabSignalHub *self = CONFAB_SIGNAL_HUB (object);

  switch (prop_id)
    {
    case PROP_MAX_FRAME:
      confab_signal_hub_set_max_frame (self, g_value_get_uint (value));
      break;

    case PROP_RATE:
      confab_signal_hub_set_rate (self, g_value_get_double (value));
      break;

    case PROP_BURST:
      confab_signal_hub_set_burst (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_signal_hub_class_init (ConfabSignalHubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_signal_hub_finalize;
  object_class->get_property = confab_signal_hub_get_property;
  object_class->set_property = confab_signal_hub_set_property;

  properties[PROP_MAX_FRAME] =
    g_param_spec_uint ("max-frame", NULL, NULL,
                       1, G_MAXUINT32, DEFAULT_MAX_FRAME,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0.0, G_MAXDOUBLE, DEFAULT_RATE,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_BURST] =
    g_param_spec_uint ("burst", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_BURST,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_signal_hub_init (ConfabSignalHub *self)
{
  self->users = g_hash_table_new (g_str_hash, g_str_equal);
  self->limiter = confab_rate_limiter_new (DEFAULT_RATE, DEFAULT_BURST);
  self->metrics = confab_signal_metrics_new ();
  self->max_frame = DEFAULT_MAX_FRAME;
  self->next_id = 1;
}

ConfabSignalHub *
confab_signal_hub_new (void)
{
  return g_object_new (CONFAB_TYPE_SIGNAL_HUB, NULL);
}

guint
confab_signal_hub_get_max_frame (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), 0);

  return self->max_frame;
}

void
confab_signal_hub_set_max_frame (ConfabSignalHub *self,
                                 guint            max_frame)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (max_frame > 0);

  if (self->max_frame == max_frame)
    return;

  self->max_frame = max_frame;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FRAME]);
}

double
confab_signal_hub_get_rate (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), 0.0);

  return confab_rate_limiter_get_rate (self->limiter);
}

void
confab_signal_hub_set_rate (ConfabSignalHub *self,
                            double           rate)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (rate >= 0.0);

  if (confab_rate_limiter_get_rate (self->limiter) == rate)
    return;

  confab_rate_limiter_set_rate (self->limiter, rate);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

guint
confab_signal_hub_get_burst (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), 0);

  return confab_rate_limiter_get_burst (self->limiter);
}

void
confab_signal_hub_set_burst (ConfabSignalHub *self,
                             guint            burst)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (burst > 0);

  if (confab_rate_limiter_get_burst (self->limiter) == burst)
    return;

  confab_rate_limiter_set_burst (self->limiter, burst);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BURST]);
}

ConfabSignalMetrics *
confab_signal_hub_get_metrics (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), NULL);

  return self->metrics;
}

guint
confab_signal_hub_get_n_clients (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), 0);

  return self->n_clients;
}

guint
confab_signal_hub_get_n_registered (ConfabSignalHub *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), 0);

  return g_hash_table_size (self->users);
}

ConfabSignalHubClient *
confab_signal_hub_add_client (ConfabSignalHub                 *self,
                              const ConfabSignalEndpointFuncs *funcs,
                              gpointer                         user_data)
{
  ConfabSignalHubClient *client;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), NULL);
  g_return_val_if_fail (funcs != NULL, NULL);
  g_return_val_if_fail (funcs->send_text != NULL, NULL);
  g_return_val_if_fail (funcs->close != NULL, NULL);

  client = g_new0 (ConfabSignalHubClient, 1);
  client->funcs = funcs;
  client->user_data = user_data;
  client->id = self->next_id++;
  client->ref_count = 1;
  confab_rate_limiter_init_bucket (self->limiter, &client->bucket, g_get_monotonic_time ());

  self->n_clients++;
  confab_signal_metrics_client_connected (self->metrics);

  return client;
}

/* The name is free again the moment this returns. */
static void
unregister (ConfabSignalHub       *self,
            ConfabSignalHubClient *client)
{
  if (client->name == NULL)
    return;

  if (g_hash_table_lookup (self->users, client->name) == client)
    {
      g_hash_table_remove (self->users, client->name);
      confab_signal_metrics_client_unregistered (self->metrics);
    }
}

void
confab_signal_hub_remove_client (ConfabSignalHub       *self,
                                 ConfabSignalHubClient *client)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (client != NULL);
  g_return_if_fail (!client->removed);

  unregister (self, client);
  client->removed = TRUE;
  client->closing = TRUE;

  g_assert (self->n_clients > 0);
  self->n_clients--;
  confab_signal_metrics_client_disconnected (self->metrics);

  client_unref (client);
}

ConfabSignalHubClient *
confab_signal_hub_lookup (ConfabSignalHub *self,
                          const char      *name)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_HUB (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->users, name);
}

guint64
confab_signal_hub_client_get_id (const ConfabSignalHubClient *client)
{
  g_return_val_if_fail (client != NULL, 0);

  return client->id;
}

const char *
confab_signal_hub_client_get_name (const ConfabSignalHubClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);

  return client->name;
}

gpointer
confab_signal_hub_client_get_user_data (const ConfabSignalHubClient *client)
{
  g_return_val_if_fail (client != NULL, NULL);

  return client->user_data;
}

static void
send_message (ConfabSignalHubClient *client,
              const ConfabMessage   *message)
{
  g_autofree char *json = NULL;
  gsize length;

  if (client->closing)
    return;

  json = confab_message_to_json (message, &length);
  client->funcs->send_text (client->user_data, json, length);
}

/* @target: whom the refused request was for, so that a client with many
 * conversations knows which one the error is about. */
static void
send_error_about (ConfabSignalHub       *self,
                  ConfabSignalHubClient *client,
                  ConfabProtocolError    code,
                  const char            *message,
                  const char            *ref,
                  const char            *target)
{
  g_autoptr(ConfabMessage) reply = NULL;
  const char *wire_code;

  wire_code = confab_protocol_error_to_code (code);
  confab_signal_metrics_count_error (self->metrics, code);

  /* The code and the type only: the message may quote what the client
   * sent, and the ref is only named when it is a type we know. */
  confab_signal_log (G_LOG_LEVEL_INFO, "error", client->id,
                     "Client %" G_GUINT64_FORMAT ": %s%s%s", client->id, wire_code,
                     ref != NULL && confab_message_kind_from_string (ref, NULL) ? " in " : "",
                     ref != NULL && confab_message_kind_from_string (ref, NULL) ? ref : "");

  reply = confab_message_new_error_about (wire_code, message, ref, target);
  send_message (client, reply);
}

void
confab_signal_hub_send_error (ConfabSignalHub       *self,
                              ConfabSignalHubClient *client,
                              ConfabProtocolError    code,
                              const char            *message,
                              const char            *ref)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (client != NULL);
  g_return_if_fail (message != NULL);

  send_error_about (self, client, code, message, ref, NULL);
}

static void
close_client (ConfabSignalHub       *self,
              ConfabSignalHubClient *client,
              gushort                code,
              const char            *reason)
{
  /* Nobody may reach a connection that is going away. */
  unregister (self, client);
  client->closing = TRUE;
  client->funcs->close (client->user_data, code, reason);
}

static gboolean
check_rate (ConfabSignalHub       *self,
            ConfabSignalHubClient *client)
{
  g_autofree char *text = NULL;

  switch (confab_rate_limiter_take (self->limiter, &client->bucket, g_get_monotonic_time ()))
    {
    case CONFAB_RATE_ACCEPT:
      return TRUE;

    case CONFAB_RATE_REFUSE_AND_WARN:
      text = g_strdup_printf ("Too many messages: send at most %g a second (%u at once); "
                              "these are dropped until then",
                              confab_rate_limiter_get_rate (self->limiter),
                              confab_rate_limiter_get_burst (self->limiter));
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_RATE_LIMITED, text, NULL);
      return FALSE;

    case CONFAB_RATE_REFUSE:
      return FALSE;

    case CONFAB_RATE_CLOSE:
      confab_signal_log (G_LOG_LEVEL_INFO, "flood", client->id,
                         "Client %" G_GUINT64_FORMAT " kept flooding after a warning: closing it",
                         client->id);
      close_client (self, client, CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION, "Rate limit exceeded");
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

static void
handle_store_user (ConfabSignalHub       *self,
                   ConfabSignalHubClient *client,
                   const ConfabMessage   *message)
{
  g_autoptr(ConfabMessage) reply = NULL;
  const char *name = confab_message_get_name (message);

  /* The parser made sure the name is there and valid. */
  g_assert (name != NULL);

  if (client->name != NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("This connection is already registered as “%s”", client->name);
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_ALREADY_REGISTERED, text,
                                    "store_user");
      return;
    }

  if (g_hash_table_contains (self->users, name))
    {
      /* The article's server answers this and keeps the connection; the
       * mobile app may then try another name on it. */
      confab_signal_log (G_LOG_LEVEL_INFO, "name-taken", client->id,
                         "Client %" G_GUINT64_FORMAT " asked for a name in use", client->id);
      reply = confab_message_new_user_already_exists (name);
      send_message (client, reply);
      return;
    }

  client->name = g_strdup (name);
  g_hash_table_insert (self->users, client->name, client);
  confab_signal_metrics_client_registered (self->metrics);
  confab_signal_log (G_LOG_LEVEL_INFO, "register", client->id,
                     "Client %" G_GUINT64_FORMAT " registered as “%s”", client->id, client->name);

  reply = confab_message_new_user_stored (name);
  send_message (client, reply);
}

static void
handle_request (ConfabSignalHub       *self,
                ConfabSignalHubClient *client,
                const ConfabMessage   *message)
{
  g_autoptr(ConfabMessage) delivery = NULL;
  ConfabMessageKind kind = confab_message_get_kind (message);
  const char *type = confab_message_kind_to_string (kind);
  ConfabSignalHubClient *peer;
  const char *target;

  if (client->name == NULL)
    {
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_NOT_REGISTERED,
                                    "Register a name with store_user first", type);
      return;
    }

  /* ice_candidate parses without a target (the server's own form names
   * the sender instead); from a client it needs one. */
  target = confab_message_get_target (message);
  if (target == NULL)
    {
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_MISSING_FIELD,
                                    "The field “target” is missing", type);
      return;
    }

  peer = g_hash_table_lookup (self->users, target);

  if (kind == CONFAB_MESSAGE_START_TRANSFER)
    {
      /* Only an online check: the target is told nothing. */
      delivery = confab_message_new_transfer_response (peer != NULL ? peer->name : NULL);
      send_message (client, delivery);
      return;
    }

  if (peer == NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("Nobody called “%s” is connected", target);
      send_error_about (self, client, CONFAB_PROTOCOL_ERROR_UNKNOWN_TARGET, text, type, target);
      return;
    }

  /* The registered name, never the message's own: nobody speaks for
   * anyone else. */
  delivery = confab_message_new_relayed (message, client->name);
  g_assert (delivery != NULL);
  send_message (peer, delivery);
  confab_signal_metrics_count_relayed (self->metrics, confab_message_get_kind (delivery));
}

void
confab_signal_hub_handle_frame (ConfabSignalHub       *self,
                                ConfabSignalHubClient *client,
                                const char            *data,
                                gsize                  length,
                                gboolean               binary)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *type_hint = NULL;
  ConfabMessageKind kind;

  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (self));
  g_return_if_fail (client != NULL);
  g_return_if_fail (data != NULL || length == 0);

  /* libsoup may still deliver frames that were read before our close. */
  if (client->closing)
    return;

  client_ref (client);

  /* Before parsing: every frame costs, the malformed ones too. */
  if (!check_rate (self, client))
    goto out;

  if (binary)
    {
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_BINARY_FRAME,
                                    "Binary frames are not accepted: send JSON in text frames",
                                    NULL);
      goto out;
    }

  message = confab_message_parse (data, length, self->max_frame, &type_hint, &error);
  if (message == NULL)
    {
      g_assert (error != NULL && error->domain == CONFAB_PROTOCOL_ERROR);
      confab_signal_hub_send_error (self, client, error->code, error->message, type_hint);
      goto out;
    }

  kind = confab_message_get_kind (message);

  if (kind == CONFAB_MESSAGE_ERROR)
    {
      /* Never answered: two programs answering each other's errors would
       * loop for ever. */
      confab_signal_metrics_count_received (self->metrics, kind);
      goto out;
    }

  if (!confab_message_kind_is_client_request (kind))
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("“%s” is sent by servers, not to them",
                              confab_message_kind_to_string (kind));
      confab_signal_hub_send_error (self, client, CONFAB_PROTOCOL_ERROR_UNEXPECTED_TYPE, text,
                                    confab_message_kind_to_string (kind));
      goto out;
    }

  confab_signal_metrics_count_received (self->metrics, kind);

  if (kind == CONFAB_MESSAGE_STORE_USER)
    handle_store_user (self, client, message);
  else
    handle_request (self, client, message);

out:
  client_unref (client);
}
