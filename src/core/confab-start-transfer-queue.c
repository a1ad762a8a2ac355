/* confab-start-transfer-queue.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-signal-client-errors.h"
#include "confab-start-transfer-queue.h"

/* From a start_transfer to its answer. */
#define ANSWER_TIMEOUT_S 10

struct _ConfabStartTransferQueue
{
  GObject       parent_instance;

  GMainContext *context;
  GQueue        questions; /* Question, oldest first */
};

typedef struct
{
  /* Unowned: the queue ends every question before it goes. */
  ConfabStartTransferQueue *queue;
  char                     *url;
  char                     *peer;
  /* check_online_async()'s task; NULL for send()'s, and once answered. */
  GTask                    *task;
  GSource                  *cancel_source;
  GSource                  *timeout_source;
  /* Asked through send(): its answer is the caller's to emit. */
  gboolean                  emit_answer;
} Question;

G_DEFINE_FINAL_TYPE (ConfabStartTransferQueue, confab_start_transfer_queue, G_TYPE_OBJECT)

/* Nobody waits for the answer any more: stop watching for it. */
static void
question_disarm (Question *question)
{
  if (question->cancel_source != NULL)
    g_source_destroy (question->cancel_source);
  if (question->timeout_source != NULL)
    g_source_destroy (question->timeout_source);

  g_clear_pointer (&question->cancel_source, g_source_unref);
  g_clear_pointer (&question->timeout_source, g_source_unref);
}

static void
question_free (Question *question)
{
  question_disarm (question);
  g_clear_object (&question->task);
  g_free (question->url);
  g_free (question->peer);
  g_free (question);
}

/* Answers the question, if anyone still waits for the answer, with
 * @error (taken) or else @online, and frees it. */
static void
question_complete (Question *question,
                   GError   *error,
                   gboolean  online)
{
  g_autoptr(GTask) task = g_steal_pointer (&question->task);

  question_free (question);

  if (task == NULL)
    g_clear_error (&error);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, online);
}

static gboolean
question_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  Question *question = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&question->task);

  g_assert (CONFAB_IS_START_TRANSFER_QUEUE (question->queue));
  g_assert (g_queue_find (&question->queue->questions, question) != NULL);

  /* The answer still comes and must still be matched to this question,
   * so the question stays in the queue, answered already. */
  g_clear_pointer (&question->cancel_source, g_source_unref);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

static gboolean
question_timeout_cb (gpointer user_data)
{
  Question *question = user_data;
  ConfabStartTransferQueue *self = question->queue;

  g_assert (CONFAB_IS_START_TRANSFER_QUEUE (self));

  /* A server that rate-limits may drop a request without a word; without
   * this its question would wait for ever, and hold up the queue. */
  g_clear_pointer (&question->timeout_source, g_source_unref);
  g_queue_remove (&self->questions, question);
  question_complete (question,
                     _confab_signal_client_error_check_timed_out (question->url, question->peer),
                     FALSE);

  return G_SOURCE_REMOVE;
}

static void
confab_start_transfer_queue_dispose (GObject *object)
{
  ConfabStartTransferQueue *self = (ConfabStartTransferQueue *)object;
  g_autoptr(GError) error = NULL;

  error = _confab_signal_client_error_closed ();
  confab_start_transfer_queue_fail_all (self, error);

  G_OBJECT_CLASS (confab_start_transfer_queue_parent_class)->dispose (object);
}

static void
confab_start_transfer_queue_finalize (GObject *object)
{
  ConfabStartTransferQueue *self = (ConfabStartTransferQueue *)object;

  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (confab_start_transfer_queue_parent_class)->finalize (object);
}

static void
confab_start_transfer_queue_class_init (ConfabStartTransferQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = confab_start_transfer_queue_dispose;
  object_class->finalize = confab_start_transfer_queue_finalize;
}

