/* test-outgoing-queue.c: the sending half of a connection, without GStreamer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-channel-frame.h"
#include "confab-outgoing-queue.h"
#include "test-wait.h"

/* A sink that records what it is handed, with a buffered amount and
 * failures the test sets. */

#define TEST_TYPE_SINK (test_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestSink, test_sink, TEST, SINK, GObject)

typedef struct
{
  ConfabOutgoingRoute  route;
  GBytes              *bytes;
} Sent;

struct _TestSink
{
  GObject    parent_instance;

  GArray    *sent;         /* Sent */
  guint64    buffered[2];  /* by route */
  gboolean   open[2];
  gboolean   grow;         /* what is sent stays buffered */
  gboolean   fail_frames;
  gboolean   fail_text;
};

static gboolean
test_sink_is_open (ConfabOutgoingSink  *sink,
                   ConfabOutgoingRoute  route)
{
  return TEST_SINK (sink)->open[route];
}

static guint64
test_sink_get_buffered_amount (ConfabOutgoingSink  *sink,
                               ConfabOutgoingRoute  route)
{
  return TEST_SINK (sink)->buffered[route];
}

static gboolean
record (TestSink             *self,
        ConfabOutgoingRoute   route,
        GBytes               *bytes,
        gboolean              fail,
        GError              **error)
{
  Sent sent = { route, NULL };

  if (fail)
    {
      g_set_error_literal (error, g_quark_from_static_string ("test-sink-error"), 1,
                           "the test says no");
      return FALSE;
    }

  sent.bytes = g_bytes_ref (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), <=, CONFAB_CHANNEL_FRAME_MAX_SIZE);
  g_array_append_val (self->sent, sent);
  if (self->grow)
    self->buffered[route] += g_bytes_get_size (bytes);
  return TRUE;
}

static gboolean
test_sink_send_frame (ConfabOutgoingSink  *sink,
                      GBytes              *frame,
                      GError             **error)
{
  TestSink *self = TEST_SINK (sink);

  return record (self, CONFAB_OUTGOING_ROUTE_FRAMES, frame, self->fail_frames, error);
}

static gboolean
test_sink_send_text (ConfabOutgoingSink  *sink,
                     const char          *text,
                     GError             **error)
{
  TestSink *self = TEST_SINK (sink);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return record (self, CONFAB_OUTGOING_ROUTE_PLAIN, bytes, self->fail_text, error);
}

static void
test_sink_iface_init (ConfabOutgoingSinkInterface *iface)
{
  iface->is_open = test_sink_is_open;
  iface->get_buffered_amount = test_sink_get_buffered_amount;
  iface->send_frame = test_sink_send_frame;
  iface->send_text = test_sink_send_text;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSink, test_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CONFAB_TYPE_OUTGOING_SINK,
                                                      test_sink_iface_init))

static void
sent_clear (gpointer data)
{
  Sent *sent = data;

  g_bytes_unref (sent->bytes);
}

static void
test_sink_finalize (GObject *object)
{
  g_array_unref (TEST_SINK (object)->sent);

  G_OBJECT_CLASS (test_sink_parent_class)->finalize (object);
}

static void
test_sink_class_init (TestSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sink_finalize;
}

static void
test_sink_init (TestSink *self)
{
  self->sent = g_array_new (FALSE, TRUE, sizeof (Sent));
  g_array_set_clear_func (self->sent, sent_clear);
  self->open[CONFAB_OUTGOING_ROUTE_FRAMES] = TRUE;
  self->open[CONFAB_OUTGOING_ROUTE_PLAIN] = TRUE;
}

/* The fixture: a queue on a test sink, and what the queue reported. */

typedef struct
{
  guint64             id;
  ConfabDeliveryState state;
} Report;

typedef struct
{
  TestSink            *sink;
  ConfabOutgoingQueue *queue;
  GArray              *reports;   /* Report */
  guint                n_failed;
} Fixture;

static void
message_state_changed_cb (ConfabOutgoingQueue *queue,
                          guint64              id,
                          ConfabDeliveryState  state,
                          Fixture             *fixture)
{
  Report report = { id, state };

  g_array_append_val (fixture->reports, report);
}

