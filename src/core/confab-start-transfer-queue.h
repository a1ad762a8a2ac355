/* confab-start-transfer-queue.h: matching transfer_response to start_transfer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Private to src/core: the questions "is this person online?" that one
 * ConfabSignalClient connection has asked with start_transfer and not yet
 * had answered, oldest first.
 *
 * The server answers them in order, but a transfer_response for someone
 * offline names nobody, and a server may drop a request without a word;
 * so an answer naming someone goes to the oldest question about them,
 * and any other to the oldest question of all.
 *
 * A question asked for a GTask (check_online_async()) completes it with
 * the answer, or with an error when the server refuses it, says nothing
 * for ten seconds or the connection ends; one asked through send() has no
 * task and waits as long as the connection lasts, and its answer is the
 * caller's to emit.  A question whose task is cancelled stays queued, so
 * that its answer, which still comes, is not taken for another's.
 *
 * Everything happens on the GMainContext that was the thread-default one
 * when the queue was made. */

#define CONFAB_TYPE_START_TRANSFER_QUEUE (confab_start_transfer_queue_get_type ())

G_DECLARE_FINAL_TYPE (ConfabStartTransferQueue, confab_start_transfer_queue,
                      CONFAB, START_TRANSFER_QUEUE, GObject)

ConfabStartTransferQueue *confab_start_transfer_queue_new      (void);

/* Queues a start_transfer about @peer, asked of the server at @url (for
 * the error sentences).  @task (may be NULL) gets a boolean: whether
 * @peer is online. */
void     confab_start_transfer_queue_push     (ConfabStartTransferQueue  *self,
                                               const char                *url,
                                               const char                *peer,
                                               GTask                     *task,
                                               GCancellable              *cancellable);
/* Takes a transfer_response naming @online_user (NULL: nobody is online)
 * as the answer to the question it belongs to.  Returns TRUE if the
 * answer is for the caller to emit (asked through send(), or answering
 * nothing asked), with the person it is about in *@peer (NULL only when
 * it answers nothing asked and names nobody). */
gboolean confab_start_transfer_queue_answer   (ConfabStartTransferQueue  *self,
                                               const char                *online_user,
                                               char                     **peer);
/* The server refused the oldest question, saying @text. */
void     confab_start_transfer_queue_refuse   (ConfabStartTransferQueue  *self,
                                               const char                *text);
/* No question will be answered now: fails the waiting ones with @error. */
void     confab_start_transfer_queue_fail_all (ConfabStartTransferQueue  *self,
                                               const GError              *error);

G_END_DECLS
