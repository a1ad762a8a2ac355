/* test-safety-number.c: safety numbers, their emoji and their QR code
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-qr-code.h"
#include "confab-safety-number.h"

/* The public keys (DER SubjectPublicKeyInfo) of two ECDSA P-256
 * certificates made with the openssl command.  The expected numbers below
 * come from a separate Python implementation of the same construction
 * (hashlib), run once and pinned. */
static const char key_a_hex[] =
  "3059301306072a8648ce3d020106082a8648ce3d03010703420004f2ebfd7cb76f86e5"
  "5ca739969e027f747604cc94ac74f8996279f2ee123c1e8ad9b6f7101071b63d16671a"
  "6ea44886b309b2a763bd6d1988e1286a3a359c04ee";
static const char key_b_hex[] =
  "3059301306072a8648ce3d020106082a8648ce3d030107034200042146f4b02cd7e025"
  "3fbadaaa767d3d2b6ab80d31758e255a72ad4b24edb3eaa6b54b898b66264160bef113"
  "def608147c471894c5dfd15fb7e6e94d5303153066";

#define ALICE_BOB "77930 77788 71415 29130 14513 33881 45720 45482 51620 39720 24942 38091"
#define ALICE_MALLORY "75700 53478 63777 55090 84941 70434 45720 45482 51620 39720 24942 38091"

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex) / 2;
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]);

  return g_bytes_new_take (data, len);
}

static void
test_safety_number_known_answer (void)
{
  g_autoptr(GBytes) a = bytes_from_hex (key_a_hex);
  g_autoptr(GBytes) b = bytes_from_hex (key_b_hex);
  g_autofree char *number = confab_safety_number_new (a, "alice", b, "bob");

  g_assert_cmpstr (number, ==, ALICE_BOB);
  g_assert_cmpuint (strlen (number), ==, 12 * 5 + 11);
}

static void
test_safety_number_symmetric (void)
{
  g_autoptr(GBytes) a = bytes_from_hex (key_a_hex);
  g_autoptr(GBytes) b = bytes_from_hex (key_b_hex);
  g_autofree char *alice_sees = confab_safety_number_new (a, "alice", b, "bob");
  g_autofree char *bob_sees = confab_safety_number_new (b, "bob", a, "alice");

  g_assert_cmpstr (alice_sees, ==, bob_sees);
}

static void
test_safety_number_differs (void)
{
  g_autoptr(GBytes) a = bytes_from_hex (key_a_hex);
  g_autoptr(GBytes) b = bytes_from_hex (key_b_hex);
  g_autoptr(GBytes) c = g_bytes_new_static ("another key", 11);
  g_autofree char *real = confab_safety_number_new (a, "alice", b, "bob");
  g_autofree char *other_key = confab_safety_number_new (a, "alice", c, "bob");
  g_autofree char *other_name = confab_safety_number_new (a, "alice", b, "mallory");

  g_assert_cmpstr (real, !=, other_key);
  g_assert_cmpstr (real, !=, other_name);
  /* The half that is Bob's changed; Alice's half is still hers. */
  g_assert_cmpstr (other_name, ==, ALICE_MALLORY);
}

static void
test_safety_number_emoji (void)
{
  static const char * const expected_names[] = {
    "Penguin", "Cloud", "Hourglass", "Tree", "Umbrella", "Moon", "Trumpet", "Lock", NULL,
  };
  g_autoptr(GBytes) a = bytes_from_hex (key_a_hex);
  g_autoptr(GBytes) b = bytes_from_hex (key_b_hex);
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) reversed_names = NULL;
  g_auto(GStrv) emoji = confab_safety_number_emoji (a, "alice", b, "bob", &names);
  g_auto(GStrv) reversed = confab_safety_number_emoji (b, "bob", a, "alice", &reversed_names);
  g_auto(GStrv) without_names = confab_safety_number_emoji (a, "alice", b, "bob", NULL);

  g_assert_cmpuint (g_strv_length (emoji), ==, CONFAB_SAFETY_NUMBER_N_EMOJI);
  g_assert_cmpstrv (names, expected_names);
  g_assert_cmpstr (emoji[0], ==, "🐧");
  g_assert_cmpstr (emoji[7], ==, "🔒");
  g_assert_cmpstrv (emoji, reversed);
  g_assert_cmpstrv (names, reversed_names);
  g_assert_cmpstrv (emoji, without_names);
}

