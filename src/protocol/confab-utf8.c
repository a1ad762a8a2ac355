/* confab-utf8.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-utf8.h"

#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

gboolean
confab_utf8_validate (const char *text,
                      gsize       length)
{
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      if (word & HIGHS)
        break;
    }

  return g_utf8_validate_len (text + i, length - i, NULL);
}
