/* test-fingerprint-relay.c: two webrtcbin peers with lasting identities,
 * and a relay between them that may rewrite a=fingerprint
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define GST_USE_UNSTABLE_API

#include <glib/gstdio.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "confab-fingerprint.h"
#include "confab-identity.h"

/* What this measures, for the peer that will call the check:
 *
 * - the certificate the handshake proved is the DTLS transport's
 *   "remote-certificate", set by the time the transport's "state" reaches
 *   CONNECTED, and read in that notify on the GStreamer thread that
 *   finished the handshake;
 * - that notify comes before the first SCTP packet reaches sctpdec and
 *   before any data channel opens, on both sides, so a verdict taken in
 *   it is in place before a message can be read or sent.  (sctpenc may
 *   send its INIT first, from its own thread, but no channel opens and no
 *   message goes out before an SCTP packet of the peer's has been read
 *   through dtlsdec, on the very thread the notify runs on.);
 * - webrtcbin 1.22 itself lets the chat open whatever the fingerprints
 *   say, so only that check stands between a lying relay and the chat.
 *
 * Each peer here does what ConfabPeer will: it hands webrtcbin its
 * identity, corrects the fingerprint webrtcbin writes (see
 * confab-identity.h), verifies in the notify, and reads and sends only
 * once verified.  Alice makes the channel; both send one line as soon as
 * the channel is open on their side. */

typedef enum
{
  RELAY_HONEST,
  RELAY_REWRITES_OFFER,   /* Bob is shown Mallory's fingerprint for Alice */
  RELAY_REWRITES_ANSWER,  /* Alice is shown Mallory's fingerprint for Bob */
  RELAY_REWRITES_BOTH,
  RELAY_UNCORRECTED,      /* honest, but the peers send webrtcbin's own fingerprints */
} RelayMode;

typedef enum
{
  VERDICT_NONE,
  VERDICT_VERIFIED,
  VERDICT_REFUSED,        /* our check caught a mismatch */
  VERDICT_DTLS_FAILED,    /* webrtcbin's DTLS gave up by itself */
} Verdict;

typedef struct _Fixture Fixture;

typedef struct
{
  Fixture              *fixture;
  const char           *name;
  const char           *line;       /* what it sends once open and verified */
  char                 *dir;
  ConfabIdentity       *identity;
  GstElement           *pipeline;
  GstElement           *webrtcbin;  /* owned by the pipeline */
  GstWebRTCDTLSTransport *dtls;
  char                 *remote_sdp; /* as the relay delivered it, set before ICE can start */

  /* Written on GStreamer threads, under fixture->lock */
  GstWebRTCDataChannel *channel;
  Verdict               verdict;
  int                   verdict_seq;
  char                 *proven_fingerprint;
  int                   first_sctp_in_seq;
  int                   first_sctp_out_seq;
  int                   open_seq;
  GPtrArray            *delivered;  /* lines the gate let through */
  guint                 refused;    /* lines that arrived unverified */
} Peer;

struct _Fixture
{
  GMutex  lock;
  int     seq;
  Peer    alice;
  Peer    bob;
  char   *mallory_dir;
  ConfabIdentity *mallory;
};

static int
next_seq (Fixture *fixture)
{
  return g_atomic_int_add (&fixture->seq, 1) + 1;
}

static Peer *
other_of (Peer *peer)
{
  return peer == &peer->fixture->alice ? &peer->fixture->bob : &peer->fixture->alice;
}

static void
remove_identity_dir (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "dtls-identity.pem", NULL);

  g_remove (path);
  g_rmdir (dir);
}

static ConfabIdentity *
make_identity (char **dir)
{
  g_autoptr(GError) error = NULL;
  ConfabIdentity *identity;

  *dir = g_dir_make_tmp ("confab-relay-XXXXXX", &error);
  g_assert_no_error (error);
  identity = confab_identity_load_or_create (*dir, &error);
  g_assert_no_error (error);
  return identity;
}

/* The first packet through sctpdec's sink has been through dtlsdec: the
 * earliest moment anything of the peer's could be read.  The first out
 * of sctpenc's source, the earliest anything could be sent. */
