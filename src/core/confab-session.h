/* confab-session.h: the controller the UI binds to
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* A ConfabSession is one person signed in to one signalling server: it owns
 * the ConfabSignalClient and one ConfabPeer per conversation, routes the
 * server's messages to the right peer by name, and keeps a list of
 * ConfabConversation (each a GListModel of ConfabChatMessage) for the UI to
 * show.  It never calls GTK: windows bind to its properties, signals and
 * models.  Everything happens on the GMainContext the session was made in. */

#define CONFAB_TYPE_SESSION (confab_session_get_type ())
#define CONFAB_SESSION_ERROR (confab_session_error_quark ())

typedef enum
{
  CONFAB_SESSION_DISCONNECTED,
  CONFAB_SESSION_CONNECTING,
  CONFAB_SESSION_REGISTERED,
  CONFAB_SESSION_RECONNECTING,
  CONFAB_SESSION_FAILED,
} ConfabSessionState;

typedef enum
{
  CONFAB_SESSION_ERROR_NOT_CONNECTED,   /* signed out, or the server is unreachable */
  CONFAB_SESSION_ERROR_PEER_OFFLINE,    /* nobody of that name is connected */
  CONFAB_SESSION_ERROR_INVALID_NAME,    /* not a name the protocol allows */
  CONFAB_SESSION_ERROR_SELF,            /* calling oneself */
  CONFAB_SESSION_ERROR_NO_CONVERSATION, /* no conversation with that peer */
  CONFAB_SESSION_ERROR_BUSY,            /* a conversation with that peer is already going */
  CONFAB_SESSION_ERROR_INVALID_TEXT,    /* the text to send is not valid UTF-8 */
  CONFAB_SESSION_ERROR_INVALID_URL,     /* not a ws:// or wss:// address */
  CONFAB_SESSION_ERROR_NAME_TAKEN,      /* someone else is signed in under the name */
  CONFAB_SESSION_ERROR_UNREACHABLE,     /* the server could not be reached, secured or used */
  CONFAB_SESSION_ERROR_EMPTY_TEXT,      /* the text to send is empty */
  CONFAB_SESSION_ERROR_ENDED,           /* the conversation's connection has ended */
} ConfabSessionError;

G_DECLARE_FINAL_TYPE (ConfabSession, confab_session, CONFAB, SESSION, GObject)

GQuark              confab_session_error_quark        (void);

ConfabSession      *confab_session_new                (void);

/* Properties (all notify): "state", "username", "server-url", "last-error"
 * (a sentence for a person, or NULL), "ice-servers" (GStrv, browser-style
 * stun:/turn: URLs), "conversations" (a GListModel of ConfabConversation,
 * newest activity first is up to the view). */
ConfabSessionState  confab_session_get_state          (ConfabSession        *self);
const char         *confab_session_get_username       (ConfabSession        *self);
const char         *confab_session_get_server_url     (ConfabSession        *self);
const char         *confab_session_get_last_error     (ConfabSession        *self);
const char * const *confab_session_get_ice_servers    (ConfabSession        *self);
void                confab_session_set_ice_servers    (ConfabSession        *self,
                                                       const char * const   *ice_servers);
/* Relay-only: each conversation started from now on reaches the other
 * side through a TURN server ("ice-servers") only, so that no address of
 * this computer reaches the other person; without a TURN server it fails
 * with a sentence.  Default FALSE.  Property "relay-only". */
gboolean            confab_session_get_relay_only     (ConfabSession        *self);
void                confab_session_set_relay_only     (ConfabSession        *self,
                                                       gboolean              relay_only);
/* Seconds an outgoing call rings before it fails with "no answer"; 0 rings
 * for ever.  Default 60.  Property "answer-timeout". */
guint               confab_session_get_answer_timeout (ConfabSession        *self);
void                confab_session_set_answer_timeout (ConfabSession        *self,
                                                       guint                 seconds);
GListModel         *confab_session_get_conversations  (ConfabSession        *self);
/* The conversation with @peer, or NULL. */
ConfabConversation *confab_session_lookup_conversation (ConfabSession       *self,
                                                        const char          *peer);

/* Signs in: connects to @url (ws:// or wss://) and registers @name.  Fails
 * with CONFAB_SESSION_ERROR_INVALID_URL, _INVALID_NAME, _NAME_TAKEN or
 * _UNREACHABLE, whose message says exactly what went wrong.  After success
 * the session keeps the connection up by itself (state "reconnecting"
 * while it retries). */
void                confab_session_connect_async      (ConfabSession        *self,
                                                       const char           *url,
                                                       const char           *name,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            confab_session_connect_finish     (ConfabSession        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Hangs up every conversation and signs out. */
void                confab_session_disconnect         (ConfabSession        *self);

/* What a program does before it exits: hangs up every conversation, signs
 * out, waits until every peer connection of the process has finished
 * closing (so that the last messages go out and browsers learn at once
 * that we left; at most a few seconds) and until the pre-warming thread
 * has ended.  Conversations stay listed, closed. */
void                confab_session_close_async        (ConfabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            confab_session_close_finish       (ConfabSession        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Does, ahead of time and on another thread, what the first chat of the
 * process would otherwise wait for (loading GStreamer's plugins, making
 * the DTLS certificate).  Cheap to call more than once; a program calls
 * it once its window is up, so that it does not slow the start. */
void                confab_session_prewarm            (ConfabSession        *self);

/* Starts a chat: checks that @peer is online (failing with
 * CONFAB_SESSION_ERROR_PEER_OFFLINE if not), then makes the offer.  The
 * conversation appears in "conversations" at once and its state tells the
 * rest (calling, connecting, open, or failed with a reason). */
void                confab_session_call_async         (ConfabSession        *self,
                                                       const char           *peer,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean            confab_session_call_finish        (ConfabSession        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* The answer to "incoming-request": nothing of the peer connection exists
 * before accept, as in the mobile app.  decline sends "decline". */
gboolean            confab_session_accept             (ConfabSession        *self,
                                                       const char           *peer,
                                                       GError              **error);
gboolean            confab_session_decline            (ConfabSession        *self,
                                                       const char           *peer,
                                                       GError              **error);

/* Appends the text to the conversation at once (state "sending") and sends
 * it when the channel is open; text sent before then is queued.  Fails
 * with CONFAB_SESSION_ERROR_INVALID_TEXT for text that is not UTF-8,
 * _EMPTY_TEXT for empty text and _ENDED when the conversation's connection
 * has ended (call again first); nothing is appended then. */
gboolean            confab_session_send_text          (ConfabSession        *self,
                                                       const char           *peer,
                                                       const char           *text,
                                                       GError              **error);
gboolean            confab_session_hang_up            (ConfabSession        *self,
                                                       const char           *peer,
                                                       GError              **error);
/* Forgets a conversation that is closed or failed (hangs it up first if
 * it is not). */
void                confab_session_remove_conversation (ConfabSession       *self,
                                                        const char          *peer);

/* Signals:
 *   incoming-request (const char *peer): @peer made an offer; answer with
 *     confab_session_accept() or confab_session_decline().
 *   message-received (ConfabConversation *conversation, ConfabChatMessage *message):
 *     for notifications; the message is already in the conversation. */

G_END_DECLS
