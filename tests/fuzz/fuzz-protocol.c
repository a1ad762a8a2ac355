/* fuzz-protocol.c: libFuzzer target for the frame parser
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-message.h"
#include "confab-protocol-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(ConfabMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *type_hint = NULL;
  g_autofree char *name = NULL;

  message = confab_message_parse ((const char *) data, size, 0, &type_hint, &error);

  if (message == NULL)
    {
      /* Every refusal names a code a peer can switch on. */
      g_assert_nonnull (error);
      g_assert_true (error->domain == CONFAB_PROTOCOL_ERROR);
      g_assert_cmpstr (confab_protocol_error_to_code (error->code), !=, "unknown");
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  else
    {
      g_autoptr(ConfabMessage) again = NULL;
      g_autoptr(ConfabMessage) relayed = NULL;
      g_autofree char *json = NULL;
      g_autofree char *json_again = NULL;
      gsize length;

      /* What we accept, we write back as something we accept, and the
       * second writing is the first to the byte. */
      json = confab_message_to_json (message, &length);
      g_assert_true (g_utf8_validate (json, length, NULL));
      again = confab_message_parse (json, length, G_MAXSIZE, NULL, &error);
      g_assert_no_error (error);
      json_again = confab_message_to_json (again, NULL);
      g_assert_cmpstr (json, ==, json_again);

      relayed = confab_message_new_relayed (message, "fuzzer");
      if (relayed != NULL)
        g_free (confab_message_to_json (relayed, NULL));
    }

  /* The same bytes as a name */
  name = g_strndup ((const char *) data, size);
  confab_message_validate_name (name, NULL);

  return 0;
}
