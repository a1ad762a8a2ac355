/* confab-peer-verification.c: the certificate the handshake proved,
 * checked against the remote description's a=fingerprint
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-fingerprint.h"
#include "confab-peer-internal.h"

/* webrtcbin 1.22 does not compare the certificate the DTLS handshake
 * proved with the fingerprint the remote description names, so whoever
 * relays the descriptions could swap the fingerprints both ways and sit
 * in the middle.  The check happens in the DTLS transport's notify::state,
 * on the GStreamer thread that finished the handshake: that thread is the
 * one that decrypts the peer's packets, so the verdict is recorded before
 * any of them reaches SCTP (test-fingerprint-relay measures it).  Until
 * the verdict says "verified", nothing received is read, nothing is sent
 * and the peer does not open; a refusal then fails the peer on its own
 * context. */

struct _ConfabPeerCheck
{
  gatomicrefcount  ref_count;
  ConfabHopLink   *link;
  GMutex           lock;
  /* Under lock: set on the peer's context, read on the handshake's
   * thread. */
  char            *remote_sdp;
  /* ConfabPeerVerdict, read and written atomically. */
  int              verdict;
  /* The peer's context only. */
  GObject         *transport;
  gulong           state_handler;
};

ConfabPeerCheck *
_confab_peer_check_new (ConfabHopLink *link)
{
  ConfabPeerCheck *check = g_new0 (ConfabPeerCheck, 1);

  g_atomic_ref_count_init (&check->ref_count);
  check->link = confab_hop_link_ref (link);
  g_mutex_init (&check->lock);
  check->verdict = CONFAB_PEER_VERDICT_PENDING;

  return check;
}

static ConfabPeerCheck *
check_ref (ConfabPeerCheck *check)
{
  g_atomic_ref_count_inc (&check->ref_count);
  return check;
}

static void
check_unref (ConfabPeerCheck *check)
{
  if (!g_atomic_ref_count_dec (&check->ref_count))
    return;

  g_assert (check->transport == NULL);
  confab_hop_link_unref (check->link);
  g_mutex_clear (&check->lock);
  g_free (check->remote_sdp);
  g_free (check);
}

void
_confab_peer_check_free (ConfabPeerCheck *check)
{
  /* Nothing of the handshake reaches the peer any more. */
  if (check->transport != NULL)
    {
      g_signal_handler_disconnect (check->transport, check->state_handler);
      g_clear_object (&check->transport);
    }

  check_unref (check);
}

ConfabPeerVerdict
_confab_peer_check_get_verdict (ConfabPeerCheck *check)
{
  return g_atomic_int_get (&check->verdict);
}

gboolean
_confab_peer_is_verified (ConfabPeer *self)
{
  return self->conn != NULL && self->conn->check != NULL &&
         _confab_peer_check_get_verdict (self->conn->check) == CONFAB_PEER_VERDICT_VERIFIED;
}

gboolean
_confab_peer_check_set_remote_sdp (ConfabPeerCheck  *check,
                                   const char       *sdp,
                                   GError          **error)
{
  g_autoptr(GPtrArray) fingerprints = confab_fingerprint_parse_sdp (sdp, error);
  gboolean has_sha256 = FALSE;

  if (fingerprints == NULL)
    return FALSE;

  for (guint i = 0; i < fingerprints->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (fingerprints, i), "sha-256 "))
      has_sha256 = TRUE;

  /* Browsers and the mobile app always send one: a description without
   * one can only have lost it on the way. */
  if (!has_sha256)
    {
      g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MISSING,
                           "The remote description carries no SHA-256 fingerprint");
      return FALSE;
    }

  g_mutex_lock (&check->lock);
  g_free (check->remote_sdp);
  check->remote_sdp = g_strdup (sdp);
  g_mutex_unlock (&check->lock);

  return TRUE;
}

static void
verdict_hop (gpointer owner,
             gpointer data)
{
  ConfabPeer *self = owner;
  const char *why = data;
  g_autoptr(ConfabPeer) hold = g_object_ref (self);

  if (self->conn->check == NULL)
    return;

  switch (_confab_peer_check_get_verdict (self->conn->check))
    {
    case CONFAB_PEER_VERDICT_VERIFIED:
      /* The channels may have opened while the verdict hopped here. */
      _confab_peer_maybe_open (self);
      break;

    case CONFAB_PEER_VERDICT_REFUSED:
      g_message ("Refusing the connection with “%s”: %s", self->remote_name, why);
      _confab_peer_emit_send (self, confab_message_new_hang_up (self->local_name, self->remote_name));
      _confab_peer_set_state (self, CONFAB_PEER_STATE_FAILED, CONFAB_PEER_REASON_TAMPERED);
      break;

    case CONFAB_PEER_VERDICT_PENDING:
    default:
      g_assert_not_reached ();
    }
}

/* On the thread that finished the handshake, or on the peer's context
 * when the handshake was done before the transport was watched. */
static void
check_judge (ConfabPeerCheck *check,
             GObject         *transport)
{
  GstWebRTCDTLSTransportState state = GST_WEBRTC_DTLS_TRANSPORT_STATE_NEW;
  g_autofree char *pem = NULL;
  g_autofree char *sdp = NULL;
  g_autoptr(GError) error = NULL;
  ConfabPeerVerdict verdict;

  g_object_get (transport, "state", &state, "remote-certificate", &pem, NULL);
  if (state != GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED)
    return;

  g_mutex_lock (&check->lock);
  sdp = g_strdup (check->remote_sdp);
  g_mutex_unlock (&check->lock);

  if (sdp == NULL || pem == NULL)
    {
      g_set_error_literal (&error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MISSING,
                           "The handshake finished without a description or certificate to compare");
      verdict = CONFAB_PEER_VERDICT_REFUSED;
    }
  else
    {
      verdict = confab_fingerprint_verify_sdp (sdp, pem, &error) ? CONFAB_PEER_VERDICT_VERIFIED
                                                                  : CONFAB_PEER_VERDICT_REFUSED;
    }

  /* The first verdict stands: a second handshake on the same transport
   * cannot undo a refusal. */
  if (g_atomic_int_compare_and_exchange (&check->verdict, CONFAB_PEER_VERDICT_PENDING, verdict))
    confab_hop_link_invoke (check->link, verdict_hop,
                            g_strdup (error != NULL ? error->message : ""), g_free);
}

static void
dtls_state_cb (GObject         *transport,
               GParamSpec      *pspec,
               ConfabPeerCheck *check)
{
  check_judge (check, transport);
}

void
_confab_peer_watch_transport (ConfabPeer *self)
{
  ConfabPeerCheck *check;
  g_autoptr(GObject) sctp = NULL;
  g_autoptr(GObject) transport = NULL;

  if (self->conn == NULL || self->conn->check == NULL || self->conn->check->transport != NULL)
    return;

  check = self->conn->check;

  /* The caller's exists once its offer is set, the callee's once the
   * offer is: either way before ICE can connect. */
  g_object_get (self->conn->webrtcbin, "sctp-transport", &sctp, NULL);
  if (sctp != NULL)
    g_object_get (sctp, "transport", &transport, NULL);
  if (transport == NULL)
    return;

  check->transport = g_object_ref (transport);
  check->state_handler = g_signal_connect_data (transport, "notify::state",
                                                G_CALLBACK (dtls_state_cb),
                                                check_ref (check),
                                                (GClosureNotify) check_unref, 0);
  /* Should the handshake have beaten us here, judge now: nothing was
   * read or sent meanwhile, for the verdict was still pending. */
  check_judge (check, transport);
}