static GstPadProbeReturn
first_sctp_probe_cb (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  Peer *peer = user_data;
  int *seq = GST_PAD_IS_SINK (pad) ? &peer->first_sctp_in_seq : &peer->first_sctp_out_seq;

  g_mutex_lock (&peer->fixture->lock);
  if (*seq == 0)
    *seq = next_seq (peer->fixture);
  g_mutex_unlock (&peer->fixture->lock);
  return GST_PAD_PROBE_REMOVE;
}

static void
deep_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       Peer       *peer)
{
  const char *type = G_OBJECT_TYPE_NAME (element);
  const char *pad_name;
  g_autoptr(GstPad) pad = NULL;

  if (g_str_equal (type, "GstSctpDec"))
    pad_name = "sink";
  else if (g_str_equal (type, "GstSctpEnc"))
    pad_name = "src";
  else
    return;

  pad = gst_element_get_static_pad (element, pad_name);
  g_assert_nonnull (pad);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     first_sctp_probe_cb, peer, NULL);
}

/* The check, where ConfabPeer will make it: on the GStreamer thread that
 * completed the handshake, before that thread decrypts anything more. */
static void
dtls_state_cb (GObject    *transport,
               GParamSpec *pspec,
               Peer       *peer)
{
  GstWebRTCDTLSTransportState state;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  Verdict verdict;

  g_object_get (transport, "state", &state, "remote-certificate", &pem, NULL);

  if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED)
    {
      g_assert_nonnull (pem);
      verdict = confab_fingerprint_verify_sdp (peer->remote_sdp, pem, &error)
                ? VERDICT_VERIFIED : VERDICT_REFUSED;
      if (error != NULL)
        g_test_message ("%s: %s", peer->name, error->message);
    }
  else if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_FAILED)
    verdict = VERDICT_DTLS_FAILED;
  else
    return;

  g_mutex_lock (&peer->fixture->lock);
  if (peer->verdict == VERDICT_NONE)
    {
      peer->verdict = verdict;
      peer->verdict_seq = next_seq (peer->fixture);
      if (pem != NULL)
        peer->proven_fingerprint = confab_fingerprint_from_pem (pem, NULL);
    }
  g_mutex_unlock (&peer->fixture->lock);
  g_main_context_wakeup (NULL);
}

static void
message_string_cb (GstWebRTCDataChannel *channel,
                   const char           *text,
                   Peer                 *peer)
{
  g_mutex_lock (&peer->fixture->lock);
  if (peer->verdict == VERDICT_VERIFIED)
    g_ptr_array_add (peer->delivered, g_strdup (text));
  else
    peer->refused++;
  g_mutex_unlock (&peer->fixture->lock);
  g_main_context_wakeup (NULL);
}

/* The gate on sending: on the main context, as the session sends. */
static gboolean
send_line_cb (gpointer data)
{
  Peer *peer = data;
  g_autoptr(GstWebRTCDataChannel) channel = NULL;

  g_mutex_lock (&peer->fixture->lock);
  if (peer->verdict == VERDICT_VERIFIED && peer->channel != NULL)
    channel = g_object_ref (peer->channel);
  g_mutex_unlock (&peer->fixture->lock);

  if (channel != NULL)
    g_signal_emit_by_name (channel, "send-string", peer->line);
  return G_SOURCE_REMOVE;
}

static void
channel_open (Peer                 *peer,
              GstWebRTCDataChannel *channel)
{
  g_mutex_lock (&peer->fixture->lock);
  if (peer->channel == NULL)
    peer->channel = g_object_ref (channel);
  peer->open_seq = next_seq (peer->fixture);
  g_mutex_unlock (&peer->fixture->lock);
  g_main_context_invoke (NULL, send_line_cb, peer);
}

static void
alice_open_cb (GstWebRTCDataChannel *channel,
               Peer                 *peer)
{
  channel_open (peer, channel);
}

static void
on_data_channel_cb (GstElement           *webrtcbin,
                    GstWebRTCDataChannel *channel,
                    Peer                 *peer)
{
  g_signal_connect (channel, "on-message-string", G_CALLBACK (message_string_cb), peer);
  channel_open (peer, channel);
}

