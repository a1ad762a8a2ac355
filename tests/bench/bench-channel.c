/* bench-channel.c: how fast two Confab sessions connect and chat
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "confab-channel-frame.h"
#include "confab-conversation.h"
#include "confab-runtime.h"
#include "confab-session.h"
#include "confab-signal-server.h"
#include "test-support.h"

/* Two ConfabSession in this process, alice and bob, signed in to a real
 * signalling server (a ConfabSignalServer on a thread of its own, or any
 * server given with --url), call each other and chat through the public
 * session API, as the app does:
 *
 *   accept to open   from confab_session_accept() on the callee to the
 *                    conversation being "open" on each side (p50 over
 *                    --calls calls, each a new peer connection);
 *   round trip       send_text on alice, message-received on bob,
 *                    send_text back, message-received on alice;
 *   bulk             --bulk messages of --bulk-size bytes from alice to
 *                    bob, through chunking and flow control, from the
 *                    first send_text to the last message-received.
 *
 * Side by side in the same run, so that a noisy machine moves both, the
 * reference: two bare webrtcbin elements in this process, with nothing of
 * Confab (no ICE tuning but UPnP off, one channel, 64 KiB messages, the
 * same buffered-amount flow control), measured the same way.  Prints one JSON
 * line and a summary; never judges a figure.  Fails only when a figure
 * could not be measured (a call that did not open, a message lost). */

static int opt_calls = 20;
static int opt_round_trips = 1000;
static int opt_bulk = 64;
static int opt_bulk_size = 1024 * 1024;
static char *opt_url;
static gboolean opt_no_reference;
static double opt_timeout = 30.0;

static const GOptionEntry entries[] = {
  { "calls", 0, 0, G_OPTION_ARG_INT, &opt_calls, "Calls to time the opening of (20)", "N" },
  { "round-trips", 0, 0, G_OPTION_ARG_INT, &opt_round_trips, "Messages to time the round trip of (1000)", "N" },
  { "bulk", 0, 0, G_OPTION_ARG_INT, &opt_bulk, "Messages in the bulk transfer (64)", "N" },
  { "bulk-size", 0, 0, G_OPTION_ARG_INT, &opt_bulk_size, "Bytes in each bulk message (1048576)", "BYTES" },
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt_url, "A signalling server to use instead of one of our own", "URL" },
  { "no-reference", 0, 0, G_OPTION_ARG_NONE, &opt_no_reference, "Do not measure bare webrtcbin", NULL },
  { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout, "Seconds any one step may take (30)", "SECONDS" },
  { NULL }
};

/* Figures */

typedef struct
{
  double  open_callee_p50;   /* ms */
  double  open_caller_p50;
  double  open_callee_max;
  double  open_caller_max;
  double  call_to_open_p50;  /* from the call, on the caller */
  double  rtt_p50;           /* ms */
  double  rtt_p99;
  double  rtt_cpu_us;        /* CPU time of the whole process per round trip */
  double  bulk_seconds;
  double  bulk_mb_per_s;     /* 10^6 bytes a second */
  double  bulk_cpu_ms_per_mb; /* CPU time of the whole process per 10^6 bytes */
  int     calls;
  int     round_trips;
  int     bulk;
} Figures;

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The value below which @q of the samples lie (nearest rank). */
static double
quantile (GArray *samples,
          double  q)
{
  guint rank;

  if (samples->len == 0)
    return -1;

  g_array_sort (samples, compare_doubles);
  rank = (guint) (q * samples->len + 0.999999);
  rank = CLAMP (rank, 1, samples->len);

  return g_array_index (samples, double, rank - 1);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* User and system time of every thread of the process, in µs: on a
 * machine shared with others, how much work a figure took says more than
 * how long it took. */
static gint64
process_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* Waiting */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @condition holds; exits the program
 * when it still does not after --timeout seconds. */
static void
wait_for (TestCondition  condition,
          gpointer       data,
          const char    *what)
{
  if (!test_wait_until (condition, data, opt_timeout))
    {
      g_printerr ("bench-channel: gave up waiting for %s after %.0f s\n", what, opt_timeout);
      exit (EXIT_FAILURE);
    }
}

/* Two sessions */

typedef struct
{
  ConfabSession *session;
  const char    *name;
  const char    *other;
  gboolean       connected;
  GError        *connect_error;
  /* incoming-request seen, and when we accepted */
  gint64         accepted_at;
  /* the conversation with the other, and when it was first open */
  ConfabConversation *conversation;
  gint64         opened_at;
  /* message-received */
  guint          n_received;
  guint          n_bulk_received;
  gint64         last_received_at;
  gboolean       bad_bulk;
} Side;

static void
side_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Side *side = data;

  if (!confab_session_connect_finish (CONFAB_SESSION (object), result, &side->connect_error))
    g_printerr ("bench-channel: %s could not sign in: %s\n", side->name,
                side->connect_error->message);
  side->connected = TRUE;
}