static void
failed_cb (ConfabOutgoingQueue *queue,
           const GError        *error,
           Fixture             *fixture)
{
  g_assert_nonnull (error);
  fixture->n_failed++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->sink = g_object_new (TEST_TYPE_SINK, NULL);
  fixture->queue = confab_outgoing_queue_new (CONFAB_OUTGOING_SINK (fixture->sink));
  fixture->reports = g_array_new (FALSE, FALSE, sizeof (Report));
  g_signal_connect (fixture->queue, "message-state-changed",
                    G_CALLBACK (message_state_changed_cb), fixture);
  g_signal_connect (fixture->queue, "failed", G_CALLBACK (failed_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->queue);
  g_clear_object (&fixture->sink);
  g_clear_pointer (&fixture->reports, g_array_unref);
}

static Sent *
sent_at (Fixture *fixture,
         guint    index)
{
  g_assert_cmpuint (index, <, fixture->sink->sent->len);
  return &g_array_index (fixture->sink->sent, Sent, index);
}

/* Decodes the frame sent at @index; it must have gone on the frames route. */
static void
frame_at (Fixture            *fixture,
          guint               index,
          ConfabChannelFrame *frame)
{
  g_autoptr(GError) error = NULL;
  Sent *sent = sent_at (fixture, index);
  gsize length;
  const guint8 *data = g_bytes_get_data (sent->bytes, &length);

  g_assert_cmpint (sent->route, ==, CONFAB_OUTGOING_ROUTE_FRAMES);
  g_assert_true (confab_channel_frame_decode (data, length, frame, &error));
  g_assert_no_error (error);
}

static ConfabChannelFrameType
frame_type_at (Fixture *fixture,
               guint    index)
{
  ConfabChannelFrame frame;

  frame_at (fixture, index, &frame);
  return frame.type;
}

static void
assert_report (Fixture             *fixture,
               guint                index,
               guint64              id,
               ConfabDeliveryState  state)
{
  g_assert_cmpuint (index, <, fixture->reports->len);
  g_assert_cmpuint (g_array_index (fixture->reports, Report, index).id, ==, id);
  g_assert_cmpint (g_array_index (fixture->reports, Report, index).state, ==, state);
}

static char *
text_of_length (gsize length)
{
  char *text = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    text[i] = 'a' + i % 26;
  text[length] = '\0';

  return text;
}

/* The tests */

static void
test_queue_sends_in_order (Fixture       *fixture,
                           gconstpointer  user_data)
{
  ConfabChannelFrame frame;

  /* Nothing goes out before the connection opens... */
  confab_outgoing_queue_push_text (fixture->queue, 1, "one");
  confab_outgoing_queue_push_text (fixture->queue, 2, "two");
  g_assert_cmpuint (fixture->sink->sent->len, ==, 0);
  g_assert_cmpuint (fixture->reports->len, ==, 0);
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_TEXT), ==, 2);

  /* ...then everything, in order, and after it whatever comes. */
  confab_outgoing_queue_open (fixture->queue, TRUE);
  confab_outgoing_queue_push_text (fixture->queue, 5, "three");

  g_assert_cmpuint (fixture->sink->sent->len, ==, 3);
  frame_at (fixture, 0, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_MESSAGE);
  g_assert_cmpuint (frame.id, ==, 1);
  g_assert_cmpmem (frame.payload, frame.payload_length, "one", 3);
  frame_at (fixture, 2, &frame);
  g_assert_cmpuint (frame.id, ==, 5);
  g_assert_cmpmem (frame.payload, frame.payload_length, "three", 5);

  g_assert_cmpuint (fixture->reports->len, ==, 3);
  assert_report (fixture, 0, 1, CONFAB_DELIVERY_SENT);
  assert_report (fixture, 1, 2, CONFAB_DELIVERY_SENT);
  assert_report (fixture, 2, 5, CONFAB_DELIVERY_SENT);
}

