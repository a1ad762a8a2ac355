/* confab-hop.h: hand work from another thread to an object's main context
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* GStreamer runs webrtcbin's signals, data-channel signals and promise
 * callbacks on threads of its own; libsoup and GIO may call back from a
 * worker too.  A ConfabHopLink is what such a callback holds instead of
 * the object it reports to: a weak reference to the owner and the owner's
 * GMainContext.  confab_hop_link_invoke() queues a function to run there
 * with the owner, if the owner still exists (and its guard agrees) by the
 * time it runs.  A link is thread-safe and reference counted, so every
 * signal connection and promise can hold one of its own. */

typedef struct _ConfabHopLink ConfabHopLink;

/* Runs on the owner's context with a strong reference to the owner. */
typedef void     (*ConfabHopFunc)  (gpointer owner,
                                    gpointer data);
/* Whether queued work still concerns @owner (for example, whether the
 * connection it came from is still the current one). */
typedef gboolean (*ConfabHopGuard) (gpointer owner);

/* A link to @owner, whose work runs on @context (NULL: the thread-default
 * context of the caller).  @guard may be NULL. */
ConfabHopLink *confab_hop_link_new         (GObject        *owner,
                                            GMainContext   *context,
                                            ConfabHopGuard  guard);
ConfabHopLink *confab_hop_link_ref         (ConfabHopLink  *link);
void           confab_hop_link_unref       (ConfabHopLink  *link);
GMainContext  *confab_hop_link_get_context (ConfabHopLink  *link);
/* Queues @func (@owner, @data) on the link's context and returns at once,
 * from any thread.  @destroy frees @data afterwards, whether or not @func
 * ran. */
void           confab_hop_link_invoke      (ConfabHopLink  *link,
                                            ConfabHopFunc   func,
                                            gpointer        data,
                                            GDestroyNotify  destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabHopLink, confab_hop_link_unref)

G_END_DECLS
