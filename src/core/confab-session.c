/* confab-session.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-conversation-private.h"
#include "confab-core-enums.h"
#include "confab-peer.h"
#include "confab-runtime.h"
#include "confab-session.h"
#include "confab-session-private.h"
#include "confab-signal-client.h"

/* Signalling messages the peers emit while the server is out of reach wait
 * for the session to be signed in again, up to this many. */
#define MAX_PENDING_SIGNALS 512
/* As the mobile app gives its person time to find the phone. */
#define DEFAULT_ANSWER_TIMEOUT_S 60
/* Closing looks this often whether every connection has finished its
 * teardown, and gives up after the grace time: each teardown is bounded
 * by itself (drain 2 s, close 1 s), so that is only a backstop. */
#define CLOSE_POLL_MS 20
#define CLOSE_GRACE_MS 5000

G_DEFINE_FINAL_TYPE (ConfabSession, confab_session, G_TYPE_OBJECT)
G_DEFINE_QUARK (confab-session-error-quark, confab_session_error)

enum {
  PROP_0,
  PROP_STATE,
  PROP_USERNAME,
  PROP_SERVER_URL,
  PROP_LAST_ERROR,
  PROP_ICE_SERVERS,
  PROP_ANSWER_TIMEOUT,
  PROP_RELAY_ONLY,
  PROP_CONVERSATIONS,
  N_PROPS
};

enum {
  INCOMING_REQUEST,
  MESSAGE_RECEIVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Small helpers */

gboolean
_confab_session_peer_is_live (ConfabPeer *peer)
{
  ConfabPeerState state;

  if (peer == NULL)
    return FALSE;

  state = confab_peer_get_state (peer);
  return state != CONFAB_PEER_STATE_CLOSED && state != CONFAB_PEER_STATE_FAILED;
}

static void
set_string (ConfabSession  *self,
            char          **field,
            const char     *value,
            GParamSpec     *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
set_state (ConfabSession      *self,
           ConfabSessionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Signalling */

static void
send_signal (ConfabSession *self,
             ConfabMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (confab_signal_client_get_state (self->client) == CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING)
    {
      /* The peers go on without the server; what they have to say to each
       * other through it (an answer, candidates, a hang-up) goes out when
       * the session is signed in again. */
      if (self->pending_signals.length >= MAX_PENDING_SIGNALS)
        {
          g_message ("Too many signalling messages waiting for the server; dropping the oldest");
          confab_message_unref (g_queue_pop_head (&self->pending_signals));
        }
      g_queue_push_tail (&self->pending_signals, confab_message_ref (message));
      return;
    }

  if (!confab_signal_client_send (self->client, message, &error))
    g_message ("Could not send %s to “%s”: %s",
               confab_message_kind_to_string (confab_message_get_kind (message)),
               confab_message_get_target (message), error->message);
}

static void
flush_pending_signals (ConfabSession *self)
{
  ConfabMessage *message;

  while ((message = g_queue_pop_head (&self->pending_signals)) != NULL)
    {
      g_autoptr(ConfabMessage) owned = message;
      g_autoptr(GError) error = NULL;

      if (!confab_signal_client_send (self->client, owned, &error))
        g_message ("Could not send a held %s: %s",
                   confab_message_kind_to_string (confab_message_get_kind (owned)),
                   error->message);
    }
}

/* Peer signals */

static void
peer_send_message_cb (ConfabPeer    *peer,
                      ConfabMessage *message,
                      Entry         *entry)
{
  g_assert (CONFAB_IS_PEER (peer));

  send_signal (entry->session, message);
}

static void
peer_text_received_cb (ConfabPeer *peer,
                       const char *text,
                       Entry      *entry)
{
  ConfabSession *self = entry->session;
  g_autoptr(ConfabChatMessage) message = NULL;
  g_autoptr(ConfabConversation) conversation = g_object_ref (entry->conversation);

  g_assert (CONFAB_IS_PEER (peer));

  message = confab_chat_message_new (0, CONFAB_CHAT_MESSAGE_INCOMING,
                                     confab_conversation_get_peer_name (conversation),
                                     text, NULL);
  confab_conversation_append (conversation, message);
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, conversation, message);
}

static void
peer_message_state_changed_cb (ConfabPeer          *peer,
                               guint64              id,
                               ConfabDeliveryState  state,
                               Entry               *entry)
{
  g_assert (CONFAB_IS_PEER (peer));

  confab_conversation_set_delivery_state (entry->conversation, id, state);
}

static void
peer_state_cb (ConfabPeer *peer,
               GParamSpec *pspec,
               Entry      *entry)
{
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GTask) task = NULL;

  g_assert (CONFAB_IS_PEER (peer));
  g_assert (peer == entry->peer);

  /* Whoever watches the conversation may remove it, and so free @entry:
   * take what is needed from it first. */
  conversation = g_object_ref (entry->conversation);
  if (!_confab_session_peer_is_live (peer))
    task = g_steal_pointer (&entry->call_task);

  _confab_session_entry_sync_state (entry);

  if (task != NULL)
    g_task_return_new_error (task, CONFAB_SESSION_ERROR,
                             confab_peer_get_failure_reason (peer) == CONFAB_PEER_REASON_PEER_OFFLINE
                             ? CONFAB_SESSION_ERROR_PEER_OFFLINE
                             : CONFAB_SESSION_ERROR_NO_CONVERSATION,
                             "%s", confab_conversation_get_failure_reason (conversation));
}

/* Entries */

static Entry *
entry_new (ConfabSession *self,
           const char    *peer_name)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->session = self;
  entry->conversation = confab_conversation_new (peer_name);
  _confab_conversation_set_session (entry->conversation, self);