static void
test_queue_chunking_boundaries (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autoptr(ConfabChannelAssembler) assembler = confab_channel_assembler_new ();
  g_autofree char *fits = text_of_length (CONFAB_CHANNEL_FRAME_MAX_TEXT);
  g_autofree char *over = text_of_length (CONFAB_CHANNEL_FRAME_MAX_TEXT + 1);
  g_autofree char *assembled = NULL;
  ConfabChannelFrame frame;
  guint64 id = 0;

  confab_outgoing_queue_open (fixture->queue, TRUE);

  /* The largest text a MESSAGE holds is one frame of exactly 64 KiB. */
  confab_outgoing_queue_push_text (fixture->queue, 1, fits);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (sent_at (fixture, 0)->bytes), ==,
                    CONFAB_CHANNEL_FRAME_MAX_SIZE);
  g_assert_cmpint (frame_type_at (fixture, 0), ==, CONFAB_CHANNEL_FRAME_MESSAGE);

  /* One byte more takes two chunks, the first full. */
  confab_outgoing_queue_push_text (fixture->queue, 2, over);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 3);
  frame_at (fixture, 1, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_CHUNK);
  g_assert_cmpuint (frame.offset, ==, 0);
  g_assert_cmpuint (frame.payload_length, ==, CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA);
  g_assert_null (confab_channel_assembler_add (assembler, &frame, &id, NULL));
  frame_at (fixture, 2, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_CHUNK);
  g_assert_cmpuint (frame.offset, ==, CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA);
  assembled = confab_channel_assembler_add (assembler, &frame, &id, NULL);
  g_assert_cmpstr (assembled, ==, over);
  g_assert_cmpuint (id, ==, 2);

  /* "sent" once the last chunk is handed over, not before. */
  g_assert_cmpuint (fixture->reports->len, ==, 2);
  assert_report (fixture, 1, 2, CONFAB_DELIVERY_SENT);
}

static void
test_queue_plain_splits_between_characters (Fixture       *fixture,
                                            gconstpointer  user_data)
{
  g_autofree char *head = text_of_length (CONFAB_CHANNEL_FRAME_MAX_SIZE - 1);
  g_autofree char *text = g_strconcat (head, "é✓ and the rest", NULL);
  g_autoptr(GString) joined = g_string_new (NULL);

  confab_outgoing_queue_open (fixture->queue, FALSE);
  confab_outgoing_queue_push_text (fixture->queue, 1, text);

  /* The cut falls before "é", whose two bytes straddle 64 KiB. */
  g_assert_cmpuint (fixture->sink->sent->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (sent_at (fixture, 0)->bytes), ==,
                    CONFAB_CHANNEL_FRAME_MAX_SIZE - 1);
  for (guint i = 0; i < fixture->sink->sent->len; i++)
    {
      Sent *sent = sent_at (fixture, i);
      gsize length;
      const char *data = g_bytes_get_data (sent->bytes, &length);

      g_assert_cmpint (sent->route, ==, CONFAB_OUTGOING_ROUTE_PLAIN);
      g_assert_true (g_utf8_validate_len (data, length, NULL));
      g_string_append_len (joined, data, length);
    }
  g_assert_cmpstr (joined->str, ==, text);

  /* The mobile app sends no receipts: "sent" is as far as it goes. */
  confab_outgoing_queue_receipt_received (fixture->queue, 1, TRUE);
  g_assert_cmpuint (fixture->reports->len, ==, 1);
  assert_report (fixture, 0, 1, CONFAB_DELIVERY_SENT);
}

static void
test_queue_moves_to_frames (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autofree char *long_text = text_of_length (CONFAB_CHANNEL_FRAME_MAX_SIZE * 2);

  /* A message under way when the frames route comes finishes as plain
   * text; the next one goes as a frame.  Room for one piece only: */
  fixture->sink->grow = TRUE;
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_PLAIN] = 4 * 1024 * 1024 - 1;
  confab_outgoing_queue_open (fixture->queue, FALSE);
  confab_outgoing_queue_push_text (fixture->queue, 1, long_text);
  confab_outgoing_queue_push_text (fixture->queue, 2, "framed");
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);

  confab_outgoing_queue_open (fixture->queue, TRUE);
  g_assert_true (confab_outgoing_queue_get_framed (fixture->queue));
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_PLAIN] = 0;
  confab_outgoing_queue_buffered_amount_low (fixture->queue);

  g_assert_cmpuint (fixture->sink->sent->len, ==, 3);
  g_assert_cmpint (sent_at (fixture, 0)->route, ==, CONFAB_OUTGOING_ROUTE_PLAIN);
  g_assert_cmpint (sent_at (fixture, 1)->route, ==, CONFAB_OUTGOING_ROUTE_PLAIN);
  g_assert_cmpint (frame_type_at (fixture, 2), ==, CONFAB_CHANNEL_FRAME_MESSAGE);
}

