/* confab-safety-number.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "confab-safety-number.h"

#define VERSION     0
#define ITERATIONS  5200
#define HALF_BYTES  30  /* six chunks of five bytes, five digits each */

static const struct
{
  const char *emoji;
  const char *name;
} emoji_table[CONFAB_SAFETY_NUMBER_EMOJI_TABLE] = {
  { "🐶", "Dog" }, { "🐱", "Cat" }, { "🦁", "Lion" }, { "🐴", "Horse" },
  { "🦄", "Unicorn" }, { "🐷", "Pig" }, { "🐘", "Elephant" }, { "🐰", "Rabbit" },
  { "🐼", "Panda" }, { "🐓", "Rooster" }, { "🐧", "Penguin" }, { "🐢", "Turtle" },
  { "🐟", "Fish" }, { "🐙", "Octopus" }, { "🦋", "Butterfly" }, { "🌷", "Flower" },
  { "🌳", "Tree" }, { "🌵", "Cactus" }, { "🍄", "Mushroom" }, { "🌍", "Globe" },
  { "🌙", "Moon" }, { "☁️", "Cloud" }, { "🔥", "Fire" }, { "🍌", "Banana" },
  { "🍎", "Apple" }, { "🍓", "Strawberry" }, { "🌽", "Corn" }, { "🍕", "Pizza" },
  { "🎂", "Cake" }, { "❤️", "Heart" }, { "😀", "Smiley" }, { "🤖", "Robot" },
  { "🎩", "Hat" }, { "👓", "Glasses" }, { "🔧", "Spanner" }, { "🎅", "Santa" },
  { "👍", "Thumbs up" }, { "☂️", "Umbrella" }, { "⌛", "Hourglass" }, { "⏰", "Clock" },
  { "🎁", "Gift" }, { "💡", "Light bulb" }, { "📕", "Book" }, { "✏️", "Pencil" },
  { "📎", "Paperclip" }, { "✂️", "Scissors" }, { "🔒", "Lock" }, { "🔑", "Key" },
  { "🔨", "Hammer" }, { "☎️", "Telephone" }, { "🏁", "Flag" }, { "🚂", "Train" },
  { "🚲", "Bicycle" }, { "✈️", "Aeroplane" }, { "🚀", "Rocket" }, { "🏆", "Trophy" },
  { "⚽", "Ball" }, { "🎸", "Guitar" }, { "🎺", "Trumpet" }, { "🔔", "Bell" },
  { "⚓", "Anchor" }, { "🎧", "Headphones" }, { "📁", "Folder" }, { "📌", "Pin" },
};

/* One side's 30 bytes: SHA-512 (version ‖ key ‖ name), then 5,200 times
 * SHA-512 (previous ‖ key), so that finding a key whose number collides
 * with someone's costs 5,200 hashes a try. */
static void
derive_half (GBytes     *key,
             const char *name,
             guint8      half[HALF_BYTES])
{
  static const guint8 version[2] = { 0, VERSION };
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  gsize key_len;
  const guint8 *key_data = g_bytes_get_data (key, &key_len);

  EVP_DigestInit_ex (ctx, EVP_sha512 (), NULL);
  EVP_DigestUpdate (ctx, version, sizeof version);
  EVP_DigestUpdate (ctx, key_data, key_len);
  EVP_DigestUpdate (ctx, name, strlen (name));
  EVP_DigestFinal_ex (ctx, digest, &len);

  for (guint i = 0; i < ITERATIONS; i++)
    {
      EVP_DigestInit_ex (ctx, EVP_sha512 (), NULL);
      EVP_DigestUpdate (ctx, digest, len);
      EVP_DigestUpdate (ctx, key_data, key_len);
      EVP_DigestFinal_ex (ctx, digest, &len);
    }

  EVP_MD_CTX_free (ctx);
  memcpy (half, digest, HALF_BYTES);
}

/* Both halves, lower first, so that who asks does not matter. */
static void
derive (GBytes     *key_a,
        const char *name_a,
        GBytes     *key_b,
        const char *name_b,
        guint8      out[2 * HALF_BYTES])
{
  guint8 a[HALF_BYTES], b[HALF_BYTES];
  gboolean a_first;

  derive_half (key_a, name_a, a);
  derive_half (key_b, name_b, b);
  a_first = memcmp (a, b, HALF_BYTES) <= 0;
  memcpy (out, a_first ? a : b, HALF_BYTES);
  memcpy (out + HALF_BYTES, a_first ? b : a, HALF_BYTES);
}

char *
confab_safety_number_new (GBytes     *key_a,
                          const char *name_a,
                          GBytes     *key_b,
                          const char *name_b)
{
  guint8 bytes[2 * HALF_BYTES];
  GString *out = g_string_sized_new (72);

  g_return_val_if_fail (key_a != NULL && key_b != NULL, NULL);
  g_return_val_if_fail (name_a != NULL && name_b != NULL, NULL);

  derive (key_a, name_a, key_b, name_b, bytes);

  for (guint chunk = 0; chunk < sizeof bytes / 5; chunk++)
    {
      guint64 value = 0;

      for (guint i = 0; i < 5; i++)
        value = value << 8 | bytes[chunk * 5 + i];

      if (chunk > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%05" G_GUINT64_FORMAT, value % 100000);
    }

  return g_string_free (out, FALSE);
}

char **
confab_safety_number_emoji (GBytes       *key_a,
                            const char   *name_a,
                            GBytes       *key_b,
                            const char   *name_b,
                            char       ***names)
{
  guint8 bytes[2 * HALF_BYTES];
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  g_autoptr(GStrvBuilder) emoji = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) emoji_names = g_strv_builder_new ();

  g_return_val_if_fail (key_a != NULL && key_b != NULL, NULL);
  g_return_val_if_fail (name_a != NULL && name_b != NULL, NULL);

  derive (key_a, name_a, key_b, name_b, bytes);
  EVP_Digest (bytes, sizeof bytes, digest, &len, EVP_sha256 (), NULL);

  /* Six bits an emoji, most significant first. */
  for (guint i = 0; i < CONFAB_SAFETY_NUMBER_N_EMOJI; i++)
    {
      guint bit = i * 6;
      guint pair = digest[bit / 8] << 8 | digest[bit / 8 + 1];
      guint index = (pair >> (10 - bit % 8)) & 0x3f;

      g_strv_builder_add (emoji, emoji_table[index].emoji);
      g_strv_builder_add (emoji_names, emoji_table[index].name);
    }

  if (names != NULL)
    *names = g_strv_builder_end (emoji_names);
  return g_strv_builder_end (emoji);
}