  return entry;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  /* remove_entry() and remove_all_entries() took any pending call. */
  g_assert (entry->call_task == NULL);

  _confab_session_entry_set_peer (entry, NULL);
  /* A view may hold on to it: its calls now fail rather than reach a
   * newer conversation with the same peer. */
  _confab_conversation_set_session (entry->conversation, NULL);
  g_clear_object (&entry->conversation);
  g_free (entry);
}

static void
return_closed (GTask *task)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "%s", _("The conversation was closed."));
}

/* Replaces the entry's peer.  The old one is dropped without a word to the
 * other side: callers hang it up first where the other side must know. */
void
_confab_session_entry_set_peer (Entry      *entry,
                                ConfabPeer *peer)
{
  ConfabSession *self = entry->session;

  if (entry->peer == peer)
    return;

  if (entry->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (entry->peer, entry);
      g_clear_object (&entry->peer);
    }

  if (peer == NULL)
    return;

  entry->peer = g_object_ref (peer);

  /* A URL the peer cannot use fails the chat when its connection is
   * made, with the peer's sentence in the conversation's failure: the
   * person sees it, where a log line would go unread. */
  if (self->ice_servers != NULL)
    confab_peer_set_ice_servers (peer, (const char * const *) self->ice_servers, NULL);
  confab_peer_set_relay_only (peer, self->relay_only);

  g_signal_connect (peer, "send-message", G_CALLBACK (peer_send_message_cb), entry);
  g_signal_connect (peer, "text-received", G_CALLBACK (peer_text_received_cb), entry);
  g_signal_connect (peer, "message-state-changed", G_CALLBACK (peer_message_state_changed_cb), entry);
  g_signal_connect (peer, "notify::state", G_CALLBACK (peer_state_cb), entry);
}

/* The entry for @peer_name, made (and its conversation listed) if need be. */
Entry *
_confab_session_ensure_entry (ConfabSession *self,
                              const char    *peer_name)
{
  Entry *entry = g_hash_table_lookup (self->entries, peer_name);

  if (entry != NULL)
    return entry;

  entry = entry_new (self, peer_name);
  g_hash_table_insert (self->entries, g_strdup (peer_name), entry);
  g_list_store_append (self->conversations, entry->conversation);

  return entry;
}