static void
test_queue_flow_control (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *text = text_of_length (CONFAB_CHANNEL_FRAME_MAX_TEXT);
  guint sent;

  fixture->sink->grow = TRUE;
  confab_outgoing_queue_open (fixture->queue, TRUE);

  for (guint64 id = 1; id <= 150; id++)
    confab_outgoing_queue_push_text (fixture->queue, id, text);

  /* Stopped at 4 MiB: 64 frames of 64 KiB. */
  sent = fixture->sink->sent->len;
  g_assert_cmpuint (sent, ==, 64);
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_TEXT), ==, 86);

  /* webrtcbin says the buffer went low: on it goes, to the next stop. */
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 1024 * 1024;
  confab_outgoing_queue_buffered_amount_low (fixture->queue);
  g_assert_cmpuint (fixture->sink->sent->len, ==, sent + 48);

  /* And if it never says so, the poll finds the room. */
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 0;
  test_wait_for ("the poll to send what waits",
                 confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                      CONFAB_OUTGOING_PRIORITY_TEXT) == 0);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 150);
  g_assert_cmpuint (fixture->reports->len, ==, 150);
  assert_report (fixture, 149, 150, CONFAB_DELIVERY_SENT);
}

/* A bulk stream that makes @limit frames tagged with its letter. */
typedef struct
{
  char      tag;
  guint     n_pulled;
  guint     limit;
  gboolean  closed;
  gboolean *freed;
} TestStream;

static GBytes *
test_stream_pull (gpointer user_data)
{
  TestStream *stream = user_data;
  guint8 *data;

  if (stream->n_pulled >= stream->limit)
    return NULL;

  stream->n_pulled++;
  /* An unknown type byte: the queue carries bulk frames without reading them. */
  data = g_malloc (CONFAB_CHANNEL_FRAME_MAX_SIZE);
  memset (data, stream->tag, CONFAB_CHANNEL_FRAME_MAX_SIZE);

  return g_bytes_new_take (data, CONFAB_CHANNEL_FRAME_MAX_SIZE);
}

static void
test_stream_closed (gpointer user_data)
{
  ((TestStream *) user_data)->closed = TRUE;
}

static void
test_stream_free (gpointer user_data)
{
  TestStream *stream = user_data;

  if (stream->freed != NULL)
    *stream->freed = TRUE;
}

static const ConfabOutgoingStreamFuncs test_stream_funcs = {
  test_stream_pull,
  test_stream_closed,
};

static char
tag_at (Fixture *fixture,
        guint    index)
{
  Sent *sent = sent_at (fixture, index);

  g_assert_cmpint (sent->route, ==, CONFAB_OUTGOING_ROUTE_FRAMES);
  return *(const char *) g_bytes_get_data (sent->bytes, NULL);
}

static void
test_queue_priorities (Fixture       *fixture,
                       gconstpointer  user_data)
{
  TestStream bulk = { 'B', 0, G_MAXUINT, FALSE, NULL };
  guint n;

  /* Everything waits behind a full buffer... */
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 4 * 1024 * 1024;
  confab_outgoing_queue_open (fixture->queue, TRUE);
  confab_outgoing_queue_add_stream (fixture->queue, &test_stream_funcs, &bulk, NULL);
  confab_outgoing_queue_push_text (fixture->queue, 1, "text");
  confab_outgoing_queue_push_control (fixture->queue, confab_channel_frame_encode_heartbeat ());
  g_assert_cmpuint (fixture->sink->sent->len, ==, 0);
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_CONTROL), ==, 1);
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_BULK), ==, 1);

  /* ...and goes control first, then text, then bulk, which stops at
   * 2 MiB buffered. */
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 0;
  fixture->sink->grow = TRUE;
  confab_outgoing_queue_buffered_amount_low (fixture->queue);
  g_assert_cmpint (frame_type_at (fixture, 0), ==, CONFAB_CHANNEL_FRAME_HEARTBEAT);
  g_assert_cmpint (frame_type_at (fixture, 1), ==, CONFAB_CHANNEL_FRAME_MESSAGE);
  n = fixture->sink->sent->len;
  g_assert_cmpuint (n, ==, 2 + 32);
  g_assert_cmpint (tag_at (fixture, n - 1), ==, 'B');

  /* Text never waits for bulk: it goes at once, above bulk's mark. */
  confab_outgoing_queue_push_text (fixture->queue, 2, "more text");
  g_assert_cmpuint (fixture->sink->sent->len, ==, n + 1);
  g_assert_cmpint (frame_type_at (fixture, n), ==, CONFAB_CHANNEL_FRAME_MESSAGE);
  assert_report (fixture, 1, 2, CONFAB_DELIVERY_SENT);
}

