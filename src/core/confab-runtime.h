/* confab-runtime.h: what the peers of one process share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Does, ahead of time and on another thread, the work the first
 * connection of a process would otherwise wait for: loading the GStreamer
 * plugins and generating the DTLS certificate every peer of the process
 * shares.  Cheap to call more than once. */
void  confab_runtime_prewarm          (void);
/* Waits for the thread confab_runtime_prewarm() started, if it still runs
 * (a fraction of a second at most).  A program that pre-warmed calls it
 * before it exits: exit() running OpenSSL's cleanup under that thread
 * crashes it.  The last peer of a process calls it too. */
void  confab_runtime_prewarm_join     (void);

/* How many connections of this process are still shutting down (draining,
 * closing their channels); a program about to exit iterates its main
 * context until this is 0 so that its last messages go out. */
guint confab_runtime_get_n_closing    (void);
/* A connection starts, and ends, shutting down: for the code that tears
 * connections down (thread-safe). */
void  confab_runtime_hold_closing     (void);
void  confab_runtime_release_closing  (void);

G_END_DECLS
