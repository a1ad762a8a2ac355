/* confab-safety-number.h: what two people compare to know each other's key
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The number of emoji confab_safety_number_emoji() gives, and of entries
 * in the table they come from. */
#define CONFAB_SAFETY_NUMBER_N_EMOJI     8
#define CONFAB_SAFETY_NUMBER_EMOJI_TABLE 64

/* Signal's numeric fingerprint: for each side, SHA-512 over a version, the
 * public key and the name, iterated 5,200 times over the previous digest
 * and the key; 30 digits from each side's first 30 bytes, five digits from
 * every five bytes.  The two halves are put in sorted order, so both sides
 * get the same 60 digits.  Returned as 12 groups of 5 digits separated by
 * spaces.  @key_a and @key_b are DER SubjectPublicKeyInfo
 * (confab_identity_get_public_key(), confab_fingerprint_public_key_from_pem()). */
char       *confab_safety_number_new      (GBytes     *key_a,
                                           const char *name_a,
                                           GBytes     *key_b,
                                           const char *name_b);
/* The same comparison as CONFAB_SAFETY_NUMBER_N_EMOJI emoji from a fixed
 * table of distinct, easily named ones, read from a SHA-256 of the same
 * sorted bytes.  With @names, their English names too.  Both arrays are
 * NULL-terminated. */
char      **confab_safety_number_emoji    (GBytes     *key_a,
                                           const char *name_a,
                                           GBytes     *key_b,
                                           const char *name_b,
                                           char     ***names);

G_END_DECLS