static void
test_queue_streams_share (Fixture       *fixture,
                          gconstpointer  user_data)
{
  TestStream a = { 'A', 0, 3, FALSE, NULL };
  TestStream b = { 'B', 0, 5, FALSE, NULL };
  gboolean a_freed = FALSE;
  guint a_id;
  guint b_id;

  a.freed = &a_freed;
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 4 * 1024 * 1024;
  confab_outgoing_queue_open (fixture->queue, TRUE);
  a_id = confab_outgoing_queue_add_stream (fixture->queue, &test_stream_funcs, &a, test_stream_free);
  b_id = confab_outgoing_queue_add_stream (fixture->queue, &test_stream_funcs, &b, NULL);
  g_assert_cmpuint (a_id, !=, 0);
  g_assert_cmpuint (a_id, !=, b_id);

  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 0;
  confab_outgoing_queue_buffered_amount_low (fixture->queue);

  /* Frame by frame in turn, the longer one alone at the end. */
  g_assert_cmpuint (fixture->sink->sent->len, ==, 8);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (tag_at (fixture, i), ==, i % 2 == 0 ? 'A' : 'B');
  g_assert_cmpint (tag_at (fixture, 6), ==, 'B');
  g_assert_cmpint (tag_at (fixture, 7), ==, 'B');
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_BULK), ==, 0);

  /* A stream with more to say is woken; one that is done is removed. */
  a.limit = 4;
  confab_outgoing_queue_wake_stream (fixture->queue, a_id);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 9);
  g_assert_cmpint (tag_at (fixture, 8), ==, 'A');
  confab_outgoing_queue_remove_stream (fixture->queue, a_id);
  g_assert_true (a_freed);
  g_assert_false (a.closed);
}

static void
test_queue_receipts (Fixture       *fixture,
                     gconstpointer  user_data)
{
  confab_outgoing_queue_open (fixture->queue, TRUE);

  /* A receipt for what was not sent is ignored. */
  confab_outgoing_queue_receipt_received (fixture->queue, 1, FALSE);
  confab_outgoing_queue_receipt_received (fixture->queue, 1, TRUE);
  g_assert_cmpuint (fixture->reports->len, ==, 0);

  for (guint64 id = 1; id <= 4; id++)
    confab_outgoing_queue_push_text (fixture->queue, id, "hello");
  g_assert_cmpuint (fixture->reports->len, ==, 4);

  /* A version 1 RECEIPT names one message... */
  confab_outgoing_queue_receipt_received (fixture->queue, 2, FALSE);
  g_assert_cmpuint (fixture->reports->len, ==, 5);
  assert_report (fixture, 4, 2, CONFAB_DELIVERY_DELIVERED);

  /* ...an ACK everything up to its id, once each. */
  confab_outgoing_queue_receipt_received (fixture->queue, 3, TRUE);
  g_assert_cmpuint (fixture->reports->len, ==, 7);
  assert_report (fixture, 5, 1, CONFAB_DELIVERY_DELIVERED);
  assert_report (fixture, 6, 3, CONFAB_DELIVERY_DELIVERED);
  confab_outgoing_queue_receipt_received (fixture->queue, 3, TRUE);
  confab_outgoing_queue_receipt_received (fixture->queue, 2, FALSE);
  g_assert_cmpuint (fixture->reports->len, ==, 7);

  confab_outgoing_queue_receipt_received (fixture->queue, 100, TRUE);
  g_assert_cmpuint (fixture->reports->len, ==, 8);
  assert_report (fixture, 7, 4, CONFAB_DELIVERY_DELIVERED);
}

