/* fuzz-peer-signalling.c: libFuzzer target for what a remote peer sends
 * through the signalling server: its offer and its ICE candidates
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* unshare() and its CLONE_ flags */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "confab-message.h"
#include "confab-peer.h"
#include "confab-runtime.h"

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const guint8   *data,
                            size_t          size);

/* The input is text, so that the seeds read like what a peer sends:
 *
 *   <the offer's SDP>
 *   %%
 *   <sdpMLineIndex> <sdpMid> <candidate>     one line a candidate
 *   accept
 *   <sdpMLineIndex> <sdpMid> <candidate>
 *
 * The SDP arrives as the data of an offer_received, which makes an
 * incoming peer (as ConfabSession does); the candidates before the
 * "accept" line reach it while the user is still asked, the others once
 * its answer is out ("accept" missing: all of them before).  An
 * sdpMLineIndex outside what the protocol reads (-1 to 65535) is taken as
 * absent, an sdpMid of "-" is absent, an empty candidate is the end of
 * candidates.
 *
 * Two depths:
 *
 * - libFuzzer's runs stop before webrtcbin: the offer's checks
 *   (confab_peer_new_incoming()), and the candidates an incoming call
 *   holds while its user is asked, then a decline: 250 to 280 inputs a
 *   second on a busy 2-core machine.  Going further costs a webrtcbin per
 *   input (a pipeline, DTLS and ICE set up, an answer made, a teardown a
 *   second later): 40 to 60 inputs a second with inputs of 4 KiB at most,
 *   3 with 20 KiB ones, and GStreamer is not instrumented, so libFuzzer
 *   learns little from it; what it finds there is in GStreamer or libnice
 *   more often than in Confab.  CI's minute goes to the layer that is
 *   ours.
 *
 * - The replay that `meson test` runs over the kept corpus, and a run with
 *   CONFAB_FUZZ_ACCEPT=1 in the environment (which found that libnice
 *   asserts on a candidate of component 0), also accept: a real
 *   webrtcbin in a pipeline applies the offer, makes an answer and starts
 *   ICE with the candidates.  So that no candidate makes libnice (or the
 *   resolver, for a ".local" name) send a packet anywhere, the process
 *   first moves into a network namespace of its own, where the only
 *   interface is loopback: the pad probes of the tests' fault injection
 *   would not do, for libnice sends its connectivity checks from its own
 *   sockets, not through the pipeline.  Where no namespace can be had, it
 *   does not accept.  (Under libFuzzer, add -detect_leaks=0: connections
 *   end in the background, a second after their input, and libFuzzer's
 *   check after each input would take them for leaks.) */

#define SEPARATOR        "\n%%\n"
#define ACCEPT_LINE      "accept"
/* Enough for webrtcbin to apply an offer and answer it, with the hostile
 * shapes of the seeds (hundreds of m-lines) included; an input that takes
 * longer is cut short here rather than reported as a hang. */
#define ANSWER_WAIT_MS   500
#define CANDIDATE_WAIT_MS 20
/* Connections whose teardown (CHANNEL.md) may still run while the next
 * input starts: each takes up to a second when its channels never
 * opened, and waiting for each in turn would make the fuzzer crawl. */
#define MAX_CLOSING      32
#define CLOSING_WAIT_MS  5000

/* Set when calls are accepted, in a namespace of our own. */
static gboolean accept_calls;

static gboolean
bring_loopback_up (void)
{
  struct ifreq request = { 0 };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean up = FALSE;

  if (fd < 0)
    return FALSE;

  g_strlcpy (request.ifr_name, "lo", sizeof request.ifr_name);
  if (ioctl (fd, SIOCGIFFLAGS, &request) == 0)
    {
      request.ifr_flags |= IFF_UP;
      up = ioctl (fd, SIOCSIFFLAGS, &request) == 0;
    }

  close (fd);
  return up;
}

/* GStreamer 1.22's DTLS elements, when a connection with many unbundled
 * transports is taken down while they still start, now and then set a
 * property on a connection that has no SSL object yet.  That is theirs,
 * harmless, and not ours to fix: tolerated, that one message exactly. */
static gboolean
known_critical_cb (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  return !(log_domain == NULL &&
           (log_level & G_LOG_LEVEL_CRITICAL) != 0 &&
           g_strcmp0 (message, "gst_dtls_connection_set_property: assertion 'priv->ssl' failed") == 0);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  gboolean wanted;

  /* A critical is a bug, under libFuzzer as under `meson test`. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_log_set_fatal_handler (known_critical_cb, NULL);

#ifdef CONFAB_FUZZ_REPLAY
  wanted = TRUE;
#else
  wanted = g_strcmp0 (g_getenv ("CONFAB_FUZZ_ACCEPT"), "1") == 0;
#endif
  if (!wanted)
    return 0;

  /* Before any thread starts: a user namespace (needed when not root)
   * can only be entered by a process of one thread. */
  accept_calls = (unshare (CLONE_NEWNET) == 0 ||
                  unshare (CLONE_NEWUSER | CLONE_NEWNET) == 0) &&
                 bring_loopback_up ();

  if (!accept_calls)
    g_printerr ("fuzz-peer-signalling: no network namespace of its own (%s): "
                "not accepting calls, so not reaching webrtcbin\n", g_strerror (errno));

  return 0;
}

