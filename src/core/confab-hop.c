/* confab-hop.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-hop.h"

struct _ConfabHopLink
{
  gatomicrefcount  ref_count;
  GWeakRef         owner;
  GMainContext    *context;
  ConfabHopGuard   guard;
};

typedef struct
{
  ConfabHopLink  *link;
  ConfabHopFunc   func;
  gpointer        data;
  GDestroyNotify  destroy;
} Hop;

ConfabHopLink *
confab_hop_link_new (GObject        *owner,
                     GMainContext   *context,
                     ConfabHopGuard  guard)
{
  ConfabHopLink *link;

  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);

  link = g_new0 (ConfabHopLink, 1);
  g_atomic_ref_count_init (&link->ref_count);
  g_weak_ref_init (&link->owner, owner);
  link->context = context != NULL ? g_main_context_ref (context)
                                  : g_main_context_ref_thread_default ();
  link->guard = guard;

  return link;
}

ConfabHopLink *
confab_hop_link_ref (ConfabHopLink *link)
{
  g_return_val_if_fail (link != NULL, NULL);

  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

void
confab_hop_link_unref (ConfabHopLink *link)
{
  g_return_if_fail (link != NULL);

  if (g_atomic_ref_count_dec (&link->ref_count))
    {
      g_weak_ref_clear (&link->owner);
      g_main_context_unref (link->context);
      g_free (link);
    }
}

GMainContext *
confab_hop_link_get_context (ConfabHopLink *link)
{
  g_return_val_if_fail (link != NULL, NULL);

  return link->context;
}

static void
hop_free (gpointer data)
{
  Hop *hop = data;

  if (hop->destroy != NULL && hop->data != NULL)
    hop->destroy (hop->data);
  confab_hop_link_unref (hop->link);
  g_free (hop);
}

static gboolean
hop_dispatch_cb (gpointer data)
{
  Hop *hop = data;
  g_autoptr(GObject) owner = g_weak_ref_get (&hop->link->owner);

  /* An owner that is gone, or that the guard says has moved on, has
   * nothing left to update. */
  if (owner != NULL && (hop->link->guard == NULL || hop->link->guard (owner)))
    hop->func (owner, hop->data);

  return G_SOURCE_REMOVE;
}

void
confab_hop_link_invoke (ConfabHopLink  *link,
                        ConfabHopFunc   func,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = NULL;
  Hop *hop;

  g_return_if_fail (link != NULL);
  g_return_if_fail (func != NULL);

  hop = g_new0 (Hop, 1);
  hop->link = confab_hop_link_ref (link);
  hop->func = func;
  hop->data = data;
  hop->destroy = destroy;

  /* Always queued, never run in place (which g_main_context_invoke_full()
   * does from the context's own thread): webrtcbin emits some signals
   * synchronously inside calls the owner makes, and running the handler
   * there would re-enter the owner. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hop_dispatch_cb, hop, hop_free);
  g_source_set_static_name (source, "[confab] hop");
  g_source_attach (source, link->context);
}
