/* confab-search-result.h: one message a search found
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-chat-message.h"

G_BEGIN_DECLS

/* A message ConfabStore's search found, with the conversation it is in and
 * a snippet of its text around the words found (the whole text when it is
 * short), whose matches a view highlights.  A snapshot: it does not change.
 *
 * Properties (read-only): "peer-name", "message" and "snippet". */

#define CONFAB_TYPE_SEARCH_RESULT (confab_search_result_get_type ())

/* Where a match is in the snippet, in bytes. */
typedef struct
{
  guint offset;
  guint length;
} ConfabSearchMatch;

G_DECLARE_FINAL_TYPE (ConfabSearchResult, confab_search_result, CONFAB, SEARCH_RESULT, GObject)

/* @marked_snippet: the snippet with each match between U+0002 and U+0003,
 * as the store's index gives it. */
ConfabSearchResult      *confab_search_result_new           (const char         *peer_name,
                                                             ConfabChatMessage  *message,
                                                             const char         *marked_snippet);

const char              *confab_search_result_get_peer_name (ConfabSearchResult *self);
ConfabChatMessage       *confab_search_result_get_message   (ConfabSearchResult *self);
const char              *confab_search_result_get_snippet   (ConfabSearchResult *self);
const ConfabSearchMatch *confab_search_result_get_matches   (ConfabSearchResult *self,
                                                             guint              *n_matches);

G_END_DECLS
