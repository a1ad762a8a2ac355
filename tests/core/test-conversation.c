/* test-conversation.c: ConfabConversation and ConfabChatMessage
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-core-enums.h"
#include "confab-session.h"
#include "test-support.h"

typedef struct
{
  ConfabConversation *conversation;
  GArray             *changes;    /* ItemsChanged, in order */
  GPtrArray          *notified;   /* property names, in order */
} Fixture;

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_items;   /* the model's length when the signal came */
} ItemsChanged;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  Fixture *fixture = user_data;
  ItemsChanged change = { position, removed, added, g_list_model_get_n_items (model) };

  g_array_append_val (fixture->changes, change);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->conversation = confab_conversation_new ("bob");
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (ItemsChanged));
  fixture->notified = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (fixture->conversation, "items-changed", G_CALLBACK (items_changed_cb), fixture);
  g_signal_connect (fixture->conversation, "notify", G_CALLBACK (test_record_notify_cb),
                    fixture->notified);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->conversation);
  g_array_unref (fixture->changes);
  g_ptr_array_unref (fixture->notified);
}

static ConfabChatMessage *
incoming (const char *text)
{
  return confab_chat_message_new (0, CONFAB_CHAT_MESSAGE_INCOMING, "bob", text, NULL);
}

static ConfabChatMessage *
outgoing (guint64     id,
          const char *text)
{
  return confab_chat_message_new (id, CONFAB_CHAT_MESSAGE_OUTGOING, "alice", text, NULL);
}

static void
test_message_properties (void)
{
  g_autoptr(GDateTime) time = g_date_time_new_utc (2026, 1, 2, 3, 4, 5);
  g_autoptr(ConfabChatMessage) sent = NULL;
  g_autoptr(ConfabChatMessage) received = NULL;
  g_autofree char *author = NULL;
  g_autoptr(GDateTime) got_time = NULL;
  ConfabChatMessageDirection direction;
  guint64 id;

  sent = confab_chat_message_new (7, CONFAB_CHAT_MESSAGE_OUTGOING, "alice", "hi", time);
  g_assert_cmpuint (confab_chat_message_get_id (sent), ==, 7);
  g_assert_cmpstr (confab_chat_message_get_author (sent), ==, "alice");
  g_assert_cmpstr (confab_chat_message_get_text (sent), ==, "hi");
  g_assert_true (g_date_time_equal (confab_chat_message_get_time (sent), time));
  g_assert_cmpint (confab_chat_message_get_direction (sent), ==, CONFAB_CHAT_MESSAGE_OUTGOING);
  g_assert_cmpint (confab_chat_message_get_delivery_state (sent), ==, CONFAB_DELIVERY_SENDING);

  /* The same through GObject properties, as a view binds them. */
  g_object_get (sent,
                "id", &id,
                "author", &author,
                "time", &got_time,
                "direction", &direction,
                NULL);
  g_assert_cmpuint (id, ==, 7);
  g_assert_cmpstr (author, ==, "alice");
  g_assert_true (g_date_time_equal (got_time, time));
  g_assert_cmpint (direction, ==, CONFAB_CHAT_MESSAGE_OUTGOING);

  /* No time given means now; what arrived is delivered. */
  received = incoming ("hello");
  g_assert_nonnull (confab_chat_message_get_time (received));
  g_assert_cmpint (confab_chat_message_get_direction (received), ==, CONFAB_CHAT_MESSAGE_INCOMING);
  g_assert_cmpint (confab_chat_message_get_delivery_state (received), ==, CONFAB_DELIVERY_DELIVERED);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_message_delivery_forward_only (void)
{
  g_autoptr(ConfabChatMessage) message = outgoing (1, "hi");
  g_autoptr(ConfabChatMessage) failing = outgoing (2, "lost");
  guint n_notify = 0;

  g_signal_connect (message, "notify::delivery-state", G_CALLBACK (count_notify_cb), &n_notify);

  g_assert_false (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_SENDING));
  g_assert_cmpuint (n_notify, ==, 0);

  g_assert_true (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_SENT));
  g_assert_cmpuint (n_notify, ==, 1);
  g_assert_false (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_SENT));
  g_assert_false (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_SENDING));
  g_assert_cmpuint (n_notify, ==, 1);

  g_assert_true (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_DELIVERED));
  g_assert_cmpuint (n_notify, ==, 2);

  /* A receipt is final: a late "sent" or a failure cannot undo it. */
  g_assert_false (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_SENT));
  g_assert_false (confab_chat_message_set_delivery_state (message, CONFAB_DELIVERY_FAILED));
  g_assert_cmpint (confab_chat_message_get_delivery_state (message), ==, CONFAB_DELIVERY_DELIVERED);
  g_assert_cmpuint (n_notify, ==, 2);

  g_assert_true (confab_chat_message_set_delivery_state (failing, CONFAB_DELIVERY_FAILED));
  g_assert_false (confab_chat_message_set_delivery_state (failing, CONFAB_DELIVERY_DELIVERED));
  g_assert_cmpint (confab_chat_message_get_delivery_state (failing), ==, CONFAB_DELIVERY_FAILED);
}

