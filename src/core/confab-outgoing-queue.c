/* confab-outgoing-queue.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-channel-frame.h"
#include "confab-core-base-enums.h"
#include "confab-outgoing-queue.h"

/* Flow control: nothing more is handed to a route holding HIGH bytes; a
 * stream stops at BULK_HIGH, leaving text the room above it.  The retry is
 * a safety net for a "buffered amount low" that never comes. */
#define BUFFERED_HIGH (4 * 1024 * 1024)
#define BULK_HIGH     (2 * 1024 * 1024)
#define RETRY_MS      20
/* How long an acknowledgement waits for a message to ride on.  Long
 * against a round trip on a LAN, short against a person reading. */
#define ACK_DELAY_MS  25

typedef struct
{
  guint64              id;
  char                *text;
  gsize                length;
  gsize                offset;
  ConfabOutgoingRoute  route;
} OutText;

typedef struct
{
  guint                            id;
  const ConfabOutgoingStreamFuncs *funcs;
  gpointer                         user_data;
  GDestroyNotify                   destroy;
  gboolean                         ready;
} Stream;

struct _ConfabOutgoingQueue
{
  GObject             parent_instance;

  ConfabOutgoingSink *sink;      /* not owned: it owns us */
  GMainContext       *context;
  GQueue              control;   /* GBytes */
  GQueue              text;      /* OutText */
  GQueue              streams;   /* Stream; the head has the next turn */
  GArray             *awaiting;  /* guint64 ids sent as frames, in order */
  guint64             last_text_id;
  guint64             pending_ack;
  guint               next_stream_id;
  GSource            *retry_source;
  GSource            *ack_source;

  guint               open : 1;
  guint               framed : 1;
  guint               closed : 1;
  guint               cumulative : 1;
  guint               pumping : 1;
};

G_DEFINE_FINAL_TYPE (ConfabOutgoingQueue, confab_outgoing_queue, G_TYPE_OBJECT)

