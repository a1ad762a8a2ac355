/* confab-runtime.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gst/gst.h>

#include "confab-runtime.h"

static int n_closing;

/* The pre-warming thread until someone joined it */
static GMutex prewarm_lock;
static GThread *prewarm_worker;

static gpointer
prewarm_thread (gpointer data)
{
  static const char * const factories[] = {
    "webrtcbin", "nicesrc", "nicesink", "dtlssrtpenc", "dtlssrtpdec",
    "sctpenc", "sctpdec", "rtpbin", "srtpenc", "srtpdec", "funnel",
    /* Made without a certificate, a dtlsdec generates the one every DTLS
     * connection of the process shares: an RSA key, 0.1 to 0.5 s. */
    "dtlsdec",
  };

  /* Making an element loads its plugin. */
  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    {
      GstElement *element = gst_element_factory_make (factories[i], NULL);

      if (element != NULL)
        gst_object_unref (gst_object_ref_sink (element));
    }

  return NULL;
}

/* A process must not exit while the pre-warming thread is inside OpenSSL
 * making the certificate: exit() runs OpenSSL's atexit cleanup under it,
 * which crashes it or leaks the random generator it was making.  At most
 * once, and a fraction of a second. */
void
confab_runtime_prewarm_join (void)
{
  GThread *worker;

  g_mutex_lock (&prewarm_lock);
  worker = g_steal_pointer (&prewarm_worker);
  g_mutex_unlock (&prewarm_lock);

  if (worker != NULL)
    g_thread_join (worker);
}

void
confab_runtime_prewarm (void)
{
  static gsize started;

  if (g_once_init_enter (&started))
    {
      if (!gst_is_initialized ())
        gst_init (NULL, NULL);

      g_mutex_lock (&prewarm_lock);
      prewarm_worker = g_thread_new ("confab-prewarm", prewarm_thread, NULL);
      g_mutex_unlock (&prewarm_lock);
      g_once_init_leave (&started, 1);
    }
}

guint
confab_runtime_get_n_closing (void)
{
  return g_atomic_int_get (&n_closing);
}

void
confab_runtime_hold_closing (void)
{
  g_atomic_int_inc (&n_closing);
}

void
confab_runtime_release_closing (void)
{
  g_return_if_fail (g_atomic_int_get (&n_closing) > 0);

  g_atomic_int_dec_and_test (&n_closing);
}