static void
remove_entry (ConfabSession *self,
              const char    *peer_name)
{
  Entry *entry = g_hash_table_lookup (self->entries, peer_name);
  g_autoptr(ConfabConversation) conversation = NULL;
  g_autoptr(GTask) task = NULL;
  guint position;

  if (entry == NULL)
    return;

  /* Gone from the table before anyone hears of it, so that what they do
   * then cannot find it half removed. */
  conversation = g_object_ref (entry->conversation);
  task = g_steal_pointer (&entry->call_task);
  g_hash_table_remove (self->entries, peer_name);

  if (g_list_store_find (self->conversations, conversation, &position))
    g_list_store_remove (self->conversations, position);
  if (task != NULL)
    return_closed (task);
}

/* Hangs up every live conversation.  The peers are gathered first: what
 * the state notifications set off may change the table. */
static void
hang_up_all (ConfabSession *self)
{
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (_confab_session_peer_is_live (entry->peer))
      g_ptr_array_add (live, g_object_ref (entry->peer));

  for (guint i = 0; i < live->len; i++)
    confab_peer_hang_up (g_ptr_array_index (live, i));
}

static void
remove_all_entries (ConfabSession *self)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  Entry *entry;

  hang_up_all (self);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->call_task != NULL)
      g_ptr_array_add (tasks, g_steal_pointer (&entry->call_task));

  g_hash_table_remove_all (self->entries);
  g_list_store_remove_all (self->conversations);
  g_ptr_array_foreach (tasks, (GFunc) return_closed, NULL);
}

static void
client_sync (ConfabSession *self)
{
  const GError *error = confab_signal_client_get_last_error (self->client);
  ConfabSessionState state;

  switch (confab_signal_client_get_state (self->client))
    {
    case CONFAB_SIGNAL_CLIENT_STATE_CONNECTING:
      state = CONFAB_SESSION_CONNECTING;
      break;

    case CONFAB_SIGNAL_CLIENT_STATE_REGISTERED:
      state = CONFAB_SESSION_REGISTERED;
      break;

    case CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING:
      state = CONFAB_SESSION_RECONNECTING;
      break;

    case CONFAB_SIGNAL_CLIENT_STATE_FAILED:
      state = CONFAB_SESSION_FAILED;
      break;

    case CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED:
    default:
      state = CONFAB_SESSION_DISCONNECTED;
      break;
    }

  /* The sentence first: whoever watches "state" reads it. */
  set_string (self, &self->last_error,
              state == CONFAB_SESSION_REGISTERED || error == NULL ? NULL : error->message,
              properties[PROP_LAST_ERROR]);
  set_state (self, state);

  if (state == CONFAB_SESSION_REGISTERED)
    flush_pending_signals (self);
  else if (state != CONFAB_SESSION_RECONNECTING)
    g_queue_clear_full (&self->pending_signals, (GDestroyNotify) confab_message_unref);
}

static void
client_notify_cb (ConfabSignalClient *client,
                  GParamSpec         *pspec,
                  ConfabSession      *self)
{
  g_assert (CONFAB_IS_SIGNAL_CLIENT (client));

  client_sync (self);
}

/* GObject */

static void
confab_session_dispose (GObject *object)
{
  ConfabSession *self = (ConfabSession *) object;

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      if (self->entries != NULL)
        remove_all_entries (self);
      confab_signal_client_disconnect (self->client);
      g_clear_object (&self->client);
    }

  g_queue_clear_full (&self->pending_signals, (GDestroyNotify) confab_message_unref);

  G_OBJECT_CLASS (confab_session_parent_class)->dispose (object);
}

static void
confab_session_finalize (GObject *object)
{
  ConfabSession *self = (ConfabSession *) object;

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->conversations);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->ice_servers, g_strfreev);

  G_OBJECT_CLASS (confab_session_parent_class)->finalize (object);
}

