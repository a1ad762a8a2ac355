/* confab-signal-log.h: the server's structured log events (private)
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One event, with the fields a journal query or a log shipper keys on:
 * CONFAB_EVENT (connect, register, disconnect, error, ...) and
 * CONFAB_CLIENT (the connection's number).  Callers pass identifiers,
 * codes and counts only: never message contents or SDP.  In the domain
 * meson gives src/server, confab-server. */
static inline void G_GNUC_PRINTF (4, 5)
confab_signal_log (GLogLevelFlags  level,
                   const char     *event,
                   guint64         client_id,
                   const char     *format,
                   ...)
{
  g_autofree char *message = NULL;
  char client[24];
  va_list args;

  g_snprintf (client, sizeof client, "%" G_GUINT64_FORMAT, client_id);
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_log_structured (G_LOG_DOMAIN, level,
                    "CONFAB_EVENT", event,
                    "CONFAB_CLIENT", client,
                    "MESSAGE", "%s", message);
}

G_END_DECLS
