/* confab-session-requests.c: calls, offers, their answers and outcomes
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-peer.h"
#include "confab-session-private.h"
#include "confab-signal-client.h"

/* Conversation state, in words */

static char *
describe_failure (ConfabPeer                *remote,
                  const char                *peer,
                  ConfabConversationFailure *failure)
{
  ConfabPeerState state = confab_peer_get_state (remote);
  ConfabPeerReason reason = confab_peer_get_failure_reason (remote);

  *failure = CONFAB_CONVERSATION_FAILURE_NONE;

  if (state == CONFAB_PEER_STATE_CLOSED)
    {
      switch (reason)
        {
        case CONFAB_PEER_REASON_DECLINED:
          *failure = CONFAB_CONVERSATION_FAILURE_DECLINED;
          return g_strdup_printf (_("You declined the chat with %s."), peer);

        case CONFAB_PEER_REASON_HUNG_UP:
          *failure = CONFAB_CONVERSATION_FAILURE_HUNG_UP;
          return g_strdup_printf (_("%s left the chat."), peer);

        case CONFAB_PEER_REASON_NONE:
        case CONFAB_PEER_REASON_PEER_OFFLINE:
        case CONFAB_PEER_REASON_ICE_FAILED:
        case CONFAB_PEER_REASON_NO_ANSWER:
        case CONFAB_PEER_REASON_VANISHED:
        case CONFAB_PEER_REASON_ICE_SERVERS:
        case CONFAB_PEER_REASON_TAMPERED:
        default:
          return g_strdup (_("You left the chat."));
        }
    }

  switch (reason)
    {
    case CONFAB_PEER_REASON_DECLINED:
      *failure = CONFAB_CONVERSATION_FAILURE_DECLINED;
      return g_strdup_printf (_("%s declined the chat."), peer);

    case CONFAB_PEER_REASON_PEER_OFFLINE:
      *failure = CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE;
      return g_strdup_printf (_("%s is not online. They need to sign in to the same server "
                                "before you can chat."), peer);

    case CONFAB_PEER_REASON_NO_ANSWER:
      *failure = CONFAB_CONVERSATION_FAILURE_NO_ANSWER;
      return g_strdup_printf (_("%s did not answer. Try again later."), peer);

    case CONFAB_PEER_REASON_HUNG_UP:
      *failure = CONFAB_CONVERSATION_FAILURE_HUNG_UP;
      return g_strdup_printf (_("%s left the chat."), peer);

    case CONFAB_PEER_REASON_VANISHED:
      *failure = CONFAB_CONVERSATION_FAILURE_VANISHED;
      return g_strdup_printf (_("%s stopped responding: the connection was lost."), peer);

    case CONFAB_PEER_REASON_ICE_SERVERS:
      *failure = CONFAB_CONVERSATION_FAILURE_ICE_SERVERS;
      return g_strdup_printf (_("Could not chat with %s: %s"), peer,
                              confab_peer_get_ice_servers_problem (remote));
    case CONFAB_PEER_REASON_TAMPERED:
      *failure = CONFAB_CONVERSATION_FAILURE_TAMPERED;
      return g_strdup_printf (_("The connection with %s was tampered with: someone between you "
                                "may be trying to read your messages. Nothing was sent."), peer);

    case CONFAB_PEER_REASON_ICE_FAILED:
    case CONFAB_PEER_REASON_NONE:
    default:
      *failure = CONFAB_CONVERSATION_FAILURE_NETWORK;
      return g_strdup_printf (_("Could not find a network path to %s. A TURN server, added "
                                "in Preferences, can connect you across firewalls."), peer);
    }
}

void
_confab_session_entry_sync_state (Entry *entry)
{
  const char *peer_name = confab_conversation_get_peer_name (entry->conversation);
  ConfabConversationFailure failure = CONFAB_CONVERSATION_FAILURE_NONE;
  g_autofree char *sentence = NULL;
  ConfabConversationState state;
  ConfabPeerState peer_state;

  g_assert (entry->peer != NULL);

  peer_state = confab_peer_get_state (entry->peer);

  switch (peer_state)
    {
    case CONFAB_PEER_STATE_NEW:
    case CONFAB_PEER_STATE_CALLING:
      state = CONFAB_CONVERSATION_CALLING;
      break;

    case CONFAB_PEER_STATE_INCOMING:
      state = CONFAB_CONVERSATION_INCOMING;
      break;

    case CONFAB_PEER_STATE_CONNECTING:
      state = CONFAB_CONVERSATION_CONNECTING;
      break;

    case CONFAB_PEER_STATE_OPEN:
      state = CONFAB_CONVERSATION_OPEN;
      break;

    case CONFAB_PEER_STATE_CLOSED:
      state = CONFAB_CONVERSATION_CLOSED;
      sentence = describe_failure (entry->peer, peer_name, &failure);
      break;

    case CONFAB_PEER_STATE_FAILED:
    default:
      state = CONFAB_CONVERSATION_FAILED;
      sentence = describe_failure (entry->peer, peer_name, &failure);
      break;
    }

  confab_conversation_set_state (entry->conversation, state, failure, sentence);
}