static void
conversation_state_cb (ConfabConversation *conversation,
                       GParamSpec         *pspec,
                       Side               *side)
{
  if (side->opened_at == 0 &&
      confab_conversation_get_state (conversation) == CONFAB_CONVERSATION_OPEN)
    side->opened_at = g_get_monotonic_time ();
}

static void
side_watch_conversation (Side *side)
{
  ConfabConversation *conversation;

  if (side->conversation != NULL)
    return;

  conversation = confab_session_lookup_conversation (side->session, side->other);
  if (conversation == NULL)
    return;

  side->conversation = g_object_ref (conversation);
  g_signal_connect (conversation, "notify::state", G_CALLBACK (conversation_state_cb), side);
  conversation_state_cb (conversation, NULL, side);
}

static void
side_forget_conversation (Side *side)
{
  if (side->conversation != NULL)
    {
      g_signal_handlers_disconnect_by_data (side->conversation, side);
      g_clear_object (&side->conversation);
    }
  confab_session_remove_conversation (side->session, side->other);
  side->opened_at = 0;
  side->accepted_at = 0;
}

static void
incoming_request_cb (ConfabSession *session,
                     const char    *peer,
                     Side          *side)
{
  g_autoptr(GError) error = NULL;

  /* The callee's user clicks "accept" the moment the request comes. */
  side->accepted_at = g_get_monotonic_time ();
  if (!confab_session_accept (session, peer, &error))
    {
      g_printerr ("bench-channel: %s could not accept %s: %s\n", side->name, peer,
                  error->message);
      exit (EXIT_FAILURE);
    }
  side_watch_conversation (side);
}

static void
message_received_cb (ConfabSession      *session,
                     ConfabConversation *conversation,
                     ConfabChatMessage  *message,
                     Side               *side)
{
  const char *text = confab_chat_message_get_text (message);

  side->n_received++;
  side->last_received_at = g_get_monotonic_time ();

  if (strlen (text) == (gsize) opt_bulk_size && opt_bulk_size > 64)
    {
      g_autofree char *expected = g_strdup_printf ("bulk %u ", side->n_bulk_received);

      /* In order, and whole. */
      if (!g_str_has_prefix (text, expected) || text[opt_bulk_size - 1] != '.')
        side->bad_bulk = TRUE;
      side->n_bulk_received++;
    }
}

static gboolean
side_connected (gpointer data)
{
  Side *side = data;

  return side->connected;
}

static void
side_init (Side       *side,
           const char *name,
           const char *other,
           const char *url)
{
  side->name = name;
  side->other = other;
  side->session = confab_session_new ();
  g_signal_connect (side->session, "incoming-request", G_CALLBACK (incoming_request_cb), side);
  g_signal_connect (side->session, "message-received", G_CALLBACK (message_received_cb), side);

  confab_session_connect_async (side->session, url, name, NULL, side_connect_cb, side);
  wait_for (side_connected, side, "signing in");
  if (side->connect_error != NULL)
    exit (EXIT_FAILURE);
}

typedef struct
{
  Side *alice;
  Side *bob;
  gboolean call_done;
  GError  *call_error;
} Pair;

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  Pair *pair = data;

  confab_session_call_finish (CONFAB_SESSION (object), result, &pair->call_error);
  pair->call_done = TRUE;
}

static gboolean
both_open (gpointer data)
{
  Pair *pair = data;

  if (pair->call_error != NULL)
    {
      g_printerr ("bench-channel: the call failed: %s\n", pair->call_error->message);
      exit (EXIT_FAILURE);
    }
  if (pair->bob->conversation != NULL &&
      confab_conversation_get_state (pair->bob->conversation) == CONFAB_CONVERSATION_FAILED)
    {
      g_printerr ("bench-channel: the call failed on bob's side: %s\n",
                  confab_conversation_get_failure_reason (pair->bob->conversation));
      exit (EXIT_FAILURE);
    }
  if (pair->alice->conversation != NULL &&
      confab_conversation_get_state (pair->alice->conversation) == CONFAB_CONVERSATION_FAILED)
    {
      g_printerr ("bench-channel: the call failed on alice's side: %s\n",
                  confab_conversation_get_failure_reason (pair->alice->conversation));
      exit (EXIT_FAILURE);
    }

  return pair->alice->opened_at != 0 && pair->bob->opened_at != 0;
}

