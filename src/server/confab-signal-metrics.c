/* confab-signal-metrics.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-signal-metrics.h"

/* Room for the protocol's error codes and a few more: a code the protocol
 * module adds later is counted as soon as it has a wire name. */
#define MAX_ERROR_CODES 32

struct _ConfabSignalMetrics
{
  GObject parent_instance;

  guint64 clients_connected;
  guint64 clients_registered;
  guint64 connections_total;
  guint64 received[CONFAB_MESSAGE_N_KINDS];
  guint64 relayed[CONFAB_MESSAGE_N_KINDS];
  guint64 errors[MAX_ERROR_CODES];
};

G_DEFINE_FINAL_TYPE (ConfabSignalMetrics, confab_signal_metrics, G_TYPE_OBJECT)

static void
confab_signal_metrics_class_init (ConfabSignalMetricsClass *klass)
{
}

static void
confab_signal_metrics_init (ConfabSignalMetrics *self)
{
}

ConfabSignalMetrics *
confab_signal_metrics_new (void)
{
  return g_object_new (CONFAB_TYPE_SIGNAL_METRICS, NULL);
}

void
confab_signal_metrics_client_connected (ConfabSignalMetrics *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));

  self->clients_connected++;
  self->connections_total++;
}

void
confab_signal_metrics_client_disconnected (ConfabSignalMetrics *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));
  g_return_if_fail (self->clients_connected > 0);

  self->clients_connected--;
}

void
confab_signal_metrics_client_registered (ConfabSignalMetrics *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));

  self->clients_registered++;
}

void
confab_signal_metrics_client_unregistered (ConfabSignalMetrics *self)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));
  g_return_if_fail (self->clients_registered > 0);

  self->clients_registered--;
}

void
confab_signal_metrics_count_received (ConfabSignalMetrics *self,
                                      ConfabMessageKind    kind)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));
  g_return_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS);

  self->received[kind]++;
}

void
confab_signal_metrics_count_relayed (ConfabSignalMetrics *self,
                                     ConfabMessageKind    kind)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));
  g_return_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS);

  self->relayed[kind]++;
}

void
confab_signal_metrics_count_error (ConfabSignalMetrics *self,
                                   ConfabProtocolError  code)
{
  g_return_if_fail (CONFAB_IS_SIGNAL_METRICS (self));
  g_return_if_fail ((guint) code < MAX_ERROR_CODES);

  self->errors[code]++;
}

guint64
confab_signal_metrics_get_clients_connected (ConfabSignalMetrics *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);

  return self->clients_connected;
}

guint64
confab_signal_metrics_get_clients_registered (ConfabSignalMetrics *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);

  return self->clients_registered;
}

guint64
confab_signal_metrics_get_connections_total (ConfabSignalMetrics *self)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);

  return self->connections_total;
}

guint64
confab_signal_metrics_get_received (ConfabSignalMetrics *self,
                                    ConfabMessageKind    kind)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);
  g_return_val_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS, 0);

  return self->received[kind];
}

guint64
confab_signal_metrics_get_relayed (ConfabSignalMetrics *self,
                                   ConfabMessageKind    kind)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);
  g_return_val_if_fail ((guint) kind < CONFAB_MESSAGE_N_KINDS, 0);

  return self->relayed[kind];
}

guint64
confab_signal_metrics_get_errors (ConfabSignalMetrics *self,
                                  ConfabProtocolError  code)
{
  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), 0);
  g_return_val_if_fail ((guint) code < MAX_ERROR_CODES, 0);

  return self->errors[code];
}

static void
append_header (GString    *out,
               const char *name,
               const char *type,
               const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

char *
confab_signal_metrics_to_prometheus (ConfabSignalMetrics *self)
{
  GString *out;

  g_return_val_if_fail (CONFAB_IS_SIGNAL_METRICS (self), NULL);

  out = g_string_sized_new (4096);

  append_header (out, "confab_signal_clients_connected", "gauge",
                 "Websocket clients connected now.");
  g_string_append_printf (out, "confab_signal_clients_connected %" G_GUINT64_FORMAT "\n",
                          self->clients_connected);

  append_header (out, "confab_signal_clients_registered", "gauge",
                 "Connected clients that registered a name.");
  g_string_append_printf (out, "confab_signal_clients_registered %" G_GUINT64_FORMAT "\n",
                          self->clients_registered);

  append_header (out, "confab_signal_connections_total", "counter",
                 "Websocket connections accepted since the start.");
  g_string_append_printf (out, "confab_signal_connections_total %" G_GUINT64_FORMAT "\n",
                          self->connections_total);

  /* Every series is written, zeros too, so that a dashboard's rate()
   * starts from the first scrape rather than from the first event. */
  append_header (out, "confab_signal_messages_received_total", "counter",
                 "Valid messages received from clients, by type.");
  for (guint i = 0; i < CONFAB_MESSAGE_N_KINDS; i++)
    {
      if (!confab_message_kind_is_client_request (i) && i != CONFAB_MESSAGE_ERROR)
        continue;
      g_string_append_printf (out,
                              "confab_signal_messages_received_total{type=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              confab_message_kind_to_string (i), self->received[i]);
    }

  append_header (out, "confab_signal_messages_relayed_total", "counter",
                 "Messages delivered to their target, by the type delivered.");
  for (guint i = 0; i < CONFAB_MESSAGE_N_KINDS; i++)
    {
      switch ((ConfabMessageKind) i)
        {
        case CONFAB_MESSAGE_OFFER_RECEIVED:
        case CONFAB_MESSAGE_ANSWER_RECEIVED:
        case CONFAB_MESSAGE_ICE_CANDIDATE:
        case CONFAB_MESSAGE_OFFER_DECLINED:
        case CONFAB_MESSAGE_PEER_HUNG_UP:
          g_string_append_printf (out,
                                  "confab_signal_messages_relayed_total{type=\"%s\"} %" G_GUINT64_FORMAT "\n",
                                  confab_message_kind_to_string (i), self->relayed[i]);
          break;

        case CONFAB_MESSAGE_STORE_USER:
        case CONFAB_MESSAGE_START_TRANSFER:
        case CONFAB_MESSAGE_CREATE_OFFER:
        case CONFAB_MESSAGE_CREATE_ANSWER:
        case CONFAB_MESSAGE_DECLINE:
        case CONFAB_MESSAGE_HANG_UP:
        case CONFAB_MESSAGE_USER_STORED:
        case CONFAB_MESSAGE_USER_ALREADY_EXISTS:
        case CONFAB_MESSAGE_TRANSFER_RESPONSE:
        case CONFAB_MESSAGE_ERROR:
        case CONFAB_MESSAGE_N_KINDS:
        default:
          break;
        }
    }

  append_header (out, "confab_signal_errors_total", "counter",
                 "Error replies sent to clients, by code.");
  for (guint i = 0; i < MAX_ERROR_CODES; i++)
    {
      const char *code = confab_protocol_error_to_code (i);

      if (strcmp (code, "unknown") == 0)
        break;
      g_string_append_printf (out, "confab_signal_errors_total{code=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              code, self->errors[i]);
    }

  return g_string_free (out, FALSE);
}
