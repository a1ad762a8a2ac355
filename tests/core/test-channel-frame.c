/* test-channel-frame.c: the frames of the "confab" data channel
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-channel-frame.h"

static void
decode_ok (GBytes             *bytes,
           ConfabChannelFrame *frame)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_true (confab_channel_frame_decode (data, length, frame, &error));
  g_assert_no_error (error);
}

static void
decode_fails (const guint8 *data,
              gsize         length,
              int           code)
{
  g_autoptr(GError) error = NULL;
  ConfabChannelFrame frame;

  g_assert_false (confab_channel_frame_decode (data, length, &frame, &error));
  g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, code);
}

/* The bytes of CHANNEL.md's examples. */
static void
test_frame_wire_bytes (void)
{
  static const guint8 message[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0x2a, 'h', 'i' };
  static const guint8 chunk[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 0x07,
                                  0, 0, 0, 5, 0, 0, 0, 3, 'l', 'o' };
  static const guint8 receipt[] = { 0x03, 0, 0, 0, 0, 0, 0, 0x01, 0x00 };
  g_autoptr(GBytes) m = confab_channel_frame_encode_message (42, "hi", 2);
  g_autoptr(GBytes) c = confab_channel_frame_encode_chunk (7, 5, 3, (const guint8 *) "lo", 2);
  g_autoptr(GBytes) r = confab_channel_frame_encode_receipt (256);
  g_autoptr(GBytes) h = confab_channel_frame_encode_heartbeat ();
  g_autoptr(GBytes) b = confab_channel_frame_encode_bye ();
  gsize length;
  const guint8 *data;

  data = g_bytes_get_data (m, &length);
  g_assert_cmpmem (data, length, message, sizeof message);
  data = g_bytes_get_data (c, &length);
  g_assert_cmpmem (data, length, chunk, sizeof chunk);
  data = g_bytes_get_data (r, &length);
  g_assert_cmpmem (data, length, receipt, sizeof receipt);
  data = g_bytes_get_data (h, &length);
  g_assert_cmpuint (length, ==, 1);
  g_assert_cmpuint (data[0], ==, 0x04);
  data = g_bytes_get_data (b, &length);
  g_assert_cmpuint (length, ==, 1);
  g_assert_cmpuint (data[0], ==, 0x05);
}

static void
test_frame_round_trip (void)
{
  static const char text[] = "héllo, wörld ✓";
  g_autoptr(GBytes) m = confab_channel_frame_encode_message (G_MAXUINT64, text, strlen (text));
  g_autoptr(GBytes) c = confab_channel_frame_encode_chunk (9, 100000, 65519,
                                                          (const guint8 *) text, strlen (text));
  g_autoptr(GBytes) r = confab_channel_frame_encode_receipt (12);
  g_autoptr(GBytes) h = confab_channel_frame_encode_heartbeat ();
  g_autoptr(GBytes) b = confab_channel_frame_encode_bye ();
  ConfabChannelFrame frame;

  decode_ok (m, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_MESSAGE);
  g_assert_cmpuint (frame.id, ==, G_MAXUINT64);
  g_assert_cmpmem (frame.payload, frame.payload_length, text, strlen (text));

  decode_ok (c, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_CHUNK);
  g_assert_cmpuint (frame.id, ==, 9);
  g_assert_cmpuint (frame.total_length, ==, 100000);
  g_assert_cmpuint (frame.offset, ==, 65519);
  g_assert_cmpmem (frame.payload, frame.payload_length, text, strlen (text));

  decode_ok (r, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_RECEIPT);
  g_assert_cmpuint (frame.id, ==, 12);

  decode_ok (h, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_HEARTBEAT);

  decode_ok (b, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_BYE);
}