static gboolean
conversation_ended (gpointer data)
{
  Side *side = data;
  ConfabConversationState state;

  if (side->conversation == NULL)
    return TRUE;

  state = confab_conversation_get_state (side->conversation);
  return state == CONFAB_CONVERSATION_CLOSED || state == CONFAB_CONVERSATION_FAILED;
}

static gboolean
nothing_closing (gpointer data)
{
  return confab_runtime_get_n_closing () == 0;
}

static gboolean
call_finished (gpointer data)
{
  Pair *pair = data;

  return pair->call_done;
}

/* One call from alice to bob, open on both sides. */
static void
pair_call (Pair   *pair,
           gint64 *called_at)
{
  pair->call_done = FALSE;
  g_clear_error (&pair->call_error);

  *called_at = g_get_monotonic_time ();
  confab_session_call_async (pair->alice->session, "bob", NULL, call_cb, pair);
  side_watch_conversation (pair->alice);
  wait_for (both_open, pair, "the conversation to open");
}

static void
pair_hang_up (Pair *pair)
{
  g_autoptr(GError) error = NULL;

  if (!confab_session_hang_up (pair->alice->session, "bob", &error))
    g_printerr ("bench-channel: could not hang up: %s\n", error->message);
  wait_for (conversation_ended, pair->alice, "alice's conversation to end");
  wait_for (conversation_ended, pair->bob, "bob's conversation to end");
  wait_for (call_finished, pair, "the call to finish");
  side_forget_conversation (pair->alice);
  side_forget_conversation (pair->bob);
  wait_for (nothing_closing, NULL, "the connections to close");
}

typedef struct
{
  Side  *side;
  guint  count;
} Count;

static gboolean
received_count (gpointer data)
{
  Count *count = data;

  return count->side->n_received >= count->count;
}

static void
send_or_die (Side       *side,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  if (!confab_session_send_text (side->session, side->other, text, &error))
    {
      g_printerr ("bench-channel: %s could not send: %s\n", side->name, error->message);
      exit (EXIT_FAILURE);
    }
}

static double
measure_round_trips (Pair    *pair,
                     int      n,
                     GArray  *rtts)
{
  gint64 cpu = 0;

  /* A few first, untimed: the first messages of a connection find
   * caches cold. */
  int warm_up = MIN (10, n);

  for (int i = 0; i < warm_up + n; i++)
    {
      g_autofree char *ping = g_strdup_printf ("ping %d", i);
      g_autofree char *pong = g_strdup_printf ("pong %d", i);
      Count to_bob = { pair->bob, pair->bob->n_received + 1 };
      Count to_alice = { pair->alice, pair->alice->n_received + 1 };
      gint64 start = g_get_monotonic_time ();
      double rtt;

      send_or_die (pair->alice, ping);
      wait_for (received_count, &to_bob, "a ping");
      send_or_die (pair->bob, pong);
      wait_for (received_count, &to_alice, "a pong");
      rtt = ms_since (start);

      if (i >= warm_up)
        g_array_append_val (rtts, rtt);
      if (i == warm_up - 1)
        cpu = process_cpu_us ();
    }

  return (process_cpu_us () - cpu) / (double) n;
}

static char *
bulk_text (guint index)
{
  char *text = g_malloc (opt_bulk_size + 1);
  int prefix = g_snprintf (text, opt_bulk_size + 1, "bulk %u ", index);

  /* Text the receiver can check: its number first, a full stop last. */
  for (int i = prefix; i < opt_bulk_size - 1; i++)
    text[i] = 'a' + i % 26;
  text[opt_bulk_size - 1] = '.';
  text[opt_bulk_size] = '\0';

  return text;
}

static gboolean
bulk_done (gpointer data)
{
  Side *side = data;

  return side->n_bulk_received >= (guint) opt_bulk;
}

