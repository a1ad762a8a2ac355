/* confab-outgoing-queue.h: what one connection has to send, in order of need
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-chat-message.h"
#include "confab-outgoing-sink.h"

G_BEGIN_DECLS

/* A ConfabOutgoingQueue is the sending half of one connection, written
 * against a ConfabOutgoingSink so that it runs (and is tested) without
 * GStreamer.  It holds three kinds of traffic and always sends the most
 * urgent first:
 *
 *   control  receipts, heartbeats: before anything else;
 *   text     chat messages, in the order given: whole MESSAGE frames,
 *            CHUNK frames for longer ones, or (plain route) text cut into
 *            64 KiB pieces between characters;
 *   bulk     streams (file transfer): a frame from each ready stream in
 *            turn, only while no control or text waits, and only up to a
 *            lower buffered amount, so that text finds room at once.
 *
 * Nothing goes out until confab_outgoing_queue_open(); while the sink holds
 * more than 4 MiB (bulk: 2 MiB) unsent the queue waits for
 * confab_outgoing_queue_buffered_amount_low(), or 20 ms as a safety net.
 * confab_outgoing_queue_close() ends it for good: every text message not
 * yet handed over is reported failed, every stream told.
 *
 * Receipts (CHANNEL.md): text sent as frames waits for the other side's
 * RECEIPT or ACK, and is then reported delivered.  What arrives here is
 * acknowledged with confab_outgoing_queue_acknowledge(): to a version 1
 * peer with one RECEIPT a message, to a version 2 peer with one
 * acknowledgement of everything so far, carried on the next message that
 * goes out or sent alone after a short delay.
 *
 * Signals:
 *   message-state-changed (guint64 id, ConfabDeliveryState state): sent
 *     (handed to the sink), delivered or failed, for an id given to
 *     confab_outgoing_queue_push_text().
 *   failed (GError *error): the sink refused a control or bulk frame; the
 *     connection is not usable any more. */

#define CONFAB_TYPE_OUTGOING_QUEUE (confab_outgoing_queue_get_type ())

typedef enum
{
  CONFAB_OUTGOING_PRIORITY_CONTROL, /* receipts, heartbeats */
  CONFAB_OUTGOING_PRIORITY_TEXT,    /* chat messages */
  CONFAB_OUTGOING_PRIORITY_BULK,    /* streams */
} ConfabOutgoingPriority;

/* A bulk stream (a file being sent): the queue pulls its frames when it
 * has room for them. */
typedef struct
{
  /* The next frame (at most 64 KiB, any type the other side expects), or
   * NULL when none is ready yet: the stream then waits for
   * confab_outgoing_queue_wake_stream(). */
  GBytes *(*pull)   (gpointer user_data);
  /* The queue closed: nothing more of the stream will be sent.  May be
   * NULL. */
  void    (*closed) (gpointer user_data);
} ConfabOutgoingStreamFuncs;

G_DECLARE_FINAL_TYPE (ConfabOutgoingQueue, confab_outgoing_queue, CONFAB, OUTGOING_QUEUE, GObject)

/* @sink is not referenced: it must outlive the queue (it owns it).  Timers
 * run on the thread-default main context of the caller. */
ConfabOutgoingQueue *confab_outgoing_queue_new             (ConfabOutgoingSink              *sink);

/* Starts sending: as frames when @framed, plain text otherwise.  Called
 * again with @framed TRUE, it moves from plain text to frames from the
 * next message on (a message under way finishes as it started). */
void                 confab_outgoing_queue_open            (ConfabOutgoingQueue             *self,
                                                            gboolean                         framed);
/* The sink's buffered amount went under its low mark: sends what waits. */
void                 confab_outgoing_queue_buffered_amount_low (ConfabOutgoingQueue         *self);
/* Ends the queue: unsent text is failed, streams are closed, control
 * frames are dropped.  Everything pushed afterwards fails at once. */
void                 confab_outgoing_queue_close           (ConfabOutgoingQueue             *self);
/* Hands the pending acknowledgement, the waiting control frames and
 * @frame to the sink at once, whatever it holds: for the last frame of a
 * connection (BYE), so that nothing the other side should hear is lost. */
void                 confab_outgoing_queue_send_last       (ConfabOutgoingQueue             *self,
                                                            GBytes                          *frame);
gboolean             confab_outgoing_queue_get_open        (ConfabOutgoingQueue             *self);
gboolean             confab_outgoing_queue_get_framed      (ConfabOutgoingQueue             *self);
/* How many items of @priority wait to be handed to the sink. */
guint                confab_outgoing_queue_get_n_waiting   (ConfabOutgoingQueue             *self,
                                                            ConfabOutgoingPriority           priority);

/* Queues @text (UTF-8, not empty) as the message @id: ids are never 0
 * and grow with each message.  Its state changes are reported through
 * "message-state-changed"; after close() it is failed at once. */
void                 confab_outgoing_queue_push_text       (ConfabOutgoingQueue             *self,
                                                            guint64                          id,
                                                            const char                      *text);
/* Queues a control frame (takes @frame) for the frames route. */
void                 confab_outgoing_queue_push_control    (ConfabOutgoingQueue             *self,
                                                            GBytes                          *frame);

/* Whether the other side reads ACK and MESSAGE_ACK frames (it announced
 * version 2); FALSE (the default) acknowledges with one RECEIPT a message.
 * Turning it off sends what is pending first. */
void                 confab_outgoing_queue_set_cumulative_receipts (ConfabOutgoingQueue     *self,
                                                                    gboolean                 cumulative);
/* The message @id from the other side reached the application. */
void                 confab_outgoing_queue_acknowledge     (ConfabOutgoingQueue             *self,
                                                            guint64                          id);
/* A RECEIPT (@up_to FALSE) or an ACK (@up_to TRUE) arrived for @id. */
void                 confab_outgoing_queue_receipt_received (ConfabOutgoingQueue            *self,
                                                             guint64                         id,
                                                             gboolean                        up_to);

/* Adds a bulk stream, ready at once; returns its id (never 0).  The
 * stream lasts until confab_outgoing_queue_remove_stream() or close();
 * @destroy frees @user_data then. */
guint                confab_outgoing_queue_add_stream      (ConfabOutgoingQueue             *self,
                                                            const ConfabOutgoingStreamFuncs *funcs,
                                                            gpointer                         user_data,
                                                            GDestroyNotify                   destroy);
/* The stream has a frame ready again after its pull() returned NULL. */
void                 confab_outgoing_queue_wake_stream     (ConfabOutgoingQueue             *self,
                                                            guint                            stream_id);
void                 confab_outgoing_queue_remove_stream   (ConfabOutgoingQueue             *self,
                                                            guint                            stream_id);

G_END_DECLS