static void
test_queue_acknowledges (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *longest = text_of_length (CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT + 1);
  ConfabChannelFrame frame;

  confab_outgoing_queue_open (fixture->queue, TRUE);

  /* To a version 1 peer, a RECEIPT for each message, at once. */
  confab_outgoing_queue_acknowledge (fixture->queue, 7);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  frame_at (fixture, 0, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_RECEIPT);
  g_assert_cmpuint (frame.id, ==, 7);

  /* To a version 2 peer, one acknowledgement for what came meanwhile,
   * riding on the next message out. */
  confab_outgoing_queue_set_cumulative_receipts (fixture->queue, TRUE);
  confab_outgoing_queue_acknowledge (fixture->queue, 8);
  confab_outgoing_queue_acknowledge (fixture->queue, 9);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  confab_outgoing_queue_push_text (fixture->queue, 1, "reply");
  g_assert_cmpuint (fixture->sink->sent->len, ==, 2);
  frame_at (fixture, 1, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_MESSAGE_ACK);
  g_assert_cmpuint (frame.id, ==, 1);
  g_assert_cmpuint (frame.ack, ==, 9);
  g_assert_cmpmem (frame.payload, frame.payload_length, "reply", 5);

  /* A message too long to carry it leaves it to the timer, which sends
   * it alone when nothing else does. */
  confab_outgoing_queue_acknowledge (fixture->queue, 10);
  confab_outgoing_queue_push_text (fixture->queue, 2, longest);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 3);
  g_assert_cmpint (frame_type_at (fixture, 2), ==, CONFAB_CHANNEL_FRAME_MESSAGE);
  test_wait_for ("a fourth frame", fixture->sink->sent->len >= 4);
  frame_at (fixture, 3, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_ACK);
  g_assert_cmpuint (frame.id, ==, 10);

  /* Back to one receipt a message: what is pending goes first. */
  confab_outgoing_queue_acknowledge (fixture->queue, 11);
  confab_outgoing_queue_set_cumulative_receipts (fixture->queue, FALSE);
  confab_outgoing_queue_acknowledge (fixture->queue, 13);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 6);
  frame_at (fixture, 4, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_ACK);
  g_assert_cmpuint (frame.id, ==, 11);
  frame_at (fixture, 5, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_RECEIPT);
  g_assert_cmpuint (frame.id, ==, 13);
}

static void
test_queue_close_fails_unsent (Fixture       *fixture,
                               gconstpointer  user_data)
{
  TestStream bulk = { 'B', 0, G_MAXUINT, FALSE, NULL };
  TestStream late = { 'L', 0, G_MAXUINT, FALSE, NULL };
  gboolean freed = FALSE;

  bulk.freed = &freed;
  confab_outgoing_queue_open (fixture->queue, TRUE);
  confab_outgoing_queue_push_text (fixture->queue, 1, "sent");
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 4 * 1024 * 1024;
  confab_outgoing_queue_push_text (fixture->queue, 2, "waiting");
  confab_outgoing_queue_push_text (fixture->queue, 3, "waiting too");
  confab_outgoing_queue_push_control (fixture->queue, confab_channel_frame_encode_heartbeat ());
  confab_outgoing_queue_add_stream (fixture->queue, &test_stream_funcs, &bulk, test_stream_free);

  confab_outgoing_queue_close (fixture->queue);
  g_assert_false (confab_outgoing_queue_get_open (fixture->queue));

  /* Every message not handed over is failed, in order; the one handed
   * over stays sent; the stream hears of it. */
  g_assert_cmpuint (fixture->reports->len, ==, 3);
  assert_report (fixture, 0, 1, CONFAB_DELIVERY_SENT);
  assert_report (fixture, 1, 2, CONFAB_DELIVERY_FAILED);
  assert_report (fixture, 2, 3, CONFAB_DELIVERY_FAILED);
  g_assert_true (bulk.closed);
  g_assert_true (freed);
  for (int p = CONFAB_OUTGOING_PRIORITY_CONTROL; p <= CONFAB_OUTGOING_PRIORITY_BULK; p++)
    g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue, p), ==, 0);

  /* Afterwards nothing is taken: text fails at once, a stream is closed. */
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 0;
  confab_outgoing_queue_push_text (fixture->queue, 4, "too late");
  assert_report (fixture, 3, 4, CONFAB_DELIVERY_FAILED);
  confab_outgoing_queue_add_stream (fixture->queue, &test_stream_funcs, &late, NULL);
  g_assert_true (late.closed);
  confab_outgoing_queue_open (fixture->queue, TRUE);
  confab_outgoing_queue_buffered_amount_low (fixture->queue);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  /* A receipt for what was sent before changes nothing now. */
  confab_outgoing_queue_receipt_received (fixture->queue, 1, TRUE);
  g_assert_cmpuint (fixture->reports->len, ==, 4);
}

