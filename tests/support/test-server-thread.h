/* test-server-thread.h: a real ConfabSignalServer for tests, on this
 * thread's main context or on a thread of its own
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "confab-signal-server.h"

G_BEGIN_DECLS

/* A ConfabSignalServer listening on @port (0: a free one) of 127.0.0.1,
 * on the thread-default main context; @rate as confab_signal_server_set_rate(),
 * or a negative number for the server's default. */
ConfabSignalServer *test_start_server            (guint               port,
                                                  double              rate);
/* "ws://127.0.0.1:PORT", without a path, as the mobile app writes it. */
char               *test_server_url              (guint               port);
/* Stops @server, lets its clients' close handshakes finish on the
 * thread-default main context, and drops the reference. */
void                test_stop_server             (ConfabSignalServer *server);

/* The server on a thread and main context of its own, as it would be in
 * a process of its own: the test's main context may block or run
 * something else without the server stopping. */
typedef struct _TestServerThread TestServerThread;

TestServerThread   *test_server_thread_start     (double              rate);
guint               test_server_thread_get_port  (TestServerThread   *thread);
char               *test_server_thread_get_url   (TestServerThread   *thread);
/* While frozen the server's thread answers nothing, though its sockets
 * stay open: as when the server's machine drops off the network. */
void                test_server_thread_set_frozen (TestServerThread  *thread,
                                                   gboolean           frozen);
/* Stops the server while this thread's main context keeps running (its
 * clients may live there and must answer the close handshakes), joins the
 * thread and frees @thread. */
void                test_server_thread_stop      (TestServerThread   *thread);

G_END_DECLS
