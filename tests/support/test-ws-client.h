/* test-ws-client.h: a libsoup websocket client that records what the
 * server sends it, for tests that speak the signalling protocol by hand
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue                   received;   /* of char *, text frames, oldest first */
  gboolean                 closed;
  GError                  *error;
} TestWsClient;

/* For SoupMessage::accept-certificate: accepts a self-signed certificate
 * when it is @user_data, the GTlsCertificate the server was given. */
gboolean      test_accept_certificate_cb (SoupMessage          *msg,
                                          GTlsCertificate      *certificate,
                                          GTlsCertificateFlags  errors,
                                          gpointer              user_data);

/* Connects to @url and waits for the handshake; returns the client even
 * when it failed (then ->error is set and ->closed is TRUE).  A TLS
 * certificate is accepted only when it is @certificate (may be NULL). */
TestWsClient *test_ws_client_try_connect (SoupSession     *session,
                                          const char      *url,
                                          GTlsCertificate *certificate);
/* As test_ws_client_try_connect(), and asserts that it succeeded. */
TestWsClient *test_ws_client_connect     (SoupSession     *session,
                                          const char      *url);
/* Closes the connection if it is still open. */
void          test_ws_client_free        (TestWsClient    *client);

void          test_ws_client_send        (TestWsClient    *client,
                                          const char      *text);
/* Waits for the next text frame and returns it; fails the test if the
 * connection closes first. */
char         *test_ws_client_receive     (TestWsClient    *client);
void          test_ws_client_expect      (TestWsClient    *client,
                                          const char      *expected);
/* Fails the test if a frame is waiting. */
void          test_ws_client_assert_silent (TestWsClient  *client);
void          test_ws_client_wait_closed (TestWsClient    *client);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestWsClient, test_ws_client_free)

G_END_DECLS