typedef struct
{
  ConfabPeer *peer;
  gboolean    answered;
} Call;

static void
send_message_cb (ConfabPeer    *peer,
                 ConfabMessage *message,
                 Call          *call)
{
  /* What a peer sends is addressed to the one that called. */
  g_assert_cmpstr (confab_message_get_target (message), ==, "alice");
  g_assert_cmpstr (confab_message_get_name (message), ==, "bob");

  if (confab_message_get_kind (message) == CONFAB_MESSAGE_CREATE_ANSWER)
    {
      /* Our answer is something we, and so the other side, can read. */
      g_assert_nonnull (confab_message_get_sdp (message));
      g_assert_true (g_utf8_validate (confab_message_get_sdp (message), -1, NULL));
      call->answered = TRUE;
    }
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*DoneFunc) (Call *call);

/* Runs the main context until @done or @timeout_ms, whichever is first:
 * bounded, so that no input hangs the fuzzer. */
static void
iterate_until (DoneFunc  done,
               Call     *call,
               guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint wake = g_timeout_add (2, wake_cb, NULL);

  while ((done == NULL || !done (call)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);
}

static gboolean
answered_or_ended (Call *call)
{
  ConfabPeerState state = confab_peer_get_state (call->peer);

  return call->answered ||
         state == CONFAB_PEER_STATE_CLOSED ||
         state == CONFAB_PEER_STATE_FAILED;
}

static gboolean
few_closing (Call *call)
{
  return confab_runtime_get_n_closing () < MAX_CLOSING;
}

/* One line "<mline> <mid> <candidate>" to the peer, as the session
 * passes on an ice_candidate from the server. */
static void
hand_candidate (ConfabPeer *peer,
                const char *line)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_auto(GStrv) fields = g_strsplit (line, " ", 3);
  gint64 mline;
  const char *mid;

  if (fields[0] == NULL || fields[1] == NULL)
    return;

  mline = g_ascii_strtoll (fields[0], NULL, 10);
  if (mline < -1 || mline > G_MAXUINT16)
    mline = -1;
  mid = strcmp (fields[1], "-") == 0 ? NULL : fields[1];

  message = confab_message_new_ice_candidate ("alice", NULL, (int) mline, mid,
                                              fields[2] != NULL ? fields[2] : "");
  confab_peer_handle_message (peer, message);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(ConfabMessage) offer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  Call call = { NULL, FALSE };
  char *candidates;
  gboolean accepted = FALSE;

  /* The server relays only UTF-8 (the protocol's parser refuses the
   * rest), and C strings end at the first nul. */
  if (!g_utf8_validate (text, -1, NULL))
    return 0;

  candidates = strstr (text, SEPARATOR);
  if (candidates != NULL)
    {
      *candidates = '\0';
      candidates += strlen (SEPARATOR);
    }

  offer = confab_message_new_offer_received ("alice", text);
  call.peer = confab_peer_new_incoming ("bob", offer, &error);
  if (call.peer == NULL)
    {
      g_assert_error (error, CONFAB_PEER_ERROR, CONFAB_PEER_ERROR_INVALID_OFFER);
      return 0;
    }

  g_assert_no_error (error);
  g_assert_cmpint (confab_peer_get_state (call.peer), ==, CONFAB_PEER_STATE_INCOMING);
  g_signal_connect (call.peer, "send-message", G_CALLBACK (send_message_cb), &call);

  lines = g_strsplit (candidates != NULL ? candidates : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strcmp (lines[i], ACCEPT_LINE) == 0 && !accepted && accept_calls)
        {
          accepted = TRUE;
          confab_peer_accept (call.peer);
          iterate_until (answered_or_ended, &call, ANSWER_WAIT_MS);
        }
      else
        {
          hand_candidate (call.peer, lines[i]);
        }
    }

  if (!accepted && accept_calls)
    {
      /* The candidates queued while the user was asked reach webrtcbin
       * before it makes the answer: once that is out, it has seen them. */
      confab_peer_accept (call.peer);
      iterate_until (answered_or_ended, &call, ANSWER_WAIT_MS);
    }
  else if (accepted)
    {
      iterate_until (NULL, &call, CANDIDATE_WAIT_MS);
    }

  /* Whatever the peer sent, it ends when told to. */
  confab_peer_hang_up (call.peer);
  g_assert_true (confab_peer_get_state (call.peer) == CONFAB_PEER_STATE_CLOSED ||
                 confab_peer_get_state (call.peer) == CONFAB_PEER_STATE_FAILED);
  g_signal_handlers_disconnect_by_data (call.peer, &call);
  g_clear_object (&call.peer);

  /* The connections tear down in the background, a few at a time. */
  iterate_until (few_closing, &call, CLOSING_WAIT_MS);

  return 0;
}
