/* confab-network-watch.h: when to reconnect at once, and when to let go
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Private to src/core.  A ConfabNetworkWatch tells a connection what the
 * computer around it does: GNetworkMonitor for the network, and logind's
 * PrepareForSleep on the system bus for suspend and resume (as Dino's
 * connection manager listens to them).  Without a system bus (a
 * container, a test) it hears only the network monitor, and says nothing
 * when that has nothing to say.
 *
 * Signals:
 *   online (): the network became available, or the computer woke up: a
 *     connection waiting to try again should try now.
 *   sleeping (): the computer is about to sleep: a connection left open
 *     would go silent without a word to the other end.
 *
 * Both are emitted on the GMainContext that was the thread-default one
 * when the watch was made. */

#define CONFAB_TYPE_NETWORK_WATCH (confab_network_watch_get_type ())

G_DECLARE_FINAL_TYPE (ConfabNetworkWatch, confab_network_watch, CONFAB, NETWORK_WATCH, GObject)

ConfabNetworkWatch *confab_network_watch_new (void);

G_END_DECLS
