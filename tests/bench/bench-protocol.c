/* bench-protocol.c: the cost of one relay in the protocol module
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "confab-message.h"

/* Parses a create_offer carrying a 2 KiB SDP, builds the offer_received the
 * server relays and writes it out: everything a relay does to a frame
 * besides the websocket.  Side by side, in the same run, the same work
 * with json-glib's JsonParser and JsonGenerator (the reference: what the
 * protocol module would cost had it used json-glib), so that a noisy
 * machine moves both figures together.  Prints medians of several rounds;
 * asserts nothing. */

static int rounds = 9;
static int iterations = 20000;
static int sdp_size = 2048;

static const GOptionEntry entries[] = {
  { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds to take the median of (9)", "N" },
  { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Relays per round (20000)", "N" },
  { "sdp-size", 0, 0, G_OPTION_ARG_INT, &sdp_size, "Bytes of SDP in each offer (2048)", "BYTES" },
  { NULL }
};

static char *
make_frame (gsize *length)
{
  g_autoptr(GString) sdp = g_string_new ("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n");
  g_autoptr(ConfabMessage) offer = NULL;

  while ((int) sdp->len < sdp_size)
    g_string_append (sdp, "a=candidate:1 1 UDP 2122252543 192.168.1.10 54321 typ host\r\n");
  g_string_truncate (sdp, sdp_size);

  offer = confab_message_new_create_offer ("alice", "bob", sdp->str);

  return confab_message_to_json (offer, length);
}

static double
relay_confab (const char *frame,
              gsize       length)
{
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < iterations; i++)
    {
      g_autoptr(ConfabMessage) request = confab_message_parse (frame, length, 0, NULL, NULL);
      g_autoptr(ConfabMessage) relayed = confab_message_new_relayed (request, "alice");

      g_free (confab_message_to_json (relayed, NULL));
    }

  return (double) (g_get_monotonic_time () - start) / iterations;
}

static double
relay_json_glib (const char *frame,
                 gsize       length)
{
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < iterations; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) out = NULL;
      JsonObject *root, *data;

      if (!json_parser_load_from_data (parser, frame, length, NULL))
        g_error ("json-glib refused the frame");
      root = json_node_get_object (json_parser_get_root (parser));
      data = json_object_get_object_member (root, "data");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "offer_received");
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, "alice");
      json_builder_set_member_name (builder, "data");
      json_builder_add_string_value (builder, json_object_get_string_member (data, "sdp"));
      json_builder_end_object (builder);

      out = json_builder_get_root (builder);
      json_generator_set_root (generator, out);
      g_free (json_generator_to_data (generator, NULL));
    }

  return (double) (g_get_monotonic_time () - start) / iterations;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);

  return g_array_index (values, double, values->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- cost of relaying one frame");
  g_autoptr(GArray) confab = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) json_glib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *frame = NULL;
  double confab_median, json_glib_median;
  gsize length;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  frame = make_frame (&length);

  /* Interleaved rounds: whatever else the machine does hits both. */
  for (int round = 0; round < rounds; round++)
    {
      double a = relay_confab (frame, length);
      double b = relay_json_glib (frame, length);

      g_array_append_val (confab, a);
      g_array_append_val (json_glib, b);
    }

  confab_median = median (confab);
  json_glib_median = median (json_glib);

  printf ("relay of a %" G_GSIZE_FORMAT "-byte create_offer (parse, rewrite, serialise), "
          "median of %d rounds of %d:\n", length, rounds, iterations);
  printf ("  confab protocol  %8.2f µs  (%.0f frames/s on one core)\n",
          confab_median, 1e6 / confab_median);
  printf ("  json-glib        %8.2f µs  (%.0f frames/s on one core)\n",
          json_glib_median, 1e6 / json_glib_median);
  printf ("{\"bench\":\"protocol\",\"frame_bytes\":%" G_GSIZE_FORMAT ",\"confab_us\":%.3f,"
          "\"json_glib_us\":%.3f,\"speedup\":%.2f}\n",
          length, confab_median, json_glib_median, json_glib_median / confab_median);

  return EXIT_SUCCESS;
}