enum {
  MESSAGE_STATE_CHANGED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump (ConfabOutgoingQueue *self);

static gboolean
retry_cb (gpointer data)
{
  ConfabOutgoingQueue *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  pump (self);

  return G_SOURCE_REMOVE;
}

static void
out_text_free (gpointer data)
{
  OutText *text = data;

  g_free (text->text);
  g_free (text);
}

static void
stream_free (gpointer data)
{
  Stream *stream = data;

  if (stream->destroy != NULL)
    stream->destroy (stream->user_data);
  g_free (stream);
}

/* Timers are made when first needed and not taken back when what they
 * wait for happens sooner: they then fire to find nothing to do.  That
 * costs a wakeup now and then, where making, moving or destroying a
 * source for each message would cost one for each message. */
static void
arm (ConfabOutgoingQueue  *self,
     GSource             **source,
     guint                 msec,
     GSourceFunc           func,
     const char           *name)
{
  if (*source != NULL)
    return;

  *source = g_timeout_source_new (msec);
  g_source_set_callback (*source, func, self, NULL);
  g_source_set_static_name (*source, name);
  g_source_attach (*source, self->context);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
emit_state (ConfabOutgoingQueue *self,
            guint64              id,
            ConfabDeliveryState  state)
{
  g_signal_emit (self, signals[MESSAGE_STATE_CHANGED], 0, id, state);
}

static void
emit_failed (ConfabOutgoingQueue *self,
             const GError        *error)
{
  g_signal_emit (self, signals[FAILED], 0, error);
}

static gboolean
has_room (ConfabOutgoingQueue *self,
          ConfabOutgoingRoute  route,
          guint64              high)
{
  if (confab_outgoing_sink_get_buffered_amount (self->sink, route) < high)
    return TRUE;

  arm (self, &self->retry_source, RETRY_MS, retry_cb, "[confab] outgoing retry");
  return FALSE;
}

/* Acknowledgements */

static void
flush_ack (ConfabOutgoingQueue *self)
{
  guint64 ack = self->pending_ack;

  if (ack == 0)
    return;

  self->pending_ack = 0;
  g_queue_push_tail (&self->control, confab_channel_frame_encode_ack (ack));
}

static gboolean
ack_cb (gpointer data)
{
  ConfabOutgoingQueue *self = data;

  g_clear_pointer (&self->ack_source, g_source_unref);
  flush_ack (self);
  pump (self);

  return G_SOURCE_REMOVE;
}

/* Text */

/* Sends the next piece of @text on its route and advances its offset. */
static gboolean
send_next_piece (ConfabOutgoingQueue  *self,
                 OutText              *text,
                 GError              **error)
{
  g_autoptr(GBytes) frame = NULL;

  if (text->route == CONFAB_OUTGOING_ROUTE_PLAIN)
    {
      /* The mobile app only knows whole text messages: a text over 64 KiB
       * goes as several, cut between characters. */
      gsize end = MIN (text->length, text->offset + CONFAB_CHANNEL_FRAME_MAX_SIZE);
      g_autofree char *piece = NULL;

      while (end < text->length && end > text->offset &&
             ((guchar) text->text[end] & 0xC0) == 0x80)
        end--;

      piece = g_strndup (text->text + text->offset, end - text->offset);
      text->offset = end;

      return confab_outgoing_sink_send_text (self->sink, piece, error);
    }

  if (text->offset == 0 && self->pending_ack != 0 &&
      text->length <= CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT)
    {
      /* The acknowledgement rides on the message: no frame of its own. */
      frame = confab_channel_frame_encode_message_ack (text->id, self->pending_ack,
                                                       text->text, text->length);
      self->pending_ack = 0;
      text->offset = text->length;
    }
  else if (text->offset == 0 && text->length <= CONFAB_CHANNEL_FRAME_MAX_TEXT)
    {
      frame = confab_channel_frame_encode_message (text->id, text->text, text->length);
      text->offset = text->length;
    }
  else
    {
      gsize length = MIN (text->length - text->offset, CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA);

      frame = confab_channel_frame_encode_chunk (text->id, text->length, text->offset,
                                                 (const guint8 *) text->text + text->offset,
                                                 length);
      text->offset += length;
    }

  return confab_outgoing_sink_send_frame (self->sink, frame, error);
}

/* One step of the text at the head.  Returns FALSE to stop pumping. */
static gboolean
pump_text (ConfabOutgoingQueue *self,
           OutText             *text)
{
  g_autoptr(GError) error = NULL;
  ConfabOutgoingRoute route = text->route;
  guint64 id;
  gboolean ok;

  if (text->offset == 0)
    route = self->framed ? CONFAB_OUTGOING_ROUTE_FRAMES : CONFAB_OUTGOING_ROUTE_PLAIN;

  if (!has_room (self, route, BUFFERED_HIGH))
    return FALSE;

  text->route = route;
  ok = send_next_piece (self, text, &error);
  if (ok && text->offset < text->length)
    return TRUE;

  id = text->id;
  g_queue_pop_head (&self->text);
  out_text_free (text);

  if (!ok)
    {
      g_message ("Could not send a message: %s", error->message);
      emit_state (self, id, CONFAB_DELIVERY_FAILED);
    }
  else
    {
      /* The mobile app sends no receipts: plain text stops at "sent". */
      if (route == CONFAB_OUTGOING_ROUTE_FRAMES)
        g_array_append_val (self->awaiting, id);
      emit_state (self, id, CONFAB_DELIVERY_SENT);
    }

  return TRUE;
}

/* Streams */

static Stream *
find_stream (ConfabOutgoingQueue *self,
             guint                stream_id,
             GList              **link)
{
  for (GList *l = self->streams.head; l != NULL; l = l->next)
    {
      Stream *stream = l->data;

      if (stream->id == stream_id)
        {
          if (link != NULL)
            *link = l;
          return stream;
        }
    }

  return NULL;
}

static Stream *
next_ready_stream (ConfabOutgoingQueue *self)
{
  for (GList *l = self->streams.head; l != NULL; l = l->next)
    {
      Stream *stream = l->data;

      if (stream->ready)
        return stream;
    }

  return NULL;
}

/* One frame of the next ready stream, which then goes to the back of the
 * line: streams share the route frame by frame.  Returns FALSE to stop. */
static gboolean
pump_stream (ConfabOutgoingQueue *self,
             Stream              *stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;
  guint stream_id = stream->id;
  GList *link = NULL;

  if (!has_room (self, CONFAB_OUTGOING_ROUTE_FRAMES, BULK_HIGH))
    return FALSE;

  frame = stream->funcs->pull (stream->user_data);

  /* pull() may have removed its own stream. */
  if ((stream = find_stream (self, stream_id, &link)) == NULL)
    return TRUE;

  if (frame == NULL)
    {
      stream->ready = FALSE;
      return TRUE;
    }

  g_queue_unlink (&self->streams, link);
  g_queue_push_tail_link (&self->streams, link);

  if (!confab_outgoing_sink_send_frame (self->sink, frame, &error))
    {
      emit_failed (self, error);
      return FALSE;
    }

  return TRUE;
}

/* Pumping */

static gboolean
pump_control (ConfabOutgoingQueue *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = NULL;

  if (!has_room (self, CONFAB_OUTGOING_ROUTE_FRAMES, BUFFERED_HIGH))
    return FALSE;

  frame = g_queue_pop_head (&self->control);
  if (!confab_outgoing_sink_send_frame (self->sink, frame, &error))
    {
      emit_failed (self, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
pump_one (ConfabOutgoingQueue *self)
{
  OutText *text;
  Stream *stream;

  if (!self->open)
    return FALSE;

  if (!g_queue_is_empty (&self->control))
    {
      /* Control frames only exist on the frames route. */
      if (!confab_outgoing_sink_is_open (self->sink, CONFAB_OUTGOING_ROUTE_FRAMES))
        {
          g_queue_clear_full (&self->control, (GDestroyNotify) g_bytes_unref);
          return TRUE;
        }
      return pump_control (self);
    }

  if ((text = g_queue_peek_head (&self->text)) != NULL)
    return pump_text (self, text);

  if (self->framed && (stream = next_ready_stream (self)) != NULL)
    return pump_stream (self, stream);

  return FALSE;
}

static void
pump (ConfabOutgoingQueue *self)
{
  /* Whoever hears of a state change may queue more, or close us: the
   * outer pump goes on with whatever there is then. */
  if (self->pumping || !self->open)
    return;

  g_object_ref (self);
  self->pumping = TRUE;

  while (pump_one (self))
    ;

  self->pumping = FALSE;
  g_object_unref (self);
}

/* Public API */

ConfabOutgoingQueue *
confab_outgoing_queue_new (ConfabOutgoingSink *sink)
{
  ConfabOutgoingQueue *self;

  g_return_val_if_fail (CONFAB_IS_OUTGOING_SINK (sink), NULL);

  self = g_object_new (CONFAB_TYPE_OUTGOING_QUEUE, NULL);
  self->sink = sink;

  return self;
}

void
confab_outgoing_queue_open (ConfabOutgoingQueue *self,
                            gboolean             framed)
{
  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  if (self->closed)
    return;

  self->open = TRUE;
  self->framed |= !!framed;
  pump (self);
}

void
confab_outgoing_queue_buffered_amount_low (ConfabOutgoingQueue *self)
{
  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  pump (self);
}

void
confab_outgoing_queue_close (ConfabOutgoingQueue *self)
{
  g_autoptr(ConfabOutgoingQueue) hold = NULL;
  GQueue streams = G_QUEUE_INIT;
  Stream *stream;
  OutText *text;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  if (self->closed)
    return;

  hold = g_object_ref (self);
  self->closed = TRUE;
  self->open = FALSE;
  self->pending_ack = 0;
  clear_source (&self->retry_source);
  clear_source (&self->ack_source);
  g_queue_clear_full (&self->control, (GDestroyNotify) g_bytes_unref);
  /* Sent messages stay "sent": whether they arrived, nobody can say. */
  g_array_set_size (self->awaiting, 0);

  streams = self->streams;
  g_queue_init (&self->streams);
  while ((stream = g_queue_pop_head (&streams)) != NULL)
    {
      if (stream->funcs->closed != NULL)
        stream->funcs->closed (stream->user_data);
      stream_free (stream);
    }

  /* None is dropped silently. */
  while ((text = g_queue_pop_head (&self->text)) != NULL)
    {
      guint64 id = text->id;

      out_text_free (text);
      emit_state (self, id, CONFAB_DELIVERY_FAILED);
    }
}

void
confab_outgoing_queue_send_last (ConfabOutgoingQueue *self,
                                 GBytes              *frame)
{
  g_autoptr(GBytes) last = frame;
  GBytes *control;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));
  g_return_if_fail (frame != NULL);

  if (self->closed || !confab_outgoing_sink_is_open (self->sink, CONFAB_OUTGOING_ROUTE_FRAMES))
    return;

  flush_ack (self);
  g_queue_push_tail (&self->control, g_steal_pointer (&last));
  while ((control = g_queue_pop_head (&self->control)) != NULL)
    {
      g_autoptr(GBytes) owned = control;

      /* The end of the connection: an error here changes nothing. */
      confab_outgoing_sink_send_frame (self->sink, owned, NULL);
    }
}

gboolean
confab_outgoing_queue_get_open (ConfabOutgoingQueue *self)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_QUEUE (self), FALSE);

  return self->open;
}

gboolean
confab_outgoing_queue_get_framed (ConfabOutgoingQueue *self)
{
  g_return_val_if_fail (CONFAB_IS_OUTGOING_QUEUE (self), FALSE);

  return self->framed;
}

guint
confab_outgoing_queue_get_n_waiting (ConfabOutgoingQueue    *self,
                                     ConfabOutgoingPriority  priority)
{
  guint n = 0;

  g_return_val_if_fail (CONFAB_IS_OUTGOING_QUEUE (self), 0);

  switch (priority)
    {
    case CONFAB_OUTGOING_PRIORITY_CONTROL:
      return self->control.length + (self->pending_ack != 0 ? 1 : 0);

    case CONFAB_OUTGOING_PRIORITY_TEXT:
      return self->text.length;

    case CONFAB_OUTGOING_PRIORITY_BULK:
      for (GList *l = self->streams.head; l != NULL; l = l->next)
        n += ((Stream *) l->data)->ready ? 1 : 0;
      return n;

    default:
      g_return_val_if_reached (0);
    }
}

void
confab_outgoing_queue_push_text (ConfabOutgoingQueue *self,
                                 guint64              id,
                                 const char          *text)
{
  OutText *out;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));
  g_return_if_fail (id > self->last_text_id);
  g_return_if_fail (text != NULL && text[0] != '\0');

  self->last_text_id = id;

  if (self->closed)
    {
      emit_state (self, id, CONFAB_DELIVERY_FAILED);
      return;
    }

  out = g_new0 (OutText, 1);
  out->id = id;
  out->text = g_strdup (text);
  out->length = strlen (text);
  g_queue_push_tail (&self->text, out);

  pump (self);
}