static void
test_items_changed (Fixture       *fixture,
                    gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->conversation);
  const char *texts[] = { "one", "two", "three", "four" };

  g_assert_true (g_list_model_get_item_type (model) == CONFAB_TYPE_CHAT_MESSAGE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (g_list_model_get_item (model, 0));
  g_assert_null (confab_conversation_get_last_message (fixture->conversation));

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(ConfabChatMessage) message = i % 2 ? outgoing (i + 1, texts[i]) : incoming (texts[i]);

      confab_conversation_append (fixture->conversation, message);
      g_assert_true (confab_conversation_get_last_message (fixture->conversation) == message);
    }

  /* One addition at the end each time, with the item already there. */
  g_assert_cmpuint (fixture->changes->len, ==, G_N_ELEMENTS (texts));
  for (guint i = 0; i < fixture->changes->len; i++)
    {
      ItemsChanged *change = &g_array_index (fixture->changes, ItemsChanged, i);

      g_assert_cmpuint (change->position, ==, i);
      g_assert_cmpuint (change->removed, ==, 0);
      g_assert_cmpuint (change->added, ==, 1);
      g_assert_cmpuint (change->n_items, ==, i + 1);
    }

  /* Items come back in order, as new references. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (texts));
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(ConfabChatMessage) message = g_list_model_get_item (model, i);

      g_assert_cmpstr (confab_chat_message_get_text (message), ==, texts[i]);
    }
  g_assert_null (g_list_model_get_item (model, G_N_ELEMENTS (texts)));

  g_assert_true (test_record_contains (fixture->notified, "n-items"));
  g_assert_true (test_record_contains (fixture->notified, "last-message"));
}

static void
test_unread (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(ConfabChatMessage) first = incoming ("hi");
  g_autoptr(ConfabChatMessage) second = incoming ("there");
  g_autoptr(ConfabChatMessage) own = outgoing (1, "hello");
  g_autoptr(ConfabChatMessage) third = incoming ("again");
  guint unread = 99;

  g_assert_cmpuint (confab_conversation_get_unread_count (fixture->conversation), ==, 0);

  /* Nothing to mark: no notification. */
  confab_conversation_mark_read (fixture->conversation);
  g_assert_false (test_record_contains (fixture->notified, "unread-count"));

  confab_conversation_append (fixture->conversation, first);
  confab_conversation_append (fixture->conversation, second);
  g_assert_cmpuint (confab_conversation_get_unread_count (fixture->conversation), ==, 2);
  g_assert_true (test_record_contains (fixture->notified, "unread-count"));

  /* Our own messages are never unread. */
  g_ptr_array_set_size (fixture->notified, 0);
  confab_conversation_append (fixture->conversation, own);
  g_assert_cmpuint (confab_conversation_get_unread_count (fixture->conversation), ==, 2);
  g_assert_false (test_record_contains (fixture->notified, "unread-count"));

  confab_conversation_mark_read (fixture->conversation);
  g_assert_cmpuint (confab_conversation_get_unread_count (fixture->conversation), ==, 0);
  g_assert_true (test_record_contains (fixture->notified, "unread-count"));

  confab_conversation_append (fixture->conversation, third);
  g_object_get (fixture->conversation, "unread-count", &unread, NULL);
  g_assert_cmpuint (unread, ==, 1);

  /* Reading does not remove anything. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conversation)), ==, 4);
}

static void
test_delivery_by_id (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(ConfabChatMessage) first = outgoing (1, "one");
  g_autoptr(ConfabChatMessage) second = outgoing (2, "two");
  g_autoptr(ConfabChatMessage) reply = incoming ("three");
  g_autoptr(ConfabChatMessage) again = outgoing (1, "after a new call");
  guint n_changes;

  confab_conversation_append (fixture->conversation, first);
  confab_conversation_append (fixture->conversation, second);
  confab_conversation_append (fixture->conversation, reply);
  n_changes = fixture->changes->len;

  g_assert_true (confab_conversation_lookup_message (fixture->conversation, 1) == first);
  g_assert_true (confab_conversation_lookup_message (fixture->conversation, 2) == second);
  g_assert_null (confab_conversation_lookup_message (fixture->conversation, 3));
  /* Incoming messages carry no id, and 0 finds none of them. */
  g_assert_null (confab_conversation_lookup_message (fixture->conversation, 0));

  g_assert_true (confab_conversation_set_delivery_state (fixture->conversation, 2,
                                                         CONFAB_DELIVERY_SENT));
  g_assert_cmpint (confab_chat_message_get_delivery_state (second), ==, CONFAB_DELIVERY_SENT);
  g_assert_cmpint (confab_chat_message_get_delivery_state (first), ==, CONFAB_DELIVERY_SENDING);

  g_assert_true (confab_conversation_set_delivery_state (fixture->conversation, 1,
                                                         CONFAB_DELIVERY_DELIVERED));
  g_assert_cmpint (confab_chat_message_get_delivery_state (first), ==, CONFAB_DELIVERY_DELIVERED);
  g_assert_false (confab_conversation_set_delivery_state (fixture->conversation, 1,
                                                          CONFAB_DELIVERY_SENT));
  g_assert_false (confab_conversation_set_delivery_state (fixture->conversation, 42,
                                                          CONFAB_DELIVERY_SENT));

  /* A state change is the item's own notification, not a list change. */
  g_assert_cmpuint (fixture->changes->len, ==, n_changes);

  /* A new peer connection numbers from 1 again: the id means the newest. */
  confab_conversation_append (fixture->conversation, again);
  g_assert_true (confab_conversation_lookup_message (fixture->conversation, 1) == again);
  g_assert_true (confab_conversation_set_delivery_state (fixture->conversation, 1,
                                                         CONFAB_DELIVERY_FAILED));
  g_assert_cmpint (confab_chat_message_get_delivery_state (again), ==, CONFAB_DELIVERY_FAILED);
  g_assert_cmpint (confab_chat_message_get_delivery_state (first), ==, CONFAB_DELIVERY_DELIVERED);
}