typedef struct
{
  GstElement *to;
  guint       mline;
  char       *candidate;
} Candidate;

static gboolean
deliver_candidate_cb (gpointer data)
{
  Candidate *c = data;

  g_signal_emit_by_name (c->to, "add-ice-candidate", c->mline, c->candidate);
  return G_SOURCE_REMOVE;
}

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  gst_object_unref (c->to);
  g_free (c->candidate);
  g_free (c);
}

static void
on_ice_candidate_cb (GstElement *webrtcbin,
                     guint       mline,
                     const char *candidate,
                     Peer       *peer)
{
  Candidate *c = g_new0 (Candidate, 1);

  c->to = gst_object_ref (other_of (peer)->webrtcbin);
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, deliver_candidate_cb, c, candidate_free);
}

static void
peer_start (Fixture    *fixture,
            Peer       *peer,
            const char *name,
            const char *line)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;
  gboolean added = FALSE;

  peer->fixture = fixture;
  peer->name = name;
  peer->line = line;
  peer->identity = make_identity (&peer->dir);
  peer->delivered = g_ptr_array_new_with_free_func (g_free);
  peer->pipeline = gst_pipeline_new (name);
  peer->webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  g_assert_nonnull (peer->webrtcbin);
  g_object_set (peer->webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  gst_bin_add (GST_BIN (peer->pipeline), peer->webrtcbin);

  confab_identity_use_in_webrtcbin (peer->identity, peer->webrtcbin);
  g_signal_connect (peer->webrtcbin, "deep-element-added", G_CALLBACK (deep_element_added_cb), peer);
  g_signal_connect (peer->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate_cb), peer);
  g_signal_connect (peer->webrtcbin, "on-data-channel", G_CALLBACK (on_data_channel_cb), peer);

  /* libnice skips loopback unless told; no UPnP search to wait for. */
  g_object_get (peer->webrtcbin, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  g_signal_emit_by_name (ice, "add-local-ip-address", "127.0.0.1", &added);

  g_assert_cmpint (gst_element_set_state (peer->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

/* From the moment the transport exists, before ICE can connect. */
static void
watch_transport (Peer *peer)
{
  g_autoptr(GObject) sctp = NULL;

  g_object_get (peer->webrtcbin, "sctp-transport", &sctp, NULL);
  g_assert_nonnull (sctp);
  g_object_get (sctp, "transport", &peer->dtls, NULL);
  g_assert_nonnull (peer->dtls);
  g_signal_connect (peer->dtls, "notify::state", G_CALLBACK (dtls_state_cb), peer);
}

static GstWebRTCSessionDescription *
create_description (Peer       *peer,
                    const char *what)
{
  GstPromise *promise = gst_promise_new ();
  GstWebRTCSessionDescription *description = NULL;

  g_signal_emit_by_name (peer->webrtcbin, g_str_equal (what, "offer") ? "create-offer" : "create-answer",
                         NULL, promise);
  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  gst_structure_get (gst_promise_get_reply (promise), what,
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
  gst_promise_unref (promise);
  g_assert_nonnull (description);
  return description;
}

static void
set_description (Peer                        *peer,
                 const char                  *signal,
                 GstWebRTCSessionDescription *description)
{
  GstPromise *promise = gst_promise_new ();

  g_signal_emit_by_name (peer->webrtcbin, signal, description, promise);
  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  gst_promise_unref (promise);
}

/* The sender's correction, then what the relay makes of it. */
static char *
relay (Fixture                     *fixture,
       Peer                        *from,
       GstWebRTCSessionDescription *description,
       RelayMode                    mode,
       gboolean                     rewrite)
{
  g_autofree char *text = gst_sdp_message_as_text (description->sdp);
  g_autofree char *sent = NULL;

  if (mode == RELAY_UNCORRECTED)
    sent = g_steal_pointer (&text);
  else
    sent = confab_fingerprint_replace_in_sdp (text, confab_identity_get_fingerprint (from->identity));

  if (rewrite)
    return confab_fingerprint_replace_in_sdp (sent, confab_identity_get_fingerprint (fixture->mallory));
  return g_steal_pointer (&sent);
}

static void
deliver (Peer             *to,
         const char       *text,
         GstWebRTCSDPType  type)
{
  GstSDPMessage *sdp = NULL;
  g_autoptr(GstWebRTCSessionDescription) description = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &sdp), ==, GST_SDP_OK);
  description = gst_webrtc_session_description_new (type, sdp);
  to->remote_sdp = g_strdup (text);
  set_description (to, "set-remote-description", description);
}

static void
peer_stop (Peer *peer)
{
  g_clear_object (&peer->channel);
  gst_element_set_state (peer->pipeline, GST_STATE_NULL);
  if (peer->dtls != NULL)
    g_signal_handlers_disconnect_by_data (peer->dtls, peer);
  g_clear_object (&peer->dtls);
  gst_clear_object (&peer->pipeline);
  remove_identity_dir (peer->dir);
  g_clear_pointer (&peer->dir, g_free);
  g_clear_object (&peer->identity);
  g_clear_pointer (&peer->remote_sdp, g_free);
  g_clear_pointer (&peer->proven_fingerprint, g_free);
  g_clear_pointer (&peer->delivered, g_ptr_array_unref);
}

static gboolean
deadline_cb (gpointer data)
{
  gboolean *passed = data;

  *passed = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
settled (Fixture   *fixture,
         RelayMode  mode)
{
  Peer *a = &fixture->alice, *b = &fixture->bob;
  gboolean done;

  g_mutex_lock (&fixture->lock);
  if (mode == RELAY_HONEST)
    done = a->delivered->len == 1 && b->delivered->len == 1;
  else
    /* Both verdicts in, the channel open on both sides, and what the
     * verified side sent (if one is) refused by the other. */
    done = a->verdict != VERDICT_NONE && b->verdict != VERDICT_NONE &&
           a->open_seq != 0 && b->open_seq != 0 &&
           (a->verdict != VERDICT_VERIFIED || b->refused == 1) &&
           (b->verdict != VERDICT_VERIFIED || a->refused == 1);
  g_mutex_unlock (&fixture->lock);
  return done;
}

static void
check_order (Peer *peer)
{
  g_test_message ("%s: verdict %d at #%d, first SCTP packet in at #%d, out at #%d, channel open at #%d, "
                  "%u delivered, %u refused",
                  peer->name, peer->verdict, peer->verdict_seq, peer->first_sctp_in_seq,
                  peer->first_sctp_out_seq, peer->open_seq, peer->delivered->len, peer->refused);

  g_assert_cmpint (peer->verdict, !=, VERDICT_NONE);
  if (peer->first_sctp_in_seq != 0)
    g_assert_cmpint (peer->verdict_seq, <, peer->first_sctp_in_seq);
  if (peer->open_seq != 0)
    g_assert_cmpint (peer->verdict_seq, <, peer->open_seq);
}

static void
test_relay (gconstpointer data)
{
  RelayMode mode = GPOINTER_TO_INT (data);
  Fixture fixture = { 0 };
  Peer *alice = &fixture.alice, *bob = &fixture.bob;
  g_autoptr(GstWebRTCDataChannel) channel = NULL;
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;
  g_autoptr(GstWebRTCSessionDescription) answer = NULL;
  g_autofree char *offer_text = NULL;
  g_autofree char *answer_text = NULL;
  gboolean deadline_passed = FALSE;
  guint deadline;

  g_mutex_init (&fixture.lock);
  fixture.mallory = make_identity (&fixture.mallory_dir);
  peer_start (&fixture, alice, "alice", "hello from alice");
  peer_start (&fixture, bob, "bob", "hello from bob");

  g_signal_emit_by_name (alice->webrtcbin, "create-data-channel", "chat", NULL, &channel);
  g_assert_nonnull (channel);
  g_signal_connect (channel, "on-open", G_CALLBACK (alice_open_cb), alice);
  g_signal_connect (channel, "on-message-string", G_CALLBACK (message_string_cb), alice);

  offer = create_description (alice, "offer");
  set_description (alice, "set-local-description", offer);
  watch_transport (alice);
  offer_text = relay (&fixture, alice, offer, mode,
                      mode == RELAY_REWRITES_OFFER || mode == RELAY_REWRITES_BOTH);
  deliver (bob, offer_text, GST_WEBRTC_SDP_TYPE_OFFER);
  watch_transport (bob);

  answer = create_description (bob, "answer");
  set_description (bob, "set-local-description", answer);
  answer_text = relay (&fixture, bob, answer, mode,
                       mode == RELAY_REWRITES_ANSWER || mode == RELAY_REWRITES_BOTH);
  deliver (alice, answer_text, GST_WEBRTC_SDP_TYPE_ANSWER);

  /* A mismatch case waits at most this long for the channel to open
   * anyway; meson's timeout catches a hang of the honest case. */
  deadline = g_timeout_add_seconds (mode == RELAY_HONEST ? 60 : 15, deadline_cb, &deadline_passed);
  while (!settled (&fixture, mode) && !deadline_passed)
    g_main_context_iteration (NULL, TRUE);
  if (!deadline_passed)
    g_source_remove (deadline);

  /* Late packets are still counted from here on: let a moment pass for a
   * line that should not arrive. */
  g_usleep (G_USEC_PER_SEC / 5);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_mutex_lock (&fixture.lock);
  check_order (alice);
  check_order (bob);

  /* Each handshake proved the other's lasting ECDSA certificate. */
  g_assert_cmpstr (alice->proven_fingerprint, ==, confab_identity_get_fingerprint (bob->identity));
  g_assert_cmpstr (bob->proven_fingerprint, ==, confab_identity_get_fingerprint (alice->identity));

  switch (mode)
    {
    case RELAY_HONEST:
      g_assert_cmpint (alice->verdict, ==, VERDICT_VERIFIED);
      g_assert_cmpint (bob->verdict, ==, VERDICT_VERIFIED);
      g_assert_cmpstr (g_ptr_array_index (alice->delivered, 0), ==, "hello from bob");
      g_assert_cmpstr (g_ptr_array_index (bob->delivered, 0), ==, "hello from alice");
      break;

    case RELAY_REWRITES_OFFER:
    case RELAY_REWRITES_ANSWER:
    case RELAY_REWRITES_BOTH:
    case RELAY_UNCORRECTED:
      /* Whoever was shown a fingerprint that is not the other's refuses. */
      g_assert_cmpint (bob->verdict, ==,
                       mode == RELAY_REWRITES_ANSWER ? VERDICT_VERIFIED : VERDICT_REFUSED);
      g_assert_cmpint (alice->verdict, ==,
                       mode == RELAY_REWRITES_OFFER ? VERDICT_VERIFIED : VERDICT_REFUSED);
      g_assert_cmpuint (alice->delivered->len, ==, 0);
      g_assert_cmpuint (bob->delivered->len, ==, 0);
      /* What 1.22 does by itself: the channel opens all the same. */
      g_test_message ("webrtcbin opened the channel despite the mismatch: %s",
                      alice->open_seq != 0 && bob->open_seq != 0 ? "yes" : "no");
      break;

    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&fixture.lock);

  g_clear_object (&channel);
  peer_stop (alice);
  peer_stop (bob);
  remove_identity_dir (fixture.mallory_dir);
  g_free (fixture.mallory_dir);
  g_clear_object (&fixture.mallory);
  /* Deliveries still queued hold their own references. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_mutex_clear (&fixture.lock);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_data_func ("/fingerprint-relay/honest", GINT_TO_POINTER (RELAY_HONEST), test_relay);
  g_test_add_data_func ("/fingerprint-relay/rewrites-offer", GINT_TO_POINTER (RELAY_REWRITES_OFFER), test_relay);
  g_test_add_data_func ("/fingerprint-relay/rewrites-answer", GINT_TO_POINTER (RELAY_REWRITES_ANSWER), test_relay);
  g_test_add_data_func ("/fingerprint-relay/rewrites-both", GINT_TO_POINTER (RELAY_REWRITES_BOTH), test_relay);
  g_test_add_data_func ("/fingerprint-relay/uncorrected", GINT_TO_POINTER (RELAY_UNCORRECTED), test_relay);

  return g_test_run ();
}
