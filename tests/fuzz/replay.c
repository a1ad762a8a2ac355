/* replay.c: runs a fuzz target over its corpus, for builds without libFuzzer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8   *data,
                            size_t          size);
/* Optional, as for libFuzzer: set-up a target does once, first. */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv) __attribute__ ((weak));

/* Each argument is a file or a folder of files: every one is an input.
 * So `meson test` checks the kept corpus, and the crash reproducers kept
 * beside it, with the ordinary compiler and sanitizers. */
int
main (int   argc,
      char *argv[])
{
  guint count = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GDir) dir = NULL;

      /* "--if-exists PATH": a folder that appears only once it has
       * something in it (tests/fuzz/regressions/NAME). */
      if (strcmp (argv[i], "--if-exists") == 0 && i + 1 < argc)
        {
          if (!g_file_test (argv[++i], G_FILE_TEST_EXISTS))
            continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);

      if (dir != NULL)
        {
          const char *entry;

          while ((entry = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (files, g_build_filename (argv[i], entry, NULL));
        }
      else
        g_ptr_array_add (files, g_strdup (argv[i]));

      for (guint j = 0; j < files->len; j++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *contents = NULL;
          gsize length;

          if (!g_file_get_contents (files->pdata[j], &contents, &length, &error))
            g_error ("%s", error->message);
          LLVMFuzzerTestOneInput ((const guint8 *) contents, length);
          count++;
        }
    }

  g_print ("1..1\nok 1 - replayed %u inputs\n", count);

  return count > 0 ? 0 : 1;
}