static void
test_state (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *reason = NULL;
  ConfabConversationFailure failure;

  g_assert_cmpstr (confab_conversation_get_peer_name (fixture->conversation), ==, "bob");
  g_assert_cmpint (confab_conversation_get_state (fixture->conversation), ==,
                   CONFAB_CONVERSATION_NEW);
  g_assert_cmpint (confab_conversation_get_failure (fixture->conversation), ==,
                   CONFAB_CONVERSATION_FAILURE_NONE);
  g_assert_null (confab_conversation_get_failure_reason (fixture->conversation));

  confab_conversation_set_state (fixture->conversation, CONFAB_CONVERSATION_CALLING,
                                 CONFAB_CONVERSATION_FAILURE_NONE, NULL);
  g_assert_cmpuint (fixture->notified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->notified, 0), ==, "state");

  /* The same again: nothing changes, nothing is notified. */
  confab_conversation_set_state (fixture->conversation, CONFAB_CONVERSATION_CALLING,
                                 CONFAB_CONVERSATION_FAILURE_NONE, NULL);
  g_assert_cmpuint (fixture->notified->len, ==, 1);

  confab_conversation_set_state (fixture->conversation, CONFAB_CONVERSATION_FAILED,
                                 CONFAB_CONVERSATION_FAILURE_DECLINED, "bob declined.");
  g_assert_cmpint (confab_conversation_get_state (fixture->conversation), ==,
                   CONFAB_CONVERSATION_FAILED);
  g_assert_true (test_record_contains (fixture->notified, "failure"));
  g_assert_true (test_record_contains (fixture->notified, "failure-reason"));
  g_object_get (fixture->conversation,
                "failure", &failure,
                "failure-reason", &reason,
                NULL);
  g_assert_cmpint (failure, ==, CONFAB_CONVERSATION_FAILURE_DECLINED);
  g_assert_cmpstr (reason, ==, "bob declined.");

  /* Calling again clears the old reason with the state. */
  g_ptr_array_set_size (fixture->notified, 0);
  confab_conversation_set_state (fixture->conversation, CONFAB_CONVERSATION_CALLING,
                                 CONFAB_CONVERSATION_FAILURE_NONE, NULL);
  g_assert_cmpuint (fixture->notified->len, ==, 3);
  g_assert_null (confab_conversation_get_failure_reason (fixture->conversation));
}