static double
measure_bulk (Pair   *pair,
              double *cpu_ms_per_mb)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 start;
  gint64 cpu;

  for (int i = 0; i < opt_bulk; i++)
    g_ptr_array_add (texts, bulk_text (pair->bob->n_bulk_received + i));

  cpu = process_cpu_us ();
  start = g_get_monotonic_time ();
  for (int i = 0; i < opt_bulk; i++)
    send_or_die (pair->alice, g_ptr_array_index (texts, i));
  wait_for (bulk_done, pair->bob, "the bulk messages");
  *cpu_ms_per_mb = (process_cpu_us () - cpu) / 1000.0 / ((double) opt_bulk * opt_bulk_size / 1e6);

  if (pair->bob->bad_bulk)
    {
      g_printerr ("bench-channel: a bulk message arrived damaged or out of order\n");
      exit (EXIT_FAILURE);
    }

  return (pair->bob->last_received_at - start) / (double) G_USEC_PER_SEC;
}

static void
measure_sessions (const char *url,
                  Figures    *figures)
{
  g_autoptr(GArray) callee = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) caller = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) call_to_open = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rtts = g_array_new (FALSE, FALSE, sizeof (double));
  Side alice = { 0 };
  Side bob = { 0 };
  Pair pair = { &alice, &bob, FALSE, NULL };

  side_init (&alice, "alice", "bob", url);
  side_init (&bob, "bob", "alice", url);

  for (int i = 0; i < opt_calls; i++)
    {
      gint64 called_at;
      double value;

      pair_call (&pair, &called_at);

      value = (bob.opened_at - bob.accepted_at) / 1000.0;
      g_array_append_val (callee, value);
      value = (alice.opened_at - bob.accepted_at) / 1000.0;
      g_array_append_val (caller, value);
      value = (alice.opened_at - called_at) / 1000.0;
      g_array_append_val (call_to_open, value);

      /* The last call stays up for the chat. */
      if (i < opt_calls - 1)
        pair_hang_up (&pair);
    }

  figures->calls = opt_calls;
  figures->open_callee_max = quantile (callee, 1.0);
  figures->open_caller_max = quantile (caller, 1.0);
  figures->open_callee_p50 = quantile (callee, 0.5);
  figures->open_caller_p50 = quantile (caller, 0.5);
  figures->call_to_open_p50 = quantile (call_to_open, 0.5);

  figures->rtt_cpu_us = measure_round_trips (&pair, opt_round_trips, rtts);
  figures->round_trips = opt_round_trips;
  figures->rtt_p50 = quantile (rtts, 0.5);
  figures->rtt_p99 = quantile (rtts, 0.99);

  figures->bulk = opt_bulk;
  figures->bulk_seconds = measure_bulk (&pair, &figures->bulk_cpu_ms_per_mb);
  figures->bulk_mb_per_s = (double) opt_bulk * opt_bulk_size / 1e6 / figures->bulk_seconds;

  pair_hang_up (&pair);
  confab_session_disconnect (alice.session);
  confab_session_disconnect (bob.session);
  g_clear_object (&alice.session);
  g_clear_object (&bob.session);
  g_clear_error (&pair.call_error);
}

/* The reference: bare webrtcbin, nothing of Confab */

#define RAW_HIGH        (4 * 1024 * 1024)
#define RAW_LOW         (1 * 1024 * 1024)
#define RAW_POLL_MS     20

typedef struct _RawSide RawSide;

struct _RawSide
{
  GstElement           *pipeline;
  GstElement           *webrtcbin;
  GstWebRTCDataChannel *channel;      /* created (caller) or announced (callee) */
  RawSide              *other;
  int                   open;         /* atomic */
  int                   n_strings;    /* atomic */
  gssize                n_bytes;      /* atomic */
  int                   low;          /* atomic: on-buffered-amount-low fired */
};

typedef struct
{
  GstElement *to;
  guint       mline;
  char       *candidate;
} RawCandidate;

static void
raw_candidate_free (gpointer data)
{
  RawCandidate *candidate = data;

  gst_object_unref (candidate->to);
  g_free (candidate->candidate);
  g_free (candidate);
}

static gboolean
raw_candidate_cb (gpointer data)
{
  RawCandidate *candidate = data;

  g_signal_emit_by_name (candidate->to, "add-ice-candidate",
                         candidate->mline, candidate->candidate);
  return G_SOURCE_REMOVE;
}

/* On webrtcbin's thread: over to the main thread, as a signalling
 * server would carry it. */
static void
raw_on_ice_candidate_cb (GstElement *webrtcbin,
                         guint       mline,
                         const char *text,
                         RawSide    *to)
{
  RawCandidate *candidate = g_new0 (RawCandidate, 1);

  candidate->to = gst_object_ref (to->webrtcbin);
  candidate->mline = mline;
  candidate->candidate = g_strdup (text);
  g_idle_add_full (G_PRIORITY_DEFAULT, raw_candidate_cb, candidate, raw_candidate_free);
}

