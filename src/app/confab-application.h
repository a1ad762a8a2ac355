/* confab-application.h: the application, owner of the session
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-server-host.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_APPLICATION (confab_application_get_type ())

G_DECLARE_FINAL_TYPE (ConfabApplication, confab_application, CONFAB, APPLICATION, AdwApplication)

ConfabApplication *confab_application_new             (void);
ConfabSession     *confab_application_get_session     (ConfabApplication *self);
ConfabServerHost  *confab_application_get_server_host (ConfabApplication *self);
GSettings         *confab_application_get_settings    (ConfabApplication *self);

G_END_DECLS