static void
state_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  ConfabConversation *conversation = CONFAB_CONVERSATION (object);
  gboolean *checked = user_data;

  /* Whoever hears of the new state reads its reason along with it. */
  if (confab_conversation_get_state (conversation) == CONFAB_CONVERSATION_FAILED)
    {
      g_assert_cmpint (confab_conversation_get_failure (conversation), ==,
                       CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE);
      g_assert_cmpstr (confab_conversation_get_failure_reason (conversation), ==, "offline");
      *checked = TRUE;
    }
}

static void
test_state_consistent (Fixture       *fixture,
                       gconstpointer  data)
{
  gboolean checked = FALSE;

  g_signal_connect (fixture->conversation, "notify::state", G_CALLBACK (state_notify_cb), &checked);
  confab_conversation_set_state (fixture->conversation, CONFAB_CONVERSATION_FAILED,
                                 CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE, "offline");
  g_assert_true (checked);
}

static void
test_without_session (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A conversation no session lists (here: never did) has nobody to act
   * through: every call says so, naming the peer, and changes nothing. */
  g_assert_false (confab_conversation_accept (fixture->conversation, &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_assert_nonnull (strstr (error->message, "bob"));
  g_clear_error (&error);

  g_assert_false (confab_conversation_decline (fixture->conversation, &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);

  g_assert_false (confab_conversation_send_text (fixture->conversation, "hello", &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);
  g_clear_error (&error);

  g_assert_false (confab_conversation_hang_up (fixture->conversation, &error));
  g_assert_error (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NO_CONVERSATION);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->conversation)), ==, 0);
  g_assert_cmpint (confab_conversation_get_state (fixture->conversation), ==, CONFAB_CONVERSATION_NEW);
}

static void
test_enums_registered (void)
{
  g_autoptr(GEnumClass) state_class = g_type_class_ref (CONFAB_TYPE_CONVERSATION_STATE);
  g_autoptr(GEnumClass) failure_class = g_type_class_ref (CONFAB_TYPE_CONVERSATION_FAILURE);
  g_autoptr(GEnumClass) direction_class = g_type_class_ref (CONFAB_TYPE_CHAT_MESSAGE_DIRECTION);

  /* Views and .ui files use the nicks. */
  g_assert_cmpint (g_enum_get_value_by_nick (state_class, "open")->value, ==,
                   CONFAB_CONVERSATION_OPEN);
  g_assert_cmpint (g_enum_get_value_by_nick (failure_class, "declined")->value, ==,
                   CONFAB_CONVERSATION_FAILURE_DECLINED);
  g_assert_cmpint (g_enum_get_value_by_nick (direction_class, "outgoing")->value, ==,
                   CONFAB_CHAT_MESSAGE_OUTGOING);
  g_assert_cmpuint (state_class->n_values, ==, CONFAB_CONVERSATION_FAILED + 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conversation/message-properties", test_message_properties);
  g_test_add_func ("/conversation/message-delivery-forward-only",
                   test_message_delivery_forward_only);
  g_test_add ("/conversation/items-changed", Fixture, NULL,
              fixture_set_up, test_items_changed, fixture_tear_down);
  g_test_add ("/conversation/unread", Fixture, NULL,
              fixture_set_up, test_unread, fixture_tear_down);
  g_test_add ("/conversation/delivery-by-id", Fixture, NULL,
              fixture_set_up, test_delivery_by_id, fixture_tear_down);
  g_test_add ("/conversation/state", Fixture, NULL,
              fixture_set_up, test_state, fixture_tear_down);
  g_test_add ("/conversation/state-consistent", Fixture, NULL,
              fixture_set_up, test_state_consistent, fixture_tear_down);
  g_test_add ("/conversation/without-session", Fixture, NULL,
              fixture_set_up, test_without_session, fixture_tear_down);
  g_test_add_func ("/conversation/enums-registered", test_enums_registered);

  return g_test_run ();
}