void
confab_outgoing_queue_push_control (ConfabOutgoingQueue *self,
                                    GBytes              *frame)
{
  g_autoptr(GBytes) owned = frame;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));
  g_return_if_fail (frame != NULL);

  if (self->closed)
    return;

  g_queue_push_tail (&self->control, g_steal_pointer (&owned));
  pump (self);
}

void
confab_outgoing_queue_set_cumulative_receipts (ConfabOutgoingQueue *self,
                                               gboolean             cumulative)
{
  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  cumulative = !!cumulative;
  if (self->cumulative == cumulative)
    return;

  if (!cumulative)
    {
      flush_ack (self);
      pump (self);
    }

  self->cumulative = cumulative;
}

void
confab_outgoing_queue_acknowledge (ConfabOutgoingQueue *self,
                                   guint64              id)
{
  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));
  g_return_if_fail (id != 0);

  if (!self->open || !confab_outgoing_sink_is_open (self->sink, CONFAB_OUTGOING_ROUTE_FRAMES))
    return;

  if (!self->cumulative)
    {
      confab_outgoing_queue_push_control (self, confab_channel_frame_encode_receipt (id));
      return;
    }

  /* Coalesced: whatever arrives before the next message out, or within
   * ACK_DELAY_MS, shares one acknowledgement. */
  self->pending_ack = MAX (self->pending_ack, id);
  arm (self, &self->ack_source, ACK_DELAY_MS, ack_cb, "[confab] outgoing ack");
}