static void
confab_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ConfabSession *self = CONFAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    case PROP_ICE_SERVERS:
      g_value_set_boxed (value, self->ice_servers);
      break;

    case PROP_ANSWER_TIMEOUT:
      g_value_set_uint (value, self->answer_timeout);
      break;

    case PROP_RELAY_ONLY:
      g_value_set_boolean (value, self->relay_only);
      break;

    case PROP_CONVERSATIONS:
      g_value_set_object (value, self->conversations);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ConfabSession *self = CONFAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_ICE_SERVERS:
      confab_session_set_ice_servers (self, g_value_get_boxed (value));
      break;

    case PROP_ANSWER_TIMEOUT:
      confab_session_set_answer_timeout (self, g_value_get_uint (value));
      break;

    case PROP_RELAY_ONLY:
      confab_session_set_relay_only (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_session_class_init (ConfabSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_session_dispose;
  object_class->finalize = confab_session_finalize;
  object_class->get_property = confab_session_get_property;
  object_class->set_property = confab_session_set_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CONFAB_TYPE_SESSION_STATE,
                       CONFAB_SESSION_DISCONNECTED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ICE_SERVERS] =
    g_param_spec_boxed ("ice-servers", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Seconds a call rings before it fails with "no answer"; 0: for ever. */
  properties[PROP_ANSWER_TIMEOUT] =
    g_param_spec_uint ("answer-timeout", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_ANSWER_TIMEOUT_S,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Each new conversation's peer uses TURN relays only. */
  properties[PROP_RELAY_ONLY] =
    g_param_spec_boolean ("relay-only", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CONVERSATIONS] =
    g_param_spec_object ("conversations", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[INCOMING_REQUEST] =
    g_signal_new ("incoming-request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, CONFAB_TYPE_CONVERSATION, CONFAB_TYPE_CHAT_MESSAGE);
}

static void
confab_session_init (ConfabSession *self)
{
  self->client = confab_signal_client_new ();
  self->conversations = g_list_store_new (CONFAB_TYPE_CONVERSATION);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  self->answer_timeout = DEFAULT_ANSWER_TIMEOUT_S;
  g_queue_init (&self->pending_signals);

  g_signal_connect (self->client, "message-received",
                    G_CALLBACK (_confab_session_client_message_received_cb), self);
  g_signal_connect (self->client, "server-error",
                    G_CALLBACK (_confab_session_client_server_error_cb), self);
  g_signal_connect (self->client, "notify::state",
                    G_CALLBACK (client_notify_cb), self);
  g_signal_connect (self->client, "notify::last-error",
                    G_CALLBACK (client_notify_cb), self);
}

/* Public API */

ConfabSession *
confab_session_new (void)
{
  return g_object_new (CONFAB_TYPE_SESSION, NULL);
}

ConfabSessionState
confab_session_get_state (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), CONFAB_SESSION_DISCONNECTED);

  return self->state;
}

const char *
confab_session_get_username (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return self->username;
}

const char *
confab_session_get_server_url (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return self->server_url;
}

const char *
confab_session_get_last_error (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return self->last_error;
}

const char * const *
confab_session_get_ice_servers (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return (const char * const *) self->ice_servers;
}

void
confab_session_set_ice_servers (ConfabSession      *self,
                                const char * const *ice_servers)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  /* An empty list and none are the same: no STUN, no TURN. */
  if (ice_servers != NULL && ice_servers[0] == NULL)
    ice_servers = NULL;

  if (self->ice_servers == NULL && ice_servers == NULL)
    return;
  if (self->ice_servers != NULL && ice_servers != NULL &&
      g_strv_equal ((const char * const *) self->ice_servers, ice_servers))
    return;

  g_clear_pointer (&self->ice_servers, g_strfreev);
  self->ice_servers = g_strdupv ((char **) ice_servers);
  /* Conversations already going keep the servers they started with. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICE_SERVERS]);
}

guint
confab_session_get_answer_timeout (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), 0);

  return self->answer_timeout;
}

void
confab_session_set_answer_timeout (ConfabSession *self,
                                   guint          seconds)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  if (self->answer_timeout == seconds)
    return;

  /* Calls already ringing keep the time they started with. */
  self->answer_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_TIMEOUT]);
}

gboolean
confab_session_get_relay_only (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);

  return self->relay_only;
}

void
confab_session_set_relay_only (ConfabSession *self,
                               gboolean       relay_only)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  relay_only = !!relay_only;
  if (self->relay_only == relay_only)
    return;

  /* As with the servers: conversations already going keep theirs. */
  self->relay_only = relay_only;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RELAY_ONLY]);
}

