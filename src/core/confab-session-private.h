/* confab-session-private.h: what the session's own files share, and what
 * the tests reach inside a session
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-message.h"
#include "confab-session.h"

G_BEGIN_DECLS

/* ConfabSession is one class in two files, as GNOME Text Editor splits its
 * big classes: confab-session.c has the object, its entries, the peers'
 * signals, sending, signing in and closing; confab-session-requests.c has
 * calls, offers and their answers, including the rules for two people
 * calling each other at once, and what a conversation's state says. */

/* One conversation and the peer connection it currently runs on.  A
 * conversation outlives its peers: calling again after a chat ended makes a
 * new peer and keeps the history. */
typedef struct
{
  ConfabSession      *session;      /* not owned: the session owns us */
  ConfabConversation *conversation;
  ConfabPeer         *peer;         /* NULL until the first call or offer */
  /* The call_async() waiting for the server's online check. */
  GTask              *call_task;
  /* The id of the last message sent in this conversation: ids go on
   * growing across its peers, so one never names two messages. */
  guint64             last_message_id;
} Entry;

struct _ConfabSession
{
  GObject             parent_instance;

  ConfabSignalClient *client;
  GListStore         *conversations;
  GHashTable         *entries;        /* peer name -> Entry */
  GQueue              pending_signals; /* ConfabMessage, while not signed in */

  ConfabSessionState  state;
  char               *username;
  char               *server_url;
  char               *last_error;
  GStrv               ice_servers;
  guint               answer_timeout;
  gboolean            relay_only;
};

/* confab-session.c */
gboolean            _confab_session_peer_is_live          (ConfabPeer         *peer);
/* The entry for @peer_name, made (and its conversation listed) if need be. */
Entry              *_confab_session_ensure_entry          (ConfabSession      *self,
                                                           const char         *peer_name);
/* The entry of a conversation with a peer connection, or NULL with
 * CONFAB_SESSION_ERROR_NO_CONVERSATION. */
Entry              *_confab_session_lookup_entry          (ConfabSession      *self,
                                                           const char         *peer,
                                                           GError            **error);
void                _confab_session_entry_set_peer        (Entry              *entry,
                                                           ConfabPeer         *peer);
gboolean            _confab_session_check_registered      (ConfabSession      *self,
                                                           GError            **error);
void                _confab_session_emit_incoming_request (ConfabSession      *self,
                                                           const char         *peer_name);

/* confab-session-requests.c */
/* Gives the conversation the state of its peer connection, in words. */
void                _confab_session_entry_sync_state      (Entry              *entry);
/* The signalling client's signals */
void                _confab_session_client_message_received_cb (ConfabSignalClient *client,
                                                                ConfabMessage      *message,
                                                                const char         *peer_name,
                                                                ConfabSession      *self);
void                _confab_session_client_server_error_cb     (ConfabSignalClient *client,
                                                                ConfabMessage      *error,
                                                                ConfabSession      *self);

/* For the tests */

/* The peer connection the conversation with @peer runs on now, or NULL:
 * for fault injection (_confab_peer_drop_network()). */
ConfabPeer         *_confab_session_get_peer              (ConfabSession      *self,
                                                           const char         *peer);
/* The session's own signalling client: tests shorten its back-off. */
ConfabSignalClient *_confab_session_get_signal_client     (ConfabSession      *self);

G_END_DECLS
