/* test-start-transfer-queue.c: matching transfer_response to start_transfer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-signal-client.h"
#include "confab-start-transfer-queue.h"
#include "test-support.h"

/* The answers a server gives are written here as they come: the queue
 * needs no connection to be asked what it makes of them (the signal
 * client's tests ask the same through a real server). */

#define URL "ws://127.0.0.1:3000"

/* A check_online_async() question: its task, and where its result lands. */
typedef struct
{
  GTask        *task;
  GAsyncResult *result;
} Question;

static void
question_ask (Question                 *question,
              ConfabStartTransferQueue *queue,
              const char               *peer,
              GCancellable             *cancellable)
{
  question->task = g_task_new (NULL, cancellable, test_store_result_cb, &question->result);
  confab_start_transfer_queue_push (queue, URL, peer, question->task, cancellable);
}

/* The answer, TRUE for online; FALSE with @error when it failed. */
static gboolean
question_wait (Question  *question,
               GError   **error)
{
  gboolean online;

  online = g_task_propagate_boolean (G_TASK (test_wait_for_result (&question->result)), error);
  g_clear_object (&question->result);
  g_clear_object (&question->task);

  return online;
}

/* Answers @online_user and checks what the queue says of it. */
static void
assert_answer (ConfabStartTransferQueue *queue,
               const char               *online_user,
               gboolean                  expect_emit,
               const char               *expect_peer)
{
  g_autofree char *peer = NULL;

  g_assert_cmpint (confab_start_transfer_queue_answer (queue, online_user, &peer), ==, expect_emit);
  g_assert_cmpstr (peer, ==, expect_peer);
}

static void
test_in_order (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();
  g_autoptr(GError) error = NULL;
  Question bob = { 0, }, carol = { 0, };

  question_ask (&bob, queue, "bob", NULL);
  question_ask (&carol, queue, "carol", NULL);

  /* Answers to check_online_async() are its own, never emitted. */
  assert_answer (queue, "bob", FALSE, "bob");
  assert_answer (queue, NULL, FALSE, "carol");

  g_assert_true (question_wait (&bob, &error));
  g_assert_no_error (error);
  g_assert_false (question_wait (&carol, &error));
  g_assert_no_error (error);
}

static void
test_named_answer_skips_lost_one (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();
  g_autoptr(GError) error = NULL;
  Question bob = { 0, }, carol = { 0, };

  question_ask (&bob, queue, "bob", NULL);
  question_ask (&carol, queue, "carol", NULL);

  /* An answer naming carol is carol's, even before bob's came... */
  assert_answer (queue, "carol", FALSE, "carol");
  g_assert_true (question_wait (&carol, &error));
  g_assert_no_error (error);

  /* ...and bob's question still waits for its own. */
  g_assert_null (bob.result);
  assert_answer (queue, NULL, FALSE, "bob");
  g_assert_false (question_wait (&bob, &error));
  g_assert_no_error (error);
}

static void
test_sent_questions_emit (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();

  /* Asked through send(): no task, and the answer is the caller's to
   * emit, about whom it asked even when it names nobody. */
  confab_start_transfer_queue_push (queue, URL, "carol", NULL, NULL);
  confab_start_transfer_queue_push (queue, URL, "bob", NULL, NULL);
  assert_answer (queue, NULL, TRUE, "carol");
  assert_answer (queue, "bob", TRUE, "bob");

  /* An answer to nothing asked is emitted too, as it names. */
  assert_answer (queue, "dave", TRUE, "dave");
  assert_answer (queue, NULL, TRUE, NULL);
}

static void
test_cancelled_stays_queued (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Question bob = { 0, }, carol = { 0, };

  question_ask (&bob, queue, "bob", cancellable);
  question_ask (&carol, queue, "carol", NULL);
  g_cancellable_cancel (cancellable);

  g_assert_false (question_wait (&bob, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The answer to bob's question still comes, and is not carol's. */
  assert_answer (queue, NULL, FALSE, "bob");
  g_assert_null (carol.result);
  assert_answer (queue, "carol", FALSE, "carol");
  g_assert_true (question_wait (&carol, &error));
  g_assert_no_error (error);
}

static void
test_refused (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();
  g_autoptr(GError) error = NULL;
  Question bob = { 0, }, carol = { 0, };

  question_ask (&bob, queue, "bob", NULL);
  question_ask (&carol, queue, "carol", NULL);

  /* A refusal is the oldest question's answer, in a sentence. */
  confab_start_transfer_queue_refuse (queue, "too many requests");
  g_assert_false (question_wait (&bob, &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, URL));
  g_assert_nonnull (strstr (error->message, "“bob”"));
  g_assert_nonnull (strstr (error->message, "too many requests"));
  g_clear_error (&error);

  g_assert_null (carol.result);
  assert_answer (queue, "carol", FALSE, "carol");
  g_assert_true (question_wait (&carol, &error));
  g_assert_no_error (error);

  /* Refusing with nothing asked refuses nothing. */
  confab_start_transfer_queue_refuse (queue, "too many requests");
  assert_answer (queue, NULL, TRUE, NULL);
}

static void
test_fail_all (void)
{
  g_autoptr(ConfabStartTransferQueue) queue = confab_start_transfer_queue_new ();
  g_autoptr(GError) lost = NULL;
  g_autoptr(GError) error = NULL;
  Question bob = { 0, }, carol = { 0, };

  question_ask (&bob, queue, "bob", NULL);
  confab_start_transfer_queue_push (queue, URL, "dave", NULL, NULL);
  question_ask (&carol, queue, "carol", NULL);

  lost = g_error_new_literal (CONFAB_SIGNAL_CLIENT_ERROR,
                              CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST, "Lost it.");
  confab_start_transfer_queue_fail_all (queue, lost);

  g_assert_false (question_wait (&bob, &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST);
  g_clear_error (&error);
  g_assert_false (question_wait (&carol, &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST);

  /* Nothing of them is left to take a later answer. */
  assert_answer (queue, NULL, TRUE, NULL);
}

static void
test_dispose_fails_questions (void)
{
  ConfabStartTransferQueue *queue = confab_start_transfer_queue_new ();
  g_autoptr(GError) error = NULL;
  Question bob = { 0, };

  question_ask (&bob, queue, "bob", NULL);
  g_assert_finalize_object (queue);

  g_assert_false (question_wait (&bob, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/start-transfer-queue/in-order", test_in_order);
  g_test_add_func ("/start-transfer-queue/named-answer-skips-lost-one",
                   test_named_answer_skips_lost_one);
  g_test_add_func ("/start-transfer-queue/sent-questions-emit", test_sent_questions_emit);
  g_test_add_func ("/start-transfer-queue/cancelled-stays-queued", test_cancelled_stays_queued);
  g_test_add_func ("/start-transfer-queue/refused", test_refused);
  g_test_add_func ("/start-transfer-queue/fail-all", test_fail_all);
  g_test_add_func ("/start-transfer-queue/dispose-fails-questions", test_dispose_fails_questions);

  return g_test_run ();
}
