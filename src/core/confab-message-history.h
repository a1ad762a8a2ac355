/* confab-message-history.h: a conversation's stored messages, paged in
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "confab-store.h"

G_BEGIN_DECLS

/* A GListModel of ConfabChatMessage, oldest first, holding the part of a
 * stored conversation a view has scrolled through: it starts empty, the
 * first load_older_async() brings the latest page (50 messages), each
 * further one the page before, and append() adds live messages at the
 * end.  A page costs the same however long the conversation is.
 *
 * Properties: "store", "server-url", "username", "peer-name"
 * (construct-only), "has-more" (older messages are in the store but not
 * here yet; TRUE until a load finds the beginning; notifies), "loading"
 * (notifies) and "n-items". */

#define CONFAB_TYPE_MESSAGE_HISTORY (confab_message_history_get_type ())

/* Messages a load brings. */
#define CONFAB_MESSAGE_HISTORY_PAGE_SIZE 50

G_DECLARE_FINAL_TYPE (ConfabMessageHistory, confab_message_history, CONFAB, MESSAGE_HISTORY, GObject)

ConfabMessageHistory *confab_message_history_new                (ConfabStore          *store,
                                                                 const char           *server_url,
                                                                 const char           *username,
                                                                 const char           *peer_name);

ConfabStore          *confab_message_history_get_store          (ConfabMessageHistory *self);
const char           *confab_message_history_get_peer_name      (ConfabMessageHistory *self);
gboolean              confab_message_history_get_has_more       (ConfabMessageHistory *self);
gboolean              confab_message_history_get_loading        (ConfabMessageHistory *self);

/* Inserts the page before the first message at the start (the latest
 * page the first time).  One load at a time: another one meanwhile fails
 * with G_IO_ERROR_PENDING. */
void                  confab_message_history_load_older_async   (ConfabMessageHistory *self,
                                                                 GCancellable         *cancellable,
                                                                 GAsyncReadyCallback   callback,
                                                                 gpointer              user_data);
gboolean              confab_message_history_load_older_finish  (ConfabMessageHistory *self,
                                                                 GAsyncResult         *result,
                                                                 GError              **error);

/* Adds @message, stored already, at the end.  A message that a load in
 * flight also brings is shown once. */
void                  confab_message_history_append             (ConfabMessageHistory *self,
                                                                 ConfabChatMessage    *message);

G_END_DECLS
