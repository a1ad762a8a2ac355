/* confab-sign-in-page.h: the server address and name, before anything else
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "confab-server-host.h"
#include "confab-session.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGN_IN_PAGE (confab_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSignInPage, confab_sign_in_page, CONFAB, SIGN_IN_PAGE, AdwBin)

ConfabSession *confab_sign_in_page_get_session (ConfabSignInPage *self);
void           confab_sign_in_page_set_session (ConfabSignInPage *self,
                                                ConfabSession    *session);
/* The server and name signed in with are remembered in @settings (the
 * application's), and the fields start with them. */
GSettings     *confab_sign_in_page_get_settings (ConfabSignInPage *self);
void           confab_sign_in_page_set_settings (ConfabSignInPage *self,
                                                 GSettings        *settings);
/* Tells, under the sign-in button, where the server @server_host runs
 * on this computer can be reached, while it runs. */
void           confab_sign_in_page_set_server_host (ConfabSignInPage *self,
                                                    ConfabServerHost *server_host);
/* Fills in the fields that are given; signs in when @name is given. */
void           confab_sign_in_page_sign_in     (ConfabSignInPage *self,
                                                const char       *url,
                                                const char       *name);

G_END_DECLS
