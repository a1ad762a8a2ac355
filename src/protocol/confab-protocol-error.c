/* confab-protocol-error.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-protocol-error.h"

G_DEFINE_QUARK (confab-protocol-error-quark, confab_protocol_error)

/* Indexed by ConfabProtocolError.  These strings are part of the protocol:
 * clients switch on them, so they never change once released. */
static const char * const wire_codes[] = {
  [CONFAB_PROTOCOL_ERROR_NOT_JSON] = "not-json",
  [CONFAB_PROTOCOL_ERROR_NOT_OBJECT] = "not-object",
  [CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [CONFAB_PROTOCOL_ERROR_MISSING_FIELD] = "missing-field",
  [CONFAB_PROTOCOL_ERROR_INVALID_FIELD] = "invalid-field",
  [CONFAB_PROTOCOL_ERROR_NAME_EMPTY] = "name-empty",
  [CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG] = "name-too-long",
  [CONFAB_PROTOCOL_ERROR_NAME_INVALID] = "name-invalid",
  [CONFAB_PROTOCOL_ERROR_FRAME_TOO_LARGE] = "frame-too-large",
  [CONFAB_PROTOCOL_ERROR_INVALID_UTF8] = "invalid-utf8",
  [CONFAB_PROTOCOL_ERROR_TOO_DEEP] = "too-deep",
  [CONFAB_PROTOCOL_ERROR_BINARY_FRAME] = "binary-frame",
  [CONFAB_PROTOCOL_ERROR_NOT_REGISTERED] = "not-registered",
  [CONFAB_PROTOCOL_ERROR_ALREADY_REGISTERED] = "already-registered",
  [CONFAB_PROTOCOL_ERROR_UNEXPECTED_TYPE] = "unexpected-type",
  [CONFAB_PROTOCOL_ERROR_UNKNOWN_TARGET] = "unknown-target",
  [CONFAB_PROTOCOL_ERROR_RATE_LIMITED] = "rate-limited",
  [CONFAB_PROTOCOL_ERROR_SERVER_FULL] = "server-full",
};

const char *
confab_protocol_error_to_code (ConfabProtocolError code)
{
  if ((guint) code >= G_N_ELEMENTS (wire_codes))
    return "unknown";

  return wire_codes[code];
}

gboolean
confab_protocol_error_from_code (const char          *wire_code,
                                 ConfabProtocolError *code)
{
  g_return_val_if_fail (wire_code != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (wire_codes); i++)
    {
      if (strcmp (wire_codes[i], wire_code) == 0)
        {
          if (code != NULL)
            *code = i;
          return TRUE;
        }
    }

  return FALSE;
}
