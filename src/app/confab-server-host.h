/* confab-server-host.h: a signalling server run inside the app
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Runs a ConfabSignalServer on every interface while "enabled", so that
 * two people on one LAN, or a phone with the mobile app, need nothing
 * else.  "address" is what the others type in (ws://LAN-ADDRESS:PORT),
 * "error" a sentence when the port could not be taken. */

#define CONFAB_TYPE_SERVER_HOST (confab_server_host_get_type ())

G_DECLARE_FINAL_TYPE (ConfabServerHost, confab_server_host, CONFAB, SERVER_HOST, GObject)

ConfabServerHost *confab_server_host_new         (void);
gboolean          confab_server_host_get_enabled (ConfabServerHost *self);
void              confab_server_host_set_enabled (ConfabServerHost *self,
                                                  gboolean          enabled);
guint             confab_server_host_get_port    (ConfabServerHost *self);
void              confab_server_host_set_port    (ConfabServerHost *self,
                                                  guint             port);
gboolean          confab_server_host_get_running (ConfabServerHost *self);
const char       *confab_server_host_get_address (ConfabServerHost *self);
const char       *confab_server_host_get_error   (ConfabServerHost *self);

G_END_DECLS
