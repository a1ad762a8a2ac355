/* test-ws-client.c: a libsoup websocket client that records what it gets
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "test-wait.h"
#include "test-ws-client.h"

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  TestWsClient *client = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_queue_push_tail (&client->received, g_strndup (data, length));
}

static void
closed_cb (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  TestWsClient *client = user_data;

  client->closed = TRUE;
}

gboolean
test_accept_certificate_cb (SoupMessage          *msg,
                            GTlsCertificate      *certificate,
                            GTlsCertificateFlags  errors,
                            gpointer              user_data)
{
  GTlsCertificate *expected = user_data;

  /* Self-signed: accept it when it is the one the server was given. */
  return expected != NULL && g_tls_certificate_is_same (certificate, expected);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestWsClient *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result,
                                                      &client->error);
  if (client->ws == NULL)
    client->closed = TRUE;
}

TestWsClient *
test_ws_client_try_connect (SoupSession     *session,
                            const char      *url,
                            GTlsCertificate *certificate)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  TestWsClient *client = g_new0 (TestWsClient, 1);

  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (test_accept_certificate_cb),
                    certificate);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connect_cb, client);
  test_wait_for ("the websocket handshake", client->ws != NULL || client->error != NULL);

  if (client->ws != NULL)
    {
      g_signal_connect (client->ws, "message", G_CALLBACK (message_cb), client);
      g_signal_connect (client->ws, "closed", G_CALLBACK (closed_cb), client);
    }

  return client;
}

TestWsClient *
test_ws_client_connect (SoupSession *session,
                        const char  *url)
{
  TestWsClient *client = test_ws_client_try_connect (session, url, NULL);

  g_assert_no_error (client->error);

  return client;
}

void
test_ws_client_free (TestWsClient *client)
{
  if (client->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (client->ws, client);
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&client->ws);
    }
  g_queue_clear_full (&client->received, g_free);
  g_clear_error (&client->error);
  g_free (client);
}

void
test_ws_client_send (TestWsClient *client,
                     const char   *text)
{
  soup_websocket_connection_send_text (client->ws, text);
}

char *
test_ws_client_receive (TestWsClient *client)
{
  test_wait_for ("a message", client->received.length > 0 || client->closed);
  g_assert_cmpuint (client->received.length, >, 0);

  return g_queue_pop_head (&client->received);
}

void
test_ws_client_expect (TestWsClient *client,
                       const char   *expected)
{
  g_autofree char *text = test_ws_client_receive (client);

  g_assert_cmpstr (text, ==, expected);
}

void
test_ws_client_assert_silent (TestWsClient *client)
{
  if (client->received.length > 0)
    g_error ("Unexpected message: %s", (char *) g_queue_peek_head (&client->received));
}

void
test_ws_client_wait_closed (TestWsClient *client)
{
  test_wait_for ("the connection to close", client->closed);
}