void
confab_outgoing_queue_receipt_received (ConfabOutgoingQueue *self,
                                        guint64              id,
                                        gboolean             up_to)
{
  g_autoptr(ConfabOutgoingQueue) hold = NULL;
  g_autoptr(GArray) delivered = NULL;
  guint n = 0;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  if (up_to)
    {
      while (n < self->awaiting->len && g_array_index (self->awaiting, guint64, n) <= id)
        n++;
    }
  else
    {
      for (guint i = 0; i < self->awaiting->len; i++)
        {
          if (g_array_index (self->awaiting, guint64, i) == id)
            {
              g_array_remove_index (self->awaiting, i);
              hold = g_object_ref (self);
              emit_state (self, id, CONFAB_DELIVERY_DELIVERED);
              return;
            }
        }
    }

  /* A receipt for something not awaited is ignored (CHANNEL.md). */
  if (n == 0)
    return;

  /* Taken out before anyone hears of it: a handler may send more. */
  delivered = g_array_sized_new (FALSE, FALSE, sizeof (guint64), n);
  g_array_append_vals (delivered, self->awaiting->data, n);
  g_array_remove_range (self->awaiting, 0, n);

  hold = g_object_ref (self);
  for (guint i = 0; i < delivered->len; i++)
    emit_state (self, g_array_index (delivered, guint64, i), CONFAB_DELIVERY_DELIVERED);
}