static void
confab_start_transfer_queue_init (ConfabStartTransferQueue *self)
{
  self->context = g_main_context_ref_thread_default ();
  g_queue_init (&self->questions);
}

ConfabStartTransferQueue *
confab_start_transfer_queue_new (void)
{
  return g_object_new (CONFAB_TYPE_START_TRANSFER_QUEUE, NULL);
}

void
confab_start_transfer_queue_push (ConfabStartTransferQueue *self,
                                  const char               *url,
                                  const char               *peer,
                                  GTask                    *task,
                                  GCancellable             *cancellable)
{
  Question *question;

  g_return_if_fail (CONFAB_IS_START_TRANSFER_QUEUE (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (peer != NULL);
  g_return_if_fail (!task || G_IS_TASK (task));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  question = g_new0 (Question, 1);
  question->queue = self;
  question->url = g_strdup (url);
  question->peer = g_strdup (peer);
  question->emit_answer = task == NULL;

  if (task != NULL)
    {
      question->task = g_object_ref (task);
      question->timeout_source = g_timeout_source_new_seconds (ANSWER_TIMEOUT_S);
      g_source_set_callback (question->timeout_source, question_timeout_cb, question, NULL);
      g_source_attach (question->timeout_source, self->context);
    }

  if (cancellable != NULL)
    {
      question->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (question->cancel_source, G_SOURCE_FUNC (question_cancelled_cb),
                             question, NULL);
      g_source_attach (question->cancel_source, self->context);
    }

  g_queue_push_tail (&self->questions, question);
}

/* The question a transfer_response naming @online_user (NULL: nobody)
 * answers, taken out of the queue; NULL if none waits. */
static Question *
confab_start_transfer_queue_pop (ConfabStartTransferQueue *self,
                                 const char               *online_user)
{
  /* An answer that names someone belongs to the oldest question about
   * them, even if an older question's answer was lost on the way. */
  if (online_user != NULL)
    {
      for (GList *l = self->questions.head; l != NULL; l = l->next)
        {
          Question *question = l->data;

          if (g_strcmp0 (question->peer, online_user) == 0)
            {
              g_queue_delete_link (&self->questions, l);
              return question;
            }
        }
    }

  return g_queue_pop_head (&self->questions);
}

gboolean
confab_start_transfer_queue_answer (ConfabStartTransferQueue  *self,
                                    const char                *online_user,
                                    char                     **peer)
{
  Question *question;
  gboolean emit;

  g_return_val_if_fail (CONFAB_IS_START_TRANSFER_QUEUE (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);

  question = confab_start_transfer_queue_pop (self, online_user);
  if (question == NULL)
    {
      *peer = g_strdup (online_user);
      return TRUE;
    }

  /* "Offline" names nobody: the question says whom it is about. */
  *peer = g_strdup (question->peer);
  emit = question->emit_answer;
  question_complete (question, NULL, online_user != NULL);

  return emit;
}

void
confab_start_transfer_queue_refuse (ConfabStartTransferQueue *self,
                                    const char               *text)
{
  Question *question;
  GError *refusal;

  g_return_if_fail (CONFAB_IS_START_TRANSFER_QUEUE (self));

  /* A refused start_transfer is the answer to the oldest one. */
  question = g_queue_pop_head (&self->questions);
  if (question == NULL)
    return;

  refusal = _confab_signal_client_error_check_refused (question->url, question->peer, text);
  question_complete (question, refusal, FALSE);
}

void
confab_start_transfer_queue_fail_all (ConfabStartTransferQueue *self,
                                      const GError             *error)
{
  GQueue questions;
  Question *question;

  g_return_if_fail (CONFAB_IS_START_TRANSFER_QUEUE (self));
  g_return_if_fail (error != NULL);

  /* Callbacks may ask again: those questions wait for the next answers. */
  questions = self->questions;
  g_queue_init (&self->questions);

  while ((question = g_queue_pop_head (&questions)) != NULL)
    question_complete (question, g_error_copy (error), FALSE);
}
