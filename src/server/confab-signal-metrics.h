/* confab-signal-metrics.h: what a signalling server counts
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-message.h"
#include "confab-protocol-error.h"

G_BEGIN_DECLS

#define CONFAB_TYPE_SIGNAL_METRICS (confab_signal_metrics_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSignalMetrics, confab_signal_metrics, CONFAB, SIGNAL_METRICS, GObject)

ConfabSignalMetrics *confab_signal_metrics_new                  (void);

/* Counting.  Cheap: called on every frame. */
void                 confab_signal_metrics_client_connected     (ConfabSignalMetrics *self);
void                 confab_signal_metrics_client_disconnected  (ConfabSignalMetrics *self);
void                 confab_signal_metrics_client_registered    (ConfabSignalMetrics *self);
void                 confab_signal_metrics_client_unregistered  (ConfabSignalMetrics *self);
void                 confab_signal_metrics_count_received       (ConfabSignalMetrics *self,
                                                                 ConfabMessageKind    kind);
/* @kind is what the target received (offer_received, ...). */
void                 confab_signal_metrics_count_relayed        (ConfabSignalMetrics *self,
                                                                 ConfabMessageKind    kind);
void                 confab_signal_metrics_count_error          (ConfabSignalMetrics *self,
                                                                 ConfabProtocolError  code);

guint64              confab_signal_metrics_get_clients_connected  (ConfabSignalMetrics *self);
guint64              confab_signal_metrics_get_clients_registered (ConfabSignalMetrics *self);
guint64              confab_signal_metrics_get_connections_total  (ConfabSignalMetrics *self);
guint64              confab_signal_metrics_get_received         (ConfabSignalMetrics *self,
                                                                 ConfabMessageKind    kind);
guint64              confab_signal_metrics_get_relayed          (ConfabSignalMetrics *self,
                                                                 ConfabMessageKind    kind);
guint64              confab_signal_metrics_get_errors           (ConfabSignalMetrics *self,
                                                                 ConfabProtocolError  code);

/* The Prometheus text exposition format, version 0.0.4. */
char                *confab_signal_metrics_to_prometheus        (ConfabSignalMetrics *self);

G_END_DECLS
