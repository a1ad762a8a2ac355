/* test-sanitizer.c: the sanitizers' defaults for every test and benchmark
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

/* Read by AddressSanitizer before ASAN_OPTIONS (which can still override
 * them): GLib, libsoup and GStreamer are built without frame pointers, and
 * the fast unwinder stops at g_malloc(), so no suppression in lsan.supp
 * could match a one-time allocation of theirs (a class structure, a
 * quark).  A build without the sanitizer never calls these. */
const char *__asan_default_options (void);
const char *__lsan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

/* As ./run sanitize sets them, so that `meson test` in a sanitizer build
 * reports only leaks of ours without it: the system libraries' known
 * leaks are in tests/lsan.supp, and OpenSSL's per-thread random
 * generators are reachable only through unaligned pointers. */
const char *
__lsan_default_options (void)
{
  return "suppressions=" CONFAB_LSAN_SUPPRESSIONS ":print_suppressions=0:use_unaligned=1";
}
