/* confab-peer-testing.c: fault injection, for the tests only
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <agent.h>

#include "confab-peer-internal.h"
#include "confab-peer-private.h"

/* Nothing in the production code calls into this file: it is reached only
 * through confab-peer-private.h, which only tests include. */

static GstPadProbeReturn
drop_probe_cb (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  return GST_PAD_PROBE_DROP;
}

static void
drop_element_traffic (const GValue *value,
                      gpointer      user_data)
{
  GstElement *element = g_value_get_object (value);
  GstElementFactory *factory = gst_element_get_factory (element);
  const char *name = factory != NULL ? GST_OBJECT_NAME (factory) : NULL;
  g_autoptr(GstPad) pad = NULL;

  if (g_strcmp0 (name, "nicesrc") == 0)
    pad = gst_element_get_static_pad (element, "src");
  else if (g_strcmp0 (name, "nicesink") == 0)
    pad = gst_element_get_static_pad (element, "sink");

  if (pad != NULL)
    /* Buffers only: the stream's events still flow, as they would on a
     * dead network. */
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       drop_probe_cb, NULL, NULL);
}

/* webrtcbin makes its ICE transport's elements only when it applies a
 * description: those made later lose their traffic too. */
static void
drop_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  GValue value = G_VALUE_INIT;

  g_value_init (&value, GST_TYPE_ELEMENT);
  g_value_set_object (&value, element);
  drop_element_traffic (&value, NULL);
  g_value_unset (&value);
}

void
_confab_peer_drop_network (ConfabPeer *self)
{
  g_autoptr(GstIterator) iter = NULL;

  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (self->conn != NULL);

  g_signal_connect (self->conn->pipeline, "deep-element-added",
                    G_CALLBACK (drop_element_added_cb), NULL);
  iter = gst_bin_iterate_recurse (GST_BIN (self->conn->pipeline));
  while (gst_iterator_foreach (iter, drop_element_traffic, NULL) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (iter);
}

void
_confab_peer_set_channel_version (ConfabPeer *self,
                                  guint       version)
{
  g_return_if_fail (CONFAB_IS_PEER (self));
  g_return_if_fail (version >= 1 && version <= CONFAB_PEER_CHANNEL_VERSION);

  self->confab_version = version;
}

static const char *
candidate_type_name (NiceCandidateType type)
{
  switch (type)
    {
    case NICE_CANDIDATE_TYPE_HOST:
      return "host";
    case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
      return "srflx";
    case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
      return "prflx";
    case NICE_CANDIDATE_TYPE_RELAYED:
      return "relay";
    default:
      return "unknown";
    }
}

gboolean
_confab_peer_get_selected_pair (ConfabPeer  *self,
                                char       **local_type,
                                char       **remote_type)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  g_return_val_if_fail (CONFAB_IS_PEER (self), FALSE);

  if (self->conn == NULL)
    return FALSE;

  g_object_get (self->conn->webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    return FALSE;
  g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return FALSE;

  /* Bundled: one stream carries everything, but its id is webrtcbin's
   * business, so look at the first few. */
  for (guint stream = 1; stream <= 4; stream++)
    {
      NiceCandidate *local = NULL;
      NiceCandidate *remote = NULL;

      if (nice_agent_get_selected_pair (NICE_AGENT (agent), stream, NICE_COMPONENT_TYPE_RTP, &local, &remote))
        {
          *local_type = g_strdup (candidate_type_name (local->type));
          *remote_type = g_strdup (candidate_type_name (remote->type));
          return TRUE;
        }
    }

  return FALSE;
}