/* Every index of the table shows up over enough pairs of keys, each with
 * its own emoji and name: none is missing, none is there twice. */
static void
test_safety_number_emoji_table (void)
{
  g_autoptr(GHashTable) emoji_to_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) names_seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) a = bytes_from_hex (key_a_hex);

  for (guint i = 0; i < 200 && g_hash_table_size (emoji_to_name) < CONFAB_SAFETY_NUMBER_EMOJI_TABLE; i++)
    {
      g_autofree char *name = g_strdup_printf ("peer%u", i);
      g_auto(GStrv) names = NULL;
      g_auto(GStrv) emoji = confab_safety_number_emoji (a, "alice", a, name, &names);

      for (guint j = 0; emoji[j] != NULL; j++)
        {
          const char *known = g_hash_table_lookup (emoji_to_name, emoji[j]);

          if (known != NULL)
            g_assert_cmpstr (known, ==, names[j]);
          else
            g_hash_table_insert (emoji_to_name, g_strdup (emoji[j]), g_strdup (names[j]));
        }
    }

  g_assert_cmpuint (g_hash_table_size (emoji_to_name), ==, CONFAB_SAFETY_NUMBER_EMOJI_TABLE);

  {
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init (&iter, emoji_to_name);
    while (g_hash_table_iter_next (&iter, NULL, &name))
      g_assert_true (g_hash_table_add (names_seen, name));
  }
}

static gboolean
module (const guint8 *modules,
        guint         size,
        guint         x,
        guint         y)
{
  return modules[y * size + x] != 0;
}

/* A finder pattern: a dark 7×7 ring, a light ring inside, a dark 3×3. */
static void
assert_finder (const guint8 *modules,
               guint         size,
               guint         x0,
               guint         y0)
{
  for (guint y = 0; y < 7; y++)
    for (guint x = 0; x < 7; x++)
      {
        gboolean ring = x == 0 || y == 0 || x == 6 || y == 6;
        gboolean centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;

        g_assert_cmpint (module (modules, size, x0 + x, y0 + y), ==, ring || centre);
      }
}

static void
test_qr_code_safety_number (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) modules = NULL;
  g_autofree char *digest = NULL;
  const guint8 *data;
  guint size = 0;

  modules = confab_qr_code_encode (ALICE_BOB, &size, &error);
  g_assert_no_error (error);

  /* 71 bytes at level M need version 5: 37 modules a side. */
  g_assert_cmpuint (size, ==, 37);
  g_assert_cmpuint (g_bytes_get_size (modules), ==, size * size);

  data = g_bytes_get_data (modules, NULL);
  for (guint i = 0; i < size * size; i++)
    g_assert_cmpuint (data[i], <=, 1);
  assert_finder (data, size, 0, 0);
  assert_finder (data, size, size - 7, 0);
  assert_finder (data, size, 0, size - 7);
  /* The timing pattern between the top finders alternates. */
  for (guint x = 8; x < size - 8; x++)
    g_assert_cmpint (module (data, size, x, 6), ==, x % 2 == 0);

  /* The same text gives the same code, another text another one. */
  {
    guint other_size = 0;
    g_autoptr(GBytes) again = confab_qr_code_encode (ALICE_BOB, &other_size, &error);
    g_autoptr(GBytes) other = confab_qr_code_encode (ALICE_MALLORY, &other_size, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (modules, again));
    g_assert_false (g_bytes_equal (modules, other));
  }
}

static void
test_qr_code_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (8000, 'x');
  guint size = 0;
  g_autoptr(GBytes) modules = confab_qr_code_encode (text, &size, &error);

  g_assert_error (error, CONFAB_QR_CODE_ERROR, CONFAB_QR_CODE_ERROR_FAILED);
  g_assert_null (modules);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/safety-number/known-answer", test_safety_number_known_answer);
  g_test_add_func ("/safety-number/symmetric", test_safety_number_symmetric);
  g_test_add_func ("/safety-number/differs", test_safety_number_differs);
  g_test_add_func ("/safety-number/emoji", test_safety_number_emoji);
  g_test_add_func ("/safety-number/emoji-table", test_safety_number_emoji_table);
  g_test_add_func ("/safety-number/qr-code", test_qr_code_safety_number);
  g_test_add_func ("/safety-number/qr-code-too-long", test_qr_code_too_long);

  return g_test_run ();
}