GListModel *
confab_session_get_conversations (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->conversations);
}

ConfabConversation *
confab_session_lookup_conversation (ConfabSession *self,
                                    const char    *peer)
{
  Entry *entry;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, peer);

  return entry != NULL ? entry->conversation : NULL;
}

/* Signing in and out */

/* The signalling client's reason for a failed sign-in, as a session code:
 * the app and the CLI see only the session.  The sentence stays the
 * client's, which says exactly what went wrong. */
static ConfabSessionError
sign_in_error_code (const GError *error)
{
  switch (error->code)
    {
    case CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL:
      return CONFAB_SESSION_ERROR_INVALID_URL;

    case CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME:
      return CONFAB_SESSION_ERROR_INVALID_NAME;

    case CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN:
      return CONFAB_SESSION_ERROR_NAME_TAKEN;

    default:
      return CONFAB_SESSION_ERROR_UNREACHABLE;
    }
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (confab_signal_client_connect_finish (CONFAB_SIGNAL_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error->domain == CONFAB_SIGNAL_CLIENT_ERROR)
    g_task_return_new_error (task, CONFAB_SESSION_ERROR, sign_in_error_code (error),
                             "%s", error->message);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
confab_session_connect_async (ConfabSession       *self,
                              const char          *url,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_session_connect_async);

  if (!confab_message_validate_name (name, &error))
    {
      const char *sentence;

      if (name[0] == '\0')
        sentence = _("Enter a name to sign in with.");
      else if (strlen (name) > CONFAB_MESSAGE_MAX_NAME_LENGTH)
        sentence = _("The name is too long. Choose a shorter one.");
      else
        sentence = _("The name contains characters that cannot be used. Choose another one.");

      g_task_return_new_error (task, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME,
                               "%s", sentence);
      return;
    }

  /* Conversations belong to the name they were had under. */
  if (g_strcmp0 (self->username, name) != 0 || g_strcmp0 (self->server_url, url) != 0)
    {
      remove_all_entries (self);
      g_queue_clear_full (&self->pending_signals, (GDestroyNotify) confab_message_unref);
    }

  set_string (self, &self->server_url, url, properties[PROP_SERVER_URL]);
  set_string (self, &self->username, name, properties[PROP_USERNAME]);

  confab_signal_client_connect_async (self->client, url, name, cancellable,
                                      connect_cb, g_steal_pointer (&task));
}

gboolean
confab_session_connect_finish (ConfabSession  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_session_disconnect (ConfabSession *self)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  /* Hang-ups first, while the server can still pass them on. */
  hang_up_all (self);

  g_queue_clear_full (&self->pending_signals, (GDestroyNotify) confab_message_unref);
  confab_signal_client_disconnect (self->client);
}

/* Closing */

static void
close_return (GTask *task)
{
  /* A process that signed out before any call has no peer to have waited
   * for the pre-warming; exit() under that thread crashes OpenSSL. */
  confab_runtime_prewarm_join ();

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

static gboolean
close_poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  const gint64 *deadline = g_task_get_task_data (task);
  guint n_closing = confab_runtime_get_n_closing ();

  if (n_closing > 0 && g_get_monotonic_time () < *deadline &&
      !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return G_SOURCE_CONTINUE;

  if (n_closing > 0)
    g_message ("Stopped waiting for %u peer connections to close", n_closing);

  close_return (task);

  return G_SOURCE_REMOVE;
}

void
confab_session_close_async (ConfabSession       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSource) source = NULL;
  gint64 *deadline;

  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_session_close_async);

  /* The hang-ups tell Confab peers at once; closing the channels, which
   * the teardowns do, is what tells a browser or the mobile app, which
   * ignore hang_up and would otherwise wait for ICE to time out.  The
   * teardowns also let the last messages drain. */
  confab_session_disconnect (self);

  if (confab_runtime_get_n_closing () == 0)
    {
      close_return (task);
      return;
    }

  deadline = g_new (gint64, 1);
  *deadline = g_get_monotonic_time () + CLOSE_GRACE_MS * G_TIME_SPAN_MILLISECOND;
  g_task_set_task_data (task, deadline, g_free);

  source = g_timeout_source_new (CLOSE_POLL_MS);
  g_source_set_static_name (source, "[confab] session close");
  g_task_attach_source (task, source, close_poll_cb);
}

