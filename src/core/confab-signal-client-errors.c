/* confab-signal-client-errors.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "confab-protocol-error.h"
#include "confab-signal-client-errors.h"

/* The connection's failures come from GIO, GnuTLS and libsoup in their own
 * words; these say which of them it was in terms of what a person can
 * check: the address, the server, the network, the certificate. */

GError *
_confab_signal_client_error_invalid_url (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL,
                      _("“%s” is not a server address. Enter one like ws://example.com:3000."),
                      url);
}

GError *
_confab_signal_client_error_not_websocket_url (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL,
                      _("“%s” is not a signalling server address: it must start with ws:// or "
                        "wss://, like ws://example.com:3000."),
                      url);
}

gboolean
_confab_signal_client_check_name (const char  *name,
                                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (confab_message_validate_name (name, &local_error))
    return TRUE;

  if (g_error_matches (local_error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_NAME_EMPTY))
    g_set_error_literal (error, CONFAB_SIGNAL_CLIENT_ERROR,
                         CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                         _("Enter a name to sign in with."));
  else if (g_error_matches (local_error, CONFAB_PROTOCOL_ERROR,
                            CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG))
    g_set_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                 _("The name is too long. Choose a name of at most %d bytes."),
                 CONFAB_MESSAGE_MAX_NAME_LENGTH);
  else
    /* Not printed: it may not even be UTF-8. */
    g_set_error_literal (error, CONFAB_SIGNAL_CLIENT_ERROR,
                         CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                         _("The name contains characters that cannot be used. "
                           "Choose a name of letters, digits and punctuation."));

  return FALSE;
}

GError *
_confab_signal_client_error_from_connect (const char   *url,
                                          const char   *host,
                                          const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not reach the server at %s: connection refused. "
                          "Check the address and that the server is running."),
                        url);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not find the server “%s”. "
                          "Check the address and your network connection."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return _confab_signal_client_error_no_answer (url);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                        _("Could not reach the server at %s: %s. Check your network connection."),
                        url, error->message);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("The server at %s sent a certificate that cannot be trusted. "
                          "Check the address, or ask the server’s owner to renew its certificate."),
                        url);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("The server at %s does not offer a secure connection. "
                          "Use an address starting with ws:// instead of wss://."),
                        url);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS,
                        _("Could not make a secure connection to %s: %s. "
                          "Check the address, or use ws:// if the server does not offer wss://."),
                        url, error->message);

  if (error->domain == SOUP_WEBSOCKET_ERROR)
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_A_SERVER,
                        _("The server at %s is not a signalling server: %s. Check the address."),
                        url, error->message);

  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                      _("Could not reach the server at %s: %s. "
                        "Check the address and that the server is running."),
                      url, error->message);
}

/* Nothing came back: no connection, or no pong on one. */
GError *
_confab_signal_client_error_no_answer (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE,
                      _("The server at %s did not answer in time. "
                        "Check the address and your network connection."),
                      url);
}

/* A websocket opened, but store_user got no answer: whatever listens
 * there speaks websockets but not our protocol. */
GError *
_confab_signal_client_error_no_sign_in_answer (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_A_SERVER,
                      _("The server at %s did not answer the sign-in. "
                        "Check that the address is a signalling server."),
                      url);
}

GError *
_confab_signal_client_error_name_taken (const char *url,
                                        const char *name)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN,
                      _("The name “%s” is already taken on %s. "
                        "Choose another name, or sign out where it is in use."),
                      name, url);
}

/* An error reply to store_user, its @code and @text as the server sent
 * them (either may be NULL). */
GError *
_confab_signal_client_error_sign_in_refused (const char *url,
                                             const char *name,
                                             const char *code,
                                             const char *text)
{
  ConfabProtocolError protocol_code;

  if (g_strcmp0 (code, "server-full") == 0)
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                        _("The server at %s is full. Try again later, or use another server."),
                        url);

  if (confab_protocol_error_from_code (code, &protocol_code) &&
      (protocol_code == CONFAB_PROTOCOL_ERROR_NAME_EMPTY ||
       protocol_code == CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG ||
       protocol_code == CONFAB_PROTOCOL_ERROR_NAME_INVALID))
    return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME,
                        _("The server at %s does not accept the name “%s”: %s. "
                          "Choose another name."),
                        url, name, text);

  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                      _("The server at %s refused to sign you in: %s. Try again later."),
                      url, text);
}

GError *
_confab_signal_client_error_closed_before_sign_in (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST,
                      _("The server at %s closed the connection before signing you in. "
                        "Try again later."),
                      url);
}

GError *
_confab_signal_client_error_connection_lost (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST,
                      _("Lost the connection to the server at %s. Reconnecting…"),
                      url);
}

/* Signed out on purpose while the computer sleeps, so that the server
 * frees the name at once rather than when it notices the silence. */
GError *
_confab_signal_client_error_asleep (const char *url)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST,
                      _("Signed out of the server at %s while the computer sleeps. "
                        "Reconnecting when it wakes up…"),
                      url);
}

/* @url: NULL if the client never signed in. */
GError *
_confab_signal_client_error_not_connected (const char *url)
{
  if (url == NULL)
    return g_error_new_literal (CONFAB_SIGNAL_CLIENT_ERROR,
                                CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED,
                                _("Not signed in to a server. Sign in first."));

  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED,
                      _("Not connected to the server at %s. "
                        "Wait until the connection is back, then try again."),
                      url);
}

GError *
_confab_signal_client_error_check_timed_out (const char *url,
                                             const char *peer)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TIMED_OUT,
                      _("The server at %s did not say whether “%s” is online. "
                        "Try again in a moment."),
                      url, peer);
}

GError *
_confab_signal_client_error_check_refused (const char *url,
                                           const char *peer,
                                           const char *text)
{
  return g_error_new (CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_REFUSED,
                      _("The server at %s would not say whether “%s” is online: %s. "
                        "Try again later."),
                      url, peer, text);
}

/* The client went away under a pending call. */
GError *
_confab_signal_client_error_closed (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("The connection to the server was closed."));
}

/* A newer connect_async() took over. */
GError *
_confab_signal_client_error_replaced (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("Signing in again replaced this attempt."));
}

/* disconnect() */
GError *
_confab_signal_client_error_signed_out (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              _("Signed out of the server."));
}

/* connect_async()'s caller cancelled it. */
GError *
_confab_signal_client_error_cancelled (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Signing in was cancelled."));
}