/* Version 2: CHANNEL.md's examples, both ways, and what is refused. */
static void
test_frame_acknowledgements (void)
{
  static const guint8 ack[] = { 0x06, 0, 0, 0, 0, 0, 0, 0x01, 0x00 };
  static const guint8 message_ack[] = { 0x07, 0, 0, 0, 0, 0, 0, 0, 0x2b,
                                        0, 0, 0, 0, 0, 0, 0, 0x29, 'o', 'k' };
  static const guint8 zero_ack[] = { 0x07, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 'x' };
  static const guint8 short_message_ack[] = { 0x07, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
  static const guint8 bad_utf8[] = { 0x07, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xc3 };
  static const guint8 long_ack[] = { 0x06, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
  static const guint8 zero_id_ack[] = { 0x06, 0, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GBytes) a = confab_channel_frame_encode_ack (256);
  g_autoptr(GBytes) m = confab_channel_frame_encode_message_ack (43, 41, "ok", 2);
  g_autofree char *longest = g_malloc (CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT);
  g_autoptr(GBytes) full = NULL;
  ConfabChannelFrame frame;
  gsize length;
  const guint8 *data;

  data = g_bytes_get_data (a, &length);
  g_assert_cmpmem (data, length, ack, sizeof ack);
  data = g_bytes_get_data (m, &length);
  g_assert_cmpmem (data, length, message_ack, sizeof message_ack);

  decode_ok (a, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_ACK);
  g_assert_cmpuint (frame.id, ==, 256);
  decode_ok (m, &frame);
  g_assert_cmpint (frame.type, ==, CONFAB_CHANNEL_FRAME_MESSAGE_ACK);
  g_assert_cmpuint (frame.id, ==, 43);
  g_assert_cmpuint (frame.ack, ==, 41);
  g_assert_cmpmem (frame.payload, frame.payload_length, "ok", 2);

  /* The longest text that rides with an acknowledgement fills 64 KiB. */
  memset (longest, 'x', CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT);
  full = confab_channel_frame_encode_message_ack (1, 1, longest, CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT);
  g_assert_cmpuint (g_bytes_get_size (full), ==, CONFAB_CHANNEL_FRAME_MAX_SIZE);
  decode_ok (full, &frame);

  decode_fails (zero_ack, sizeof zero_ack, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (short_message_ack, sizeof short_message_ack, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED);
  decode_fails (bad_utf8, sizeof bad_utf8, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8);
  decode_fails (long_ack, sizeof long_ack, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (zero_id_ack, sizeof zero_id_ack, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
}

static void
test_frame_refuses (void)
{
  static const guint8 unknown[] = { 0x7f };
  static const guint8 short_message[] = { 0x01, 0, 0, 0 };
  static const guint8 zero_id[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 'x' };
  static const guint8 bad_utf8[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };
  static const guint8 nul_text[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 'b' };
  static const guint8 short_chunk[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4 };
  static const guint8 empty_chunk[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0 };
  static const guint8 past_end[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4,
                                     0, 0, 0, 3, 'a', 'b' };
  static const guint8 huge[] = { 0x02, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff,
                                 0, 0, 0, 0, 'a' };
  static const guint8 long_receipt[] = { 0x03, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
  static const guint8 short_receipt[] = { 0x03, 0, 0, 0, 0, 0, 0, 1 };
  static const guint8 zero_receipt[] = { 0x03, 0, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 long_heartbeat[] = { 0x04, 0 };
  static const guint8 long_bye[] = { 0x05, 'x' };
  g_autofree guint8 *oversized = g_malloc0 (CONFAB_CHANNEL_FRAME_MAX_SIZE + 1);

  decode_fails (NULL, 0, CONFAB_CHANNEL_FRAME_ERROR_EMPTY);
  oversized[0] = CONFAB_CHANNEL_FRAME_CHUNK;
  decode_fails (oversized, CONFAB_CHANNEL_FRAME_MAX_SIZE + 1, CONFAB_CHANNEL_FRAME_ERROR_TOO_LARGE);
  decode_fails (unknown, sizeof unknown, CONFAB_CHANNEL_FRAME_ERROR_UNKNOWN_TYPE);
  decode_fails (short_message, sizeof short_message, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED);
  decode_fails (zero_id, sizeof zero_id, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (bad_utf8, sizeof bad_utf8, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8);
  decode_fails (nul_text, sizeof nul_text, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8);
  decode_fails (short_chunk, sizeof short_chunk, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED);
  decode_fails (empty_chunk, sizeof empty_chunk, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (past_end, sizeof past_end, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (huge, sizeof huge, CONFAB_CHANNEL_FRAME_ERROR_TOO_LARGE);
  decode_fails (long_receipt, sizeof long_receipt, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (short_receipt, sizeof short_receipt, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED);
  decode_fails (zero_receipt, sizeof zero_receipt, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (long_heartbeat, sizeof long_heartbeat, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
  decode_fails (long_bye, sizeof long_bye, CONFAB_CHANNEL_FRAME_ERROR_INVALID);
}

/* Splits @text as a sender does and feeds the chunks to @assembler. */
static char *
reassemble (ConfabChannelAssembler *assembler,
            guint64                 id,
            const char             *text,
            gsize                   length)
{
  char *result = NULL;

  for (gsize offset = 0; offset < length;)
    {
      g_autoptr(GError) error = NULL;
      gsize piece = MIN (length - offset, CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA);
      g_autoptr(GBytes) bytes = confab_channel_frame_encode_chunk (id, length, offset,
                                                                  (const guint8 *) text + offset,
                                                                  piece);
      ConfabChannelFrame frame;
      guint64 got_id = 0;

      decode_ok (bytes, &frame);
      g_assert_cmpuint (g_bytes_get_size (bytes), <=, CONFAB_CHANNEL_FRAME_MAX_SIZE);
      offset += piece;

      result = confab_channel_assembler_add (assembler, &frame, &got_id, &error);
      g_assert_no_error (error);
      if (offset < length)
        g_assert_null (result);
      else
        g_assert_cmpuint (got_id, ==, id);
    }

  return result;
}

static void
test_frame_reassembles_a_mebibyte (void)
{
  g_autoptr(ConfabChannelAssembler) assembler = confab_channel_assembler_new ();
  GString *text = g_string_new (NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;

  /* Multi-byte characters land across chunk boundaries. */
  while (text->len < 1024 * 1024)
    g_string_append_printf (text, "%" G_GSIZE_FORMAT " ✓ é ", text->len);
  expected = g_string_free (text, FALSE);

  first = reassemble (assembler, 1, expected, strlen (expected));
  g_assert_cmpstr (first, ==, expected);
  /* The assembler is ready for the next message. */
  second = reassemble (assembler, 2, expected, 100000);
  g_assert_cmpmem (second, strlen (second), expected, 100000);
}

static void
test_frame_assembler_refuses (void)
{
  g_autoptr(ConfabChannelAssembler) assembler = confab_channel_assembler_new ();
  g_autoptr(GBytes) middle = confab_channel_frame_encode_chunk (1, 10, 4, (const guint8 *) "abc", 3);
  g_autoptr(GBytes) start = confab_channel_frame_encode_chunk (1, 10, 0, (const guint8 *) "abc", 3);
  g_autoptr(GBytes) other = confab_channel_frame_encode_chunk (2, 10, 3, (const guint8 *) "abc", 3);
  g_autoptr(GBytes) bad_start = confab_channel_frame_encode_chunk (3, 2, 0, (const guint8 *) "\xc3", 1);
  g_autoptr(GBytes) bad_end = confab_channel_frame_encode_chunk (3, 2, 1, (const guint8 *) "(", 1);
  ConfabChannelFrame frame;
  GError *error = NULL;
  char *text;

  decode_ok (middle, &frame);
  text = confab_channel_assembler_add (assembler, &frame, NULL, &error);
  g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER);
  g_assert_null (text);
  g_clear_error (&error);

  decode_ok (start, &frame);
  g_assert_null (confab_channel_assembler_add (assembler, &frame, NULL, &error));
  g_assert_no_error (error);
  decode_ok (other, &frame);
  text = confab_channel_assembler_add (assembler, &frame, NULL, &error);
  g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER);
  g_assert_null (text);
  g_clear_error (&error);

  /* Bytes that are UTF-8 only per chunk are checked as a whole. */
  decode_ok (bad_start, &frame);
  g_assert_null (confab_channel_assembler_add (assembler, &frame, NULL, &error));
  g_assert_no_error (error);
  decode_ok (bad_end, &frame);
  text = confab_channel_assembler_add (assembler, &frame, NULL, &error);
  g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8);
  g_assert_null (text);
  g_clear_error (&error);
}

/* Every prefix and every one-byte corruption of valid frames decodes or
 * fails cleanly (the fuzzer does this at scale). */
static void
test_frame_survives_corruption (void)
{
  g_autoptr(ConfabChannelAssembler) assembler = confab_channel_assembler_new ();
  g_autoptr(GBytes) chunk = confab_channel_frame_encode_chunk (5, 40, 0, (const guint8 *) "0123456789", 10);
  gsize length;
  const guint8 *data = g_bytes_get_data (chunk, &length);
  g_autofree guint8 *copy = g_memdup2 (data, length);

  for (gsize cut = 0; cut <= length; cut++)
    {
      for (gsize i = 0; i < length; i++)
        {
          for (guint flip = 1; flip < 256; flip <<= 1)
            {
              g_autoptr(GError) error = NULL;
              g_autofree char *text = NULL;
              ConfabChannelFrame frame;

              copy[i] ^= flip;
              if (confab_channel_frame_decode (copy, cut, &frame, &error) &&
                  frame.type == CONFAB_CHANNEL_FRAME_CHUNK)
                text = confab_channel_assembler_add (assembler, &frame, NULL, &error);
              copy[i] ^= flip;
            }
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel-frame/wire-bytes", test_frame_wire_bytes);
  g_test_add_func ("/channel-frame/round-trip", test_frame_round_trip);
  g_test_add_func ("/channel-frame/acknowledgements", test_frame_acknowledgements);
  g_test_add_func ("/channel-frame/refuses", test_frame_refuses);
  g_test_add_func ("/channel-frame/reassembles-a-mebibyte", test_frame_reassembles_a_mebibyte);
  g_test_add_func ("/channel-frame/assembler-refuses", test_frame_assembler_refuses);
  g_test_add_func ("/channel-frame/survives-corruption", test_frame_survives_corruption);

  return g_test_run ();
}
