/* fuzz-signal-hub.c: libFuzzer target for the server's frame handling
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-message.h"
#include "confab-signal-hub.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* The input is a script, one line a step, so that the seed corpus reads
 * like a conversation:
 *
 *   <client><op><payload>\n
 *
 * <client> picks one of N_CLIENTS connections (by its byte modulo
 * N_CLIENTS); <op> is 'b' for a binary frame, 'x' to disconnect (the
 * next step on that client connects anew), anything else a text frame.
 * A script that starts with 'R' runs under a tight rate limit. */
#define N_CLIENTS 4

typedef struct
{
  ConfabSignalHub       *hub;
  ConfabSignalHubClient *client;
  guint                  index;
  gboolean               closed;
} Fake;

static Fake fakes[N_CLIENTS];
/* Whose frame the hub is handling, to check every relay names it. */
static Fake *current_sender;

static void
fake_send_text (gpointer    user_data,
                const char *text,
                gsize       length)
{
  Fake *fake = user_data;
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *sender_name;

  g_assert (fake->client != NULL);
  g_assert (strlen (text) == length);

  /* Everything the server says, a client can read. */
  message = confab_message_parse (text, length, G_MAXSIZE, NULL, &error);
  g_assert_no_error (error);

  switch (confab_message_get_kind (message))
    {
    case CONFAB_MESSAGE_OFFER_RECEIVED:
    case CONFAB_MESSAGE_ANSWER_RECEIVED:
    case CONFAB_MESSAGE_ICE_CANDIDATE:
    case CONFAB_MESSAGE_OFFER_DECLINED:
    case CONFAB_MESSAGE_PEER_HUNG_UP:
      /* A relay names the connection it came from, whatever it claimed. */
      g_assert (current_sender != NULL && current_sender->client != NULL);
      sender_name = confab_signal_hub_client_get_name (current_sender->client);
      g_assert (sender_name != NULL);
      g_assert (g_strcmp0 (confab_message_get_name (message), sender_name) == 0);
      break;

    case CONFAB_MESSAGE_USER_STORED:
    case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
    case CONFAB_MESSAGE_TRANSFER_RESPONSE:
    case CONFAB_MESSAGE_ERROR:
      /* Answers go to the sender only. */
      g_assert (fake == current_sender);
      break;

    case CONFAB_MESSAGE_STORE_USER:
    case CONFAB_MESSAGE_START_TRANSFER:
    case CONFAB_MESSAGE_CREATE_OFFER:
    case CONFAB_MESSAGE_CREATE_ANSWER:
    case CONFAB_MESSAGE_DECLINE:
    case CONFAB_MESSAGE_HANG_UP:
    case CONFAB_MESSAGE_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static void
fake_close (gpointer    user_data,
            gushort     code,
            const char *reason)
{
  Fake *fake = user_data;

  g_assert (!fake->closed);
  g_assert (code == CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION);
  fake->closed = TRUE;
}

static const ConfabSignalEndpointFuncs fake_funcs = {
  .send_text = fake_send_text,
  .close = fake_close,
};

static void
fake_disconnect (Fake *fake)
{
  if (fake->client == NULL)
    return;

  confab_signal_hub_remove_client (fake->hub, fake->client);
  fake->client = NULL;
  fake->closed = FALSE;
}

static void
fake_connect (Fake *fake)
{
  if (fake->client == NULL)
    fake->client = confab_signal_hub_add_client (fake->hub, &fake_funcs, fake);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  ConfabSignalHub *hub = confab_signal_hub_new ();
  ConfabSignalMetrics *metrics = confab_signal_hub_get_metrics (hub);
  const char *p = (const char *) data;
  const char *end = p + size;

  if (size > 0 && data[0] == 'R')
    {
      confab_signal_hub_set_rate (hub, 0.0001);
      confab_signal_hub_set_burst (hub, 3);
      p++;
    }
  else
    confab_signal_hub_set_rate (hub, 0.0);
  /* Small enough that the fuzzer reaches frame-too-large. */
  confab_signal_hub_set_max_frame (hub, 4096);

  for (guint i = 0; i < N_CLIENTS; i++)
    {
      fakes[i] = (Fake) { .hub = hub, .index = i };
      fake_connect (&fakes[i]);
    }

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *line_end = eol != NULL ? eol : end;
      gsize length = line_end - p;
      Fake *fake;

      if (length >= 2)
        {
          fake = &fakes[(guint8) p[0] % N_CLIENTS];
          fake_connect (fake);

          if (p[1] == 'x')
            fake_disconnect (fake);
          else
            {
              current_sender = fake;
              confab_signal_hub_handle_frame (hub, fake->client, p + 2, length - 2, p[1] == 'b');
              current_sender = NULL;
            }
        }

      p = line_end + 1;
    }

  g_assert (confab_signal_metrics_get_clients_connected (metrics) ==
            confab_signal_hub_get_n_clients (hub));
  g_assert (confab_signal_metrics_get_clients_registered (metrics) ==
            confab_signal_hub_get_n_registered (hub));

  for (guint i = 0; i < N_CLIENTS; i++)
    fake_disconnect (&fakes[i]);

  /* Every name went with its connection. */
  g_assert (confab_signal_hub_get_n_registered (hub) == 0);
  g_assert (confab_signal_hub_get_n_clients (hub) == 0);
  g_assert (confab_signal_metrics_get_clients_registered (metrics) == 0);

  g_object_unref (hub);

  return 0;
}