/* The channel callbacks run on GStreamer's threads: they count, and wake
 * the main thread, which reads the counts. */
static void
raw_on_open_cb (GstWebRTCDataChannel *channel,
                RawSide              *side)
{
  g_atomic_int_set (&side->open, TRUE);
  g_main_context_wakeup (NULL);
}

static void
raw_on_message_string_cb (GstWebRTCDataChannel *channel,
                          const char           *text,
                          RawSide              *side)
{
  g_atomic_int_inc (&side->n_strings);
  g_main_context_wakeup (NULL);
}

static void
raw_on_message_data_cb (GstWebRTCDataChannel *channel,
                        GBytes               *bytes,
                        RawSide              *side)
{
  if (bytes != NULL)
    g_atomic_pointer_add (&side->n_bytes, g_bytes_get_size (bytes));
  g_main_context_wakeup (NULL);
}

static void
raw_on_low_cb (GstWebRTCDataChannel *channel,
               RawSide              *side)
{
  g_atomic_int_set (&side->low, TRUE);
  g_main_context_wakeup (NULL);
}

static void
raw_channel_connect (RawSide              *side,
                     GstWebRTCDataChannel *channel)
{
  g_object_set (channel, "buffered-amount-low-threshold", (guint64) RAW_LOW, NULL);
  g_signal_connect (channel, "on-open", G_CALLBACK (raw_on_open_cb), side);
  g_signal_connect (channel, "on-message-string", G_CALLBACK (raw_on_message_string_cb), side);
  g_signal_connect (channel, "on-message-data", G_CALLBACK (raw_on_message_data_cb), side);
  g_signal_connect (channel, "on-buffered-amount-low", G_CALLBACK (raw_on_low_cb), side);
}

static void
raw_on_data_channel_cb (GstElement           *webrtcbin,
                        GstWebRTCDataChannel *channel,
                        RawSide              *side)
{
  GstWebRTCDataChannelState state;

  /* Before the first message can arrive. */
  raw_channel_connect (side, channel);
  side->channel = g_object_ref (channel);

  g_object_get (channel, "ready-state", &state, NULL);
  if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    raw_on_open_cb (channel, side);
}