/* The pending call */

/* The person is there and the offer is on its way.  Callers take the task
 * from its entry first: its callback may do anything, even remove the
 * conversation. */
static void
return_call_started (GTask *task)
{
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

/* Messages from the server */

static void
handle_offer (ConfabSession *self,
              ConfabMessage *message,
              const char    *peer_name)
{
  g_autoptr(ConfabPeer) peer = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry = g_hash_table_lookup (self->entries, peer_name);
  g_autoptr(GTask) call = NULL;
  gboolean auto_accept = FALSE;
  gboolean was_asking;

  if (entry != NULL && _confab_session_peer_is_live (entry->peer))
    {
      switch (confab_peer_get_state (entry->peer))
        {
        case CONFAB_PEER_STATE_NEW:
        case CONFAB_PEER_STATE_CALLING:
          /* Both called each other at once.  The one whose name sorts
           * first keeps its call and ignores the other's offer; the other
           * drops its own call and takes this offer, accepted at once since
           * its person asked for this chat.  Two Confabs thus agree on one
           * connection whichever offer arrives first. */
          if (g_strcmp0 (self->username, peer_name) < 0)
            {
              g_debug ("Both called “%s”; keeping our call", peer_name);
              return;
            }
          auto_accept = TRUE;
          break;

        case CONFAB_PEER_STATE_INCOMING:
          /* A second offer replaces the first; the question stands. */
          break;

        case CONFAB_PEER_STATE_CONNECTING:
        case CONFAB_PEER_STATE_OPEN:
          /* The other side started afresh (its app restarted, or it lost
           * us before we noticed): the old connection is dead. */
          break;

        case CONFAB_PEER_STATE_CLOSED:
        case CONFAB_PEER_STATE_FAILED:
        default:
          g_assert_not_reached ();
        }
    }

  peer = confab_peer_new_incoming (self->username, message, &error);
  if (peer == NULL)
    {
      g_message ("Ignoring an offer from “%s”: %s", peer_name, error->message);
      return;
    }

  was_asking = entry != NULL && entry->peer != NULL &&
               confab_peer_get_state (entry->peer) == CONFAB_PEER_STATE_INCOMING;

  entry = _confab_session_ensure_entry (self, peer_name);
  _confab_session_entry_set_peer (entry, peer);
  if (auto_accept)
    call = g_steal_pointer (&entry->call_task);
  /* From here on @entry may be gone: the state's watchers may remove it. */
  _confab_session_entry_sync_state (entry);

  if (auto_accept)
    {
      confab_peer_accept (peer);
      if (call != NULL)
        return_call_started (call);
    }
  else if (!was_asking)
    {
      _confab_session_emit_incoming_request (self, peer_name);
    }
}

void
_confab_session_client_message_received_cb (ConfabSignalClient *client,
                                            ConfabMessage      *message,
                                            const char         *peer_name,
                                            ConfabSession      *self)
{
  ConfabMessageKind kind = confab_message_get_kind (message);
  Entry *entry;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (client));

  if (peer_name == NULL)
    return;

  if (kind == CONFAB_MESSAGE_OFFER_RECEIVED)
    {
      handle_offer (self, message, peer_name);
      return;
    }

  entry = g_hash_table_lookup (self->entries, peer_name);
  if (entry == NULL || entry->peer == NULL)
    {
      g_debug ("Ignoring %s about “%s”, with whom there is no conversation",
               confab_message_kind_to_string (kind), peer_name);
      return;
    }

  /* The answer to the call's online check: the call has started, or the
   * peer is not there. */
  if (kind == CONFAB_MESSAGE_TRANSFER_RESPONSE && entry->call_task != NULL &&
      confab_peer_get_state (entry->peer) == CONFAB_PEER_STATE_CALLING)
    {
      g_autoptr(ConfabPeer) peer = g_object_ref (entry->peer);

      confab_peer_handle_message (peer, message);

      /* A peer that is offline has failed the call through peer_state_cb;
       * whoever heard of that may have removed the conversation. */
      entry = g_hash_table_lookup (self->entries, peer_name);
      if (entry != NULL && entry->peer == peer && entry->call_task != NULL && _confab_session_peer_is_live (peer))
        {
          g_autoptr(GTask) task = g_steal_pointer (&entry->call_task);

          return_call_started (task);
        }
      return;
    }

  if (!confab_peer_handle_message (entry->peer, message))
    g_debug ("Ignoring %s from “%s” in its current state",
             confab_message_kind_to_string (kind), peer_name);
}

