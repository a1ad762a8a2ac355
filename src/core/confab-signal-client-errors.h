/* confab-signal-client-errors.h: what ConfabSignalClient tells people
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-signal-client.h"

G_BEGIN_DECLS

/* Private to src/core.  Every error the signalling client reports, worded
 * in one place: each is a sentence a person can act on, naming the
 * server as they wrote it (@url) and saying what to check or do next.
 * Each returns a new CONFAB_SIGNAL_CLIENT_ERROR (or G_IO_ERROR_CANCELLED)
 * GError. */

/* The address and the name, checked before any network. */
GError   *_confab_signal_client_error_invalid_url          (const char   *url);
GError   *_confab_signal_client_error_not_websocket_url    (const char   *url);
gboolean  _confab_signal_client_check_name                 (const char   *name,
                                                            GError      **error);

/* Connecting and signing in. */
GError   *_confab_signal_client_error_from_connect         (const char   *url,
                                                            const char   *host,
                                                            const GError *error);
GError   *_confab_signal_client_error_no_answer            (const char   *url);
GError   *_confab_signal_client_error_no_sign_in_answer    (const char   *url);
GError   *_confab_signal_client_error_name_taken           (const char   *url,
                                                            const char   *name);
GError   *_confab_signal_client_error_sign_in_refused      (const char   *url,
                                                            const char   *name,
                                                            const char   *code,
                                                            const char   *text);
GError   *_confab_signal_client_error_closed_before_sign_in (const char  *url);

/* Staying signed in. */
GError   *_confab_signal_client_error_connection_lost      (const char   *url);
GError   *_confab_signal_client_error_asleep               (const char   *url);
GError   *_confab_signal_client_error_not_connected        (const char   *url);

/* Asking whether someone is online. */
GError   *_confab_signal_client_error_check_timed_out      (const char   *url,
                                                            const char   *peer);
GError   *_confab_signal_client_error_check_refused        (const char   *url,
                                                            const char   *peer,
                                                            const char   *text);

/* Why something under way was called off (G_IO_ERROR_CANCELLED). */
GError   *_confab_signal_client_error_closed               (void);
GError   *_confab_signal_client_error_replaced             (void);
GError   *_confab_signal_client_error_signed_out           (void);
GError   *_confab_signal_client_error_cancelled            (void);

G_END_DECLS
