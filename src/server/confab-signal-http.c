/* confab-signal-http.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-signal-http.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"

static gboolean
check_method (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);

  return FALSE;
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              char              *body)
{
  /* libsoup 3.2 knows no reason phrase for 426 */
  soup_server_message_set_status (msg, status, status == 426 ? "Upgrade Required" : NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_not_found (SoupServerMessage *msg)
{
  respond_text (msg, SOUP_STATUS_NOT_FOUND, TEXT_PLAIN, g_strdup ("Not found\n"));
}

/* SoupServer hands a handler every path below its own too, hence the
 * exact comparisons. */
static void
healthz_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  if (strcmp (path, "/healthz") != 0)
    respond_not_found (msg);
  else if (check_method (msg))
    respond_text (msg, SOUP_STATUS_OK, TEXT_PLAIN, g_strdup ("ok\n"));
}

static void
metrics_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  ConfabSignalHub *hub = user_data;

  if (strcmp (path, "/metrics") != 0)
    respond_not_found (msg);
  else if (check_method (msg))
    respond_text (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
                  confab_signal_metrics_to_prometheus (confab_signal_hub_get_metrics (hub)));
}

void
confab_signal_http_add_handlers (SoupServer      *soup,
                                 ConfabSignalHub *hub)
{
  g_return_if_fail (SOUP_IS_SERVER (soup));
  g_return_if_fail (CONFAB_IS_SIGNAL_HUB (hub));

  soup_server_add_handler (soup, "/healthz", healthz_cb, NULL, NULL);
  soup_server_add_handler (soup, "/metrics", metrics_cb, hub, NULL);
}

void
confab_signal_http_respond_root (SoupServerMessage *msg,
                                 const char        *path)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (path != NULL);

  if (strcmp (path, "/") != 0)
    respond_not_found (msg);
  else if (check_method (msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Upgrade", "websocket");
      respond_text (msg, 426, TEXT_PLAIN,
                    g_strdup ("confab-signal: connect with a websocket client\n"));
    }
}
