/* confab-signal-hub.h: who is connected, and where each message goes
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-protocol-error.h"
#include "confab-signal-metrics.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGNAL_HUB (confab_signal_hub_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSignalHub, confab_signal_hub, CONFAB, SIGNAL_HUB, GObject)

/* The hub routes; it owns no sockets.  ConfabSignalServer registers each
 * websocket as a client, tests and the fuzzer register fakes.  A plain
 * table of functions rather than a GInterface: one static table serves
 * every connection, and a relay calls it without a type lookup. */
typedef struct
{
  /* Send one text frame.  @text is nul-terminated, @length bytes. */
  void (*send_text) (gpointer    user_data,
                     const char *text,
                     gsize       length);
  /* Close the connection with a websocket close code and reason.  The
   * endpoint still calls confab_signal_hub_remove_client() once it is
   * closed; until then the hub ignores its frames. */
  void (*close)     (gpointer    user_data,
                     gushort     code,
                     const char *reason);
} ConfabSignalEndpointFuncs;

typedef struct _ConfabSignalHubClient ConfabSignalHubClient;

/* RFC 6455's "policy violation": used for flooding and a full server.
 * (1013 "try again later" would fit a full server better, but libsoup 3.2
 * refuses to send it and sends 1002 instead.) */
#define CONFAB_SIGNAL_CLOSE_POLICY_VIOLATION 1008

ConfabSignalHub       *confab_signal_hub_new              (void);

guint                  confab_signal_hub_get_max_frame    (ConfabSignalHub *self);
void                   confab_signal_hub_set_max_frame    (ConfabSignalHub *self,
                                                           guint            max_frame);
double                 confab_signal_hub_get_rate         (ConfabSignalHub *self);
void                   confab_signal_hub_set_rate         (ConfabSignalHub *self,
                                                           double           rate);
guint                  confab_signal_hub_get_burst        (ConfabSignalHub *self);
void                   confab_signal_hub_set_burst        (ConfabSignalHub *self,
                                                           guint            burst);
ConfabSignalMetrics   *confab_signal_hub_get_metrics      (ConfabSignalHub *self);
guint                  confab_signal_hub_get_n_clients    (ConfabSignalHub *self);
guint                  confab_signal_hub_get_n_registered (ConfabSignalHub *self);

/* @funcs must outlive the client (a static table). */
ConfabSignalHubClient *confab_signal_hub_add_client       (ConfabSignalHub                 *self,
                                                           const ConfabSignalEndpointFuncs *funcs,
                                                           gpointer                         user_data);
/* Frees the client's name at once. */
void                   confab_signal_hub_remove_client    (ConfabSignalHub                 *self,
                                                           ConfabSignalHubClient           *client);
/* One websocket frame from @client: text, or binary when @binary. */
void                   confab_signal_hub_handle_frame     (ConfabSignalHub                 *self,
                                                           ConfabSignalHubClient           *client,
                                                           const char                      *data,
                                                           gsize                            length,
                                                           gboolean                         binary);
/* Answers @client with an error (for conditions found outside the hub,
 * such as a full server). */
void                   confab_signal_hub_send_error       (ConfabSignalHub                 *self,
                                                           ConfabSignalHubClient           *client,
                                                           ConfabProtocolError              code,
                                                           const char                      *message,
                                                           const char                      *ref);
/* The client registered under @name, or NULL. */
ConfabSignalHubClient *confab_signal_hub_lookup           (ConfabSignalHub                 *self,
                                                           const char                      *name);

/* A number for logs, unique for the life of the hub. */
guint64                confab_signal_hub_client_get_id    (const ConfabSignalHubClient     *client);
/* The registered name, or NULL before store_user succeeded. */
const char            *confab_signal_hub_client_get_name  (const ConfabSignalHubClient     *client);
gpointer               confab_signal_hub_client_get_user_data (const ConfabSignalHubClient *client);

G_END_DECLS