gboolean
confab_session_close_finish (ConfabSession  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
confab_session_prewarm (ConfabSession *self)
{
  g_return_if_fail (CONFAB_IS_SESSION (self));

  confab_runtime_prewarm ();
}

/* Chatting */

gboolean
_confab_session_check_registered (ConfabSession  *self,
                                  GError        **error)
{
  if (self->state == CONFAB_SESSION_REGISTERED)
    return TRUE;

  g_set_error_literal (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NOT_CONNECTED,
                       self->state == CONFAB_SESSION_RECONNECTING
                       ? _("Not connected to the server right now. Wait until Confab has "
                           "reconnected, then try again.")
                       : _("Not signed in to a server. Sign in first."));
  return FALSE;
}

Entry *
_confab_session_lookup_entry (ConfabSession  *self,
                              const char     *peer,
                              GError        **error)
{
  Entry *entry = g_hash_table_lookup (self->entries, peer);

  if (entry == NULL || entry->peer == NULL)
    {
      g_set_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION,
                   _("There is no conversation with %s."), peer);
      return NULL;
    }

  return entry;
}

void
_confab_session_emit_incoming_request (ConfabSession *self,
                                       const char    *peer_name)
{
  g_signal_emit (self, signals[INCOMING_REQUEST], 0, peer_name);
}

gboolean
confab_session_send_text (ConfabSession  *self,
                          const char     *peer,
                          const char     *text,
                          GError        **error)
{
  g_autoptr(ConfabChatMessage) message = NULL;
  g_autoptr(ConfabPeer) connection = NULL;
  Entry *entry;
  guint64 id;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_TEXT,
                           _("The message contains bytes that are not text (UTF-8), so it "
                             "was not sent."));
      return FALSE;
    }

  if ((entry = _confab_session_lookup_entry (self, peer, error)) == NULL)
    return FALSE;

  if (text[0] == '\0')
    {
      g_set_error_literal (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_EMPTY_TEXT,
                           _("An empty message cannot be sent."));
      return FALSE;
    }

  if (!_confab_session_peer_is_live (entry->peer))
    {
      g_set_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_ENDED,
                   _("The conversation with %s has ended."), peer);
      return FALSE;
    }

  /* The message is listed before the peer hears of it, so that whatever
   * the peer reports about its id finds it. */
  connection = g_object_ref (entry->peer);
  id = ++entry->last_message_id;
  message = confab_chat_message_new (id, CONFAB_CHAT_MESSAGE_OUTGOING, self->username, text, NULL);
  confab_conversation_append (entry->conversation, message);

  if (!confab_peer_send_text (connection, id, text, error))
    {
      confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_FAILED);
      return FALSE;
    }

  return TRUE;
}

gboolean
confab_session_hang_up (ConfabSession  *self,
                        const char     *peer,
                        GError        **error)
{
  Entry *entry;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((entry = _confab_session_lookup_entry (self, peer, error)) == NULL)
    return FALSE;

  confab_peer_hang_up (entry->peer);
  return TRUE;
}

void
confab_session_remove_conversation (ConfabSession *self,
                                    const char    *peer)
{
  Entry *entry;

  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_return_if_fail (peer != NULL);

  entry = g_hash_table_lookup (self->entries, peer);
  if (entry == NULL)
    return;

  if (_confab_session_peer_is_live (entry->peer))
    confab_peer_hang_up (entry->peer);

  remove_entry (self, peer);
}

/* For the tests */

ConfabPeer *
_confab_session_get_peer (ConfabSession *self,
                          const char    *peer)
{
  Entry *entry;

  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, peer);

  return entry != NULL ? entry->peer : NULL;
}

ConfabSignalClient *
_confab_session_get_signal_client (ConfabSession *self)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), NULL);

  return self->client;
}