void
_confab_session_client_server_error_cb (ConfabSignalClient *client,
                                        ConfabMessage      *error,
                                        ConfabSession      *self)
{
  const char *code = confab_message_get_error_code (error);
  const char *target = confab_message_get_target (error);
  Entry *entry;

  g_assert (CONFAB_IS_SIGNAL_CLIENT (client));

  /* The person left the server between the online check and the offer:
   * the call fails now rather than at its answer timeout.  Confab's
   * servers name whom a refused request was for; the article's server
   * says nothing at all. */
  if (g_strcmp0 (code, "unknown-target") == 0 && target != NULL &&
      (entry = g_hash_table_lookup (self->entries, target)) != NULL && entry->peer != NULL &&
      confab_peer_handle_message (entry->peer, error))
    return;

  /* Any other refusal of something a peer sent: the peers find out for
   * themselves (no answer, a timeout), and the server said why in its log. */
  g_message ("The server refused a %s: %s (%s)",
             confab_message_get_error_ref (error) ? confab_message_get_error_ref (error) : "message",
             confab_message_get_error_message (error) ? confab_message_get_error_message (error) : "",
             code != NULL ? code : "");
}


void
confab_session_call_async (ConfabSession       *self,
                           const char          *peer,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(ConfabPeer) outgoing = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Entry *entry;

  g_return_if_fail (CONFAB_IS_SESSION (self));
  g_return_if_fail (peer != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_session_call_async);

  if (!confab_message_validate_name (peer, NULL))
    {
      g_task_return_new_error (task, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME,
                               _("“%s” is not a name anybody can have. Check the name."), peer);
      return;
    }

  if (g_strcmp0 (peer, self->username) == 0)
    {
      g_task_return_new_error (task, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_SELF,
                               _("That is your own name. Enter the name of the person you "
                                 "want to chat with."));
      return;
    }

  if (!_confab_session_check_registered (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  entry = g_hash_table_lookup (self->entries, peer);
  if (entry != NULL && _confab_session_peer_is_live (entry->peer))
    {
      /* Calling someone who is asking us is saying yes. */
      if (confab_peer_get_state (entry->peer) == CONFAB_PEER_STATE_INCOMING)
        {
          confab_peer_accept (entry->peer);
          g_task_return_boolean (task, TRUE);
          return;
        }

      g_task_return_new_error (task, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_BUSY,
                               _("You are already in a conversation with %s."), peer);
      return;
    }

  entry = _confab_session_ensure_entry (self, peer);
  /* A pending call is answered as soon as its peer stops calling. */
  g_assert (entry->call_task == NULL);
  entry->call_task = g_steal_pointer (&task);

  /* The peer sends start_transfer: the server's answer tells it, and us,
   * whether the person is there (client_message_received_cb). */
  outgoing = confab_peer_new_outgoing (self->username, peer);
  confab_peer_set_answer_timeout (outgoing, self->answer_timeout);
  _confab_session_entry_set_peer (entry, outgoing);
  confab_peer_call (outgoing);
}

gboolean
confab_session_call_finish (ConfabSession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Accepts or declines what @peer asks. */
static gboolean
answer_request (ConfabSession  *self,
                const char     *peer,
                gboolean        accept,
                GError        **error)
{
  Entry *entry = _confab_session_lookup_entry (self, peer, error);

  if (entry == NULL)
    return FALSE;

  if (confab_peer_get_state (entry->peer) != CONFAB_PEER_STATE_INCOMING)
    {
      g_set_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION,
                   _("%s is no longer asking to chat."), peer);
      return FALSE;
    }

  if (accept)
    confab_peer_accept (entry->peer);
  else
    confab_peer_decline (entry->peer);

  return TRUE;
}

gboolean
confab_session_accept (ConfabSession  *self,
                       const char     *peer,
                       GError        **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return answer_request (self, peer, TRUE, error);
}

gboolean
confab_session_decline (ConfabSession  *self,
                        const char     *peer,
                        GError        **error)
{
  g_return_val_if_fail (CONFAB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return answer_request (self, peer, FALSE, error);
}