static void
test_queue_send_last (Fixture       *fixture,
                      gconstpointer  user_data)
{
  ConfabChannelFrame frame;

  confab_outgoing_queue_open (fixture->queue, TRUE);
  confab_outgoing_queue_set_cumulative_receipts (fixture->queue, TRUE);
  confab_outgoing_queue_acknowledge (fixture->queue, 4);
  fixture->sink->buffered[CONFAB_OUTGOING_ROUTE_FRAMES] = 4 * 1024 * 1024;
  confab_outgoing_queue_push_control (fixture->queue, confab_channel_frame_encode_heartbeat ());

  /* Hanging up: what the other side must hear goes, full buffer or not,
   * the acknowledgement first and BYE last. */
  confab_outgoing_queue_send_last (fixture->queue, confab_channel_frame_encode_bye ());
  g_assert_cmpuint (fixture->sink->sent->len, ==, 3);
  frame_at (fixture, 0, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_HEARTBEAT);
  frame_at (fixture, 1, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_ACK);
  g_assert_cmpuint (frame.id, ==, 4);
  g_assert_cmpint (frame_type_at (fixture, 2), ==, CONFAB_CHANNEL_FRAME_BYE);
}

static void
test_queue_sink_refuses (Fixture       *fixture,
                         gconstpointer  user_data)
{
  confab_outgoing_queue_open (fixture->queue, FALSE);

  /* A message the channel refuses is failed, and the next one goes. */
  fixture->sink->fail_text = TRUE;
  confab_outgoing_queue_push_text (fixture->queue, 1, "refused");
  fixture->sink->fail_text = FALSE;
  confab_outgoing_queue_push_text (fixture->queue, 2, "taken");
  g_assert_cmpuint (fixture->reports->len, ==, 2);
  assert_report (fixture, 0, 1, CONFAB_DELIVERY_FAILED);
  assert_report (fixture, 1, 2, CONFAB_DELIVERY_SENT);

  /* A control frame refused means the connection is broken. */
  confab_outgoing_queue_open (fixture->queue, TRUE);
  fixture->sink->fail_frames = TRUE;
  confab_outgoing_queue_push_control (fixture->queue, confab_channel_frame_encode_heartbeat ());
  g_assert_cmpuint (fixture->n_failed, ==, 1);

  /* Control frames need the frames route open; without it they go. */
  fixture->sink->fail_frames = FALSE;
  fixture->sink->open[CONFAB_OUTGOING_ROUTE_FRAMES] = FALSE;
  confab_outgoing_queue_push_control (fixture->queue, confab_channel_frame_encode_heartbeat ());
  confab_outgoing_queue_acknowledge (fixture->queue, 3);
  g_assert_cmpuint (fixture->sink->sent->len, ==, 1);
  g_assert_cmpuint (confab_outgoing_queue_get_n_waiting (fixture->queue,
                                                         CONFAB_OUTGOING_PRIORITY_CONTROL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/outgoing-queue/sends-in-order", test_queue_sends_in_order);
  ADD ("/outgoing-queue/chunking-boundaries", test_queue_chunking_boundaries);
  ADD ("/outgoing-queue/plain-splits-between-characters", test_queue_plain_splits_between_characters);
  ADD ("/outgoing-queue/moves-to-frames", test_queue_moves_to_frames);
  ADD ("/outgoing-queue/flow-control", test_queue_flow_control);
  ADD ("/outgoing-queue/priorities", test_queue_priorities);
  ADD ("/outgoing-queue/streams-share", test_queue_streams_share);
  ADD ("/outgoing-queue/receipts", test_queue_receipts);
  ADD ("/outgoing-queue/acknowledges", test_queue_acknowledges);
  ADD ("/outgoing-queue/close-fails-unsent", test_queue_close_fails_unsent);
  ADD ("/outgoing-queue/send-last", test_queue_send_last);
  ADD ("/outgoing-queue/sink-refuses", test_queue_sink_refuses);

#undef ADD

  return g_test_run ();
}