guint
confab_outgoing_queue_add_stream (ConfabOutgoingQueue             *self,
                                  const ConfabOutgoingStreamFuncs *funcs,
                                  gpointer                         user_data,
                                  GDestroyNotify                   destroy)
{
  Stream *stream;

  g_return_val_if_fail (CONFAB_IS_OUTGOING_QUEUE (self), 0);
  g_return_val_if_fail (funcs != NULL && funcs->pull != NULL, 0);

  stream = g_new0 (Stream, 1);
  stream->id = ++self->next_stream_id;
  stream->funcs = funcs;
  stream->user_data = user_data;
  stream->destroy = destroy;
  stream->ready = TRUE;

  if (self->closed)
    {
      guint stream_id = stream->id;

      if (funcs->closed != NULL)
        funcs->closed (user_data);
      stream_free (stream);
      return stream_id;
    }

  g_queue_push_tail (&self->streams, stream);
  pump (self);

  return stream->id;
}

void
confab_outgoing_queue_wake_stream (ConfabOutgoingQueue *self,
                                   guint                stream_id)
{
  Stream *stream;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  if ((stream = find_stream (self, stream_id, NULL)) == NULL || stream->ready)
    return;

  stream->ready = TRUE;
  pump (self);
}

void
confab_outgoing_queue_remove_stream (ConfabOutgoingQueue *self,
                                     guint                stream_id)
{
  GList *link = NULL;
  Stream *stream;

  g_return_if_fail (CONFAB_IS_OUTGOING_QUEUE (self));

  if ((stream = find_stream (self, stream_id, &link)) == NULL)
    return;

  g_queue_delete_link (&self->streams, link);
  stream_free (stream);
}

/* GObject */

static void
confab_outgoing_queue_dispose (GObject *object)
{
  ConfabOutgoingQueue *self = (ConfabOutgoingQueue *) object;

  clear_source (&self->retry_source);
  clear_source (&self->ack_source);
  g_queue_clear_full (&self->control, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&self->text, out_text_free);
  g_queue_clear_full (&self->streams, stream_free);

  G_OBJECT_CLASS (confab_outgoing_queue_parent_class)->dispose (object);
}

static void
confab_outgoing_queue_finalize (GObject *object)
{
  ConfabOutgoingQueue *self = (ConfabOutgoingQueue *) object;

  g_clear_pointer (&self->awaiting, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (confab_outgoing_queue_parent_class)->finalize (object);
}

static void
confab_outgoing_queue_class_init (ConfabOutgoingQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_outgoing_queue_dispose;
  object_class->finalize = confab_outgoing_queue_finalize;

  signals[MESSAGE_STATE_CHANGED] =
    g_signal_new ("message-state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT64, CONFAB_TYPE_DELIVERY_STATE);

  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
confab_outgoing_queue_init (ConfabOutgoingQueue *self)
{
  g_queue_init (&self->control);
  g_queue_init (&self->text);
  g_queue_init (&self->streams);
  self->awaiting = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->context = g_main_context_ref_thread_default ();
}