static void
raw_side_init (RawSide *side,
               RawSide *other)
{
  g_autoptr(GObject) ice = NULL;
  g_autoptr(GObject) agent = NULL;

  side->other = other;
  side->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  side->webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  g_assert (side->webrtcbin != NULL);
  gst_object_ref_sink (side->webrtcbin);
  gst_bin_add (GST_BIN (side->pipeline), side->webrtcbin);
  g_object_set (side->webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);

  /* The one change from webrtcbin as it comes: no UPnP, whose search for
   * a router only fills the log with warnings when several agents of one
   * process try to listen on the same port.  Host candidates on the LAN
   * are all two peers on one machine use. */
  g_object_get (side->webrtcbin, "ice-agent", &ice, NULL);
  if (ice != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    g_object_get (ice, "agent", &agent, NULL);
  if (agent != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);

  g_signal_connect (side->webrtcbin, "on-ice-candidate", G_CALLBACK (raw_on_ice_candidate_cb),
                    other);
  g_signal_connect (side->webrtcbin, "on-data-channel", G_CALLBACK (raw_on_data_channel_cb),
                    side);
  gst_element_set_state (side->pipeline, GST_STATE_PLAYING);
}

static gboolean
raw_closed (gpointer data)
{
  RawSide *side = data;
  GstWebRTCDataChannelState state;

  if (side->channel == NULL)
    return TRUE;

  g_object_get (side->channel, "ready-state", &state, NULL);
  return state == GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;
}

static void
raw_side_clear (RawSide *side)
{
  /* The order webrtcbin 1.22 survives: channels closed, to NULL from
   * the main thread, channels released before their webrtcbin. */
  if (side->channel != NULL)
    g_signal_handlers_disconnect_by_data (side->channel, side);
  g_signal_handlers_disconnect_by_data (side->webrtcbin, side->other);
  g_signal_handlers_disconnect_by_data (side->webrtcbin, side);
  gst_element_set_state (side->pipeline, GST_STATE_NULL);
  g_clear_object (&side->channel);
  gst_clear_object (&side->webrtcbin);
  gst_clear_object (&side->pipeline);
}

static GstWebRTCSessionDescription *
raw_promise_description (GstPromise *promise,
                         const char *field)
{
  GstWebRTCSessionDescription *description = NULL;
  const GstStructure *reply;

  g_assert (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED);
  reply = gst_promise_get_reply (promise);
  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
  g_assert (description != NULL);

  return description;
}

static void
raw_set_description (GstElement                  *webrtcbin,
                     const char                  *signal,
                     GstWebRTCSessionDescription *description)
{
  g_autoptr(GstPromise) promise = gst_promise_new ();

  g_signal_emit_by_name (webrtcbin, signal, description, promise);
  gst_promise_wait (promise);
}

/* Offer and answer, as text, the way they would cross a server. */
static GstWebRTCSessionDescription *
raw_through_text (GstWebRTCSessionDescription *description)
{
  g_autofree char *text = gst_sdp_message_as_text (description->sdp);
  GstSDPMessage *sdp = NULL;

  gst_sdp_message_new_from_text (text, &sdp);
  return gst_webrtc_session_description_new (description->type, sdp);
}

static gboolean
raw_both_open (gpointer data)
{
  RawSide *sides = data;

  return g_atomic_int_get (&sides[0].open) && g_atomic_int_get (&sides[1].open);
}

/* Opens a connection between sides[0] (the caller) and sides[1]; returns
 * the milliseconds from the callee taking the offer to both being open. */
static double
raw_connect (RawSide *sides)
{
  g_autoptr(GstPromise) offer_promise = gst_promise_new ();
  g_autoptr(GstPromise) answer_promise = gst_promise_new ();
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;
  g_autoptr(GstWebRTCSessionDescription) offer_text = NULL;
  g_autoptr(GstWebRTCSessionDescription) answer = NULL;
  g_autoptr(GstWebRTCSessionDescription) answer_text = NULL;
  gint64 start;

  raw_side_init (&sides[0], &sides[1]);
  raw_side_init (&sides[1], &sides[0]);

  g_signal_emit_by_name (sides[0].webrtcbin, "create-data-channel", "reference", NULL,
                         &sides[0].channel);
  g_assert (sides[0].channel != NULL);
  raw_channel_connect (&sides[0], sides[0].channel);

  g_signal_emit_by_name (sides[0].webrtcbin, "create-offer", NULL, offer_promise);
  offer = raw_promise_description (offer_promise, "offer");
  raw_set_description (sides[0].webrtcbin, "set-local-description", offer);
  offer_text = raw_through_text (offer);

  /* The callee accepts here.  Candidates cross through the main loop,
   * which runs only once both descriptions are set. */
  start = g_get_monotonic_time ();
  raw_set_description (sides[1].webrtcbin, "set-remote-description", offer_text);
  g_signal_emit_by_name (sides[1].webrtcbin, "create-answer", NULL, answer_promise);
  answer = raw_promise_description (answer_promise, "answer");
  raw_set_description (sides[1].webrtcbin, "set-local-description", answer);
  answer_text = raw_through_text (answer);
  raw_set_description (sides[0].webrtcbin, "set-remote-description", answer_text);

  wait_for (raw_both_open, sides, "bare webrtcbin to open");
  return ms_since (start);
}

static void
raw_close (RawSide *sides)
{
  for (int i = 0; i < 2; i++)
    {
      GstWebRTCDataChannelState state;

      if (sides[i].channel == NULL)
        continue;
      g_object_get (sides[i].channel, "ready-state", &state, NULL);
      if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
        gst_webrtc_data_channel_close (sides[i].channel);
    }
  wait_for (raw_closed, &sides[0], "bare webrtcbin to close");
  wait_for (raw_closed, &sides[1], "bare webrtcbin to close");
  raw_side_clear (&sides[0]);
  raw_side_clear (&sides[1]);
  memset (sides, 0, 2 * sizeof (RawSide));
}

typedef struct
{
  int *counter;
  int  count;
} RawCount;

static gboolean
raw_count_reached (gpointer data)
{
  RawCount *count = data;

  return g_atomic_int_get (count->counter) >= count->count;
}

static gboolean
raw_bytes_reached (gpointer data)
{
  RawSide *side = data;

  return (gint64) g_atomic_pointer_get (&side->n_bytes) >= (gint64) opt_bulk * opt_bulk_size;
}

static gboolean
raw_low_or_poll (gpointer data)
{
  RawSide *side = data;
  guint64 buffered = 0;

  if (g_atomic_int_get (&side->low))
    return TRUE;
  g_object_get (side->channel, "buffered-amount", &buffered, NULL);
  return buffered < RAW_HIGH;
}

static void
raw_send_bulk (RawSide *side)
{
  guint8 *data = g_malloc (CONFAB_CHANNEL_FRAME_MAX_SIZE);
  g_autoptr(GBytes) piece = NULL;
  gint64 left = (gint64) opt_bulk * opt_bulk_size;
  g_autoptr(GSource) poll = g_timeout_source_new (RAW_POLL_MS);

  /* Keeps the main context waking up while the buffer drains, as the
   * peer's own safety-net poll does. */
  g_source_set_callback (poll, wake_cb, NULL, NULL);
  g_source_attach (poll, NULL);

  /* webrtcbin keeps a reference to what it has not sent yet, so the
   * bytes belong to the GBytes. */
  memset (data, 'r', CONFAB_CHANNEL_FRAME_MAX_SIZE);
  piece = g_bytes_new_take (data, CONFAB_CHANNEL_FRAME_MAX_SIZE);

  while (left > 0)
    {
      guint64 buffered = 0;
      gsize length = MIN (left, CONFAB_CHANNEL_FRAME_MAX_SIZE);
      g_autoptr(GBytes) bytes = g_bytes_new_from_bytes (piece, 0, length);
      g_autoptr(GError) error = NULL;

      g_object_get (side->channel, "buffered-amount", &buffered, NULL);
      if (buffered >= RAW_HIGH)
        {
          g_atomic_int_set (&side->low, FALSE);
          wait_for (raw_low_or_poll, side, "bare webrtcbin to drain");
          continue;
        }

      if (!gst_webrtc_data_channel_send_data_full (side->channel, bytes, &error))
        {
          g_printerr ("bench-channel: bare webrtcbin refused data: %s\n", error->message);
          exit (EXIT_FAILURE);
        }
      left -= length;
    }

  g_source_destroy (poll);
}

static void
measure_reference (Figures *figures)
{
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rtts = g_array_new (FALSE, FALSE, sizeof (double));
  RawSide sides[2] = { { 0 } };
  int warm_up = MIN (10, opt_round_trips);
  gint64 start;
  gint64 cpu = 0;

  for (int i = 0; i < opt_calls; i++)
    {
      double open = raw_connect (sides);

      g_array_append_val (opens, open);
      if (i < opt_calls - 1)
        raw_close (sides);
    }

  figures->calls = opt_calls;
  figures->open_callee_p50 = figures->open_caller_p50 = quantile (opens, 0.5);
  figures->open_callee_max = figures->open_caller_max = quantile (opens, 1.0);
  figures->call_to_open_p50 = -1;

  for (int i = 0; i < warm_up + opt_round_trips; i++)
    {
      RawCount to_b = { &sides[1].n_strings, g_atomic_int_get (&sides[1].n_strings) + 1 };
      RawCount to_a = { &sides[0].n_strings, g_atomic_int_get (&sides[0].n_strings) + 1 };
      double rtt;

      start = g_get_monotonic_time ();
      gst_webrtc_data_channel_send_string_full (sides[0].channel, "ping", NULL);
      wait_for (raw_count_reached, &to_b, "a bare ping");
      gst_webrtc_data_channel_send_string_full (sides[1].channel, "pong", NULL);
      wait_for (raw_count_reached, &to_a, "a bare pong");
      rtt = ms_since (start);
      if (i >= warm_up)
        g_array_append_val (rtts, rtt);
      if (i == warm_up - 1)
        cpu = process_cpu_us ();
    }
  figures->rtt_cpu_us = (process_cpu_us () - cpu) / (double) opt_round_trips;
  figures->round_trips = opt_round_trips;
  figures->rtt_p50 = quantile (rtts, 0.5);
  figures->rtt_p99 = quantile (rtts, 0.99);

  cpu = process_cpu_us ();
  start = g_get_monotonic_time ();
  raw_send_bulk (&sides[0]);
  wait_for (raw_bytes_reached, &sides[1], "the bare bulk bytes");
  figures->bulk_cpu_ms_per_mb = (process_cpu_us () - cpu) / 1000.0 /
                                ((double) opt_bulk * opt_bulk_size / 1e6);
  figures->bulk = opt_bulk;
  figures->bulk_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  figures->bulk_mb_per_s = (double) opt_bulk * opt_bulk_size / 1e6 / figures->bulk_seconds;

  raw_close (sides);
}

/* Output */

static void
json_figures (GString       *json,
              const char    *name,
              const Figures *figures)
{
  g_string_append_printf (json,
                          "\"%s\":{\"calls\":%d,"
                          "\"accept_to_open_callee_p50_ms\":%.2f,"
                          "\"accept_to_open_caller_p50_ms\":%.2f,"
                          "\"accept_to_open_callee_max_ms\":%.2f,"
                          "\"accept_to_open_caller_max_ms\":%.2f,",
                          name, figures->calls,
                          figures->open_callee_p50, figures->open_caller_p50,
                          figures->open_callee_max, figures->open_caller_max);
  if (figures->call_to_open_p50 >= 0)
    g_string_append_printf (json, "\"call_to_open_p50_ms\":%.2f,", figures->call_to_open_p50);
  g_string_append_printf (json,
                          "\"round_trips\":%d,\"rtt_p50_ms\":%.3f,\"rtt_p99_ms\":%.3f,"
                          "\"rtt_cpu_us\":%.0f,"
                          "\"bulk_messages\":%d,\"bulk_bytes\":%" G_GINT64_FORMAT ","
                          "\"bulk_seconds\":%.3f,\"bulk_mb_per_s\":%.2f,"
                          "\"bulk_cpu_ms_per_mb\":%.2f}",
                          figures->round_trips, figures->rtt_p50, figures->rtt_p99,
                          figures->rtt_cpu_us,
                          figures->bulk, (gint64) figures->bulk * opt_bulk_size,
                          figures->bulk_seconds, figures->bulk_mb_per_s,
                          figures->bulk_cpu_ms_per_mb);
}

static void
print_summary (const char    *name,
               const Figures *figures)
{
  printf ("%s\n", name);
  printf ("  accept to open (p50 of %d)  callee %7.1f ms   caller %7.1f ms   (max %.1f / %.1f)\n",
          figures->calls, figures->open_callee_p50, figures->open_caller_p50,
          figures->open_callee_max, figures->open_caller_max);
  if (figures->call_to_open_p50 >= 0)
    printf ("  call to open (p50)           %7.1f ms\n", figures->call_to_open_p50);
  printf ("  round trip (%d)             p50 %.3f ms   p99 %.3f ms   (%.0f µs of CPU each)\n",
          figures->round_trips, figures->rtt_p50, figures->rtt_p99, figures->rtt_cpu_us);
  printf ("  bulk %d x %d bytes      %.1f MB/s (%.2f s; %.1f ms of CPU a MB)\n",
          figures->bulk, opt_bulk_size, figures->bulk_mb_per_s, figures->bulk_seconds,
          figures->bulk_cpu_ms_per_mb);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- connect, chat and send in bulk between two Confab sessions");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{\"bench\":\"bench-channel\",");
  g_autofree char *url = NULL;
  TestServerThread *server = NULL;
  Figures confab = { 0 };
  Figures reference = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-channel: %s\n", error->message);
      return 2;
    }
  if (opt_calls < 1 || opt_round_trips < 1 || opt_bulk < 1 ||
      opt_bulk_size < 128 || opt_bulk_size > CONFAB_CHANNEL_FRAME_MAX_MESSAGE ||
      opt_timeout <= 0)
    {
      g_printerr ("bench-channel: --calls, --round-trips and --bulk must be at least 1, "
                  "--bulk-size between 128 and %d\n", CONFAB_CHANNEL_FRAME_MAX_MESSAGE);
      return 2;
    }

  gst_init (NULL, NULL);

  /* What the app does at start-up: the plugins and the DTLS certificate
   * are ready before the first call, as they are by the time a person
   * clicks "accept".  Given a second, so that the first call times the
   * connection, not the key generation. */
  confab_runtime_prewarm ();
  g_usleep (G_USEC_PER_SEC);

  if (opt_url != NULL)
    {
      url = g_strdup (opt_url);
    }
  else
    {
      /* On a thread of its own, as it would be in a process of its own.
       * The rate limit is for strangers on the Internet; twenty calls in
       * a row, each with a dozen candidates, would run into it. */
      server = test_server_thread_start (0);
      url = test_server_thread_get_url (server);
    }

  measure_sessions (url, &confab);
  if (!opt_no_reference)
    measure_reference (&reference);

  json_figures (json, "confab", &confab);
  if (!opt_no_reference)
    {
      g_string_append_c (json, ',');
      json_figures (json, "webrtcbin", &reference);
    }
  g_string_append (json, "}");

  printf ("%s\n", json->str);
  print_summary ("Confab sessions, through the signalling server", &confab);
  if (!opt_no_reference)
    print_summary ("Bare webrtcbin, the reference", &reference);

  if (server != NULL)
    test_server_thread_stop (server);

  return EXIT_SUCCESS;
}
