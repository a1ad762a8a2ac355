/* confab-protocol-error.h: what can be wrong with a signalling frame
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_PROTOCOL_ERROR (confab_protocol_error_quark ())

/* Each code has a stable wire name, sent as the "code" of an error reply
 * (confab_protocol_error_to_code()).  Codes past PROTOCOL_ERROR_TOO_DEEP are
 * raised by a server, not by the parser. */
typedef enum
{
  CONFAB_PROTOCOL_ERROR_NOT_JSON,          /* "not-json" */
  CONFAB_PROTOCOL_ERROR_NOT_OBJECT,        /* "not-object" */
  CONFAB_PROTOCOL_ERROR_UNKNOWN_TYPE,      /* "unknown-type" */
  CONFAB_PROTOCOL_ERROR_MISSING_FIELD,     /* "missing-field" */
  CONFAB_PROTOCOL_ERROR_INVALID_FIELD,     /* "invalid-field": wrong JSON type or value */
  CONFAB_PROTOCOL_ERROR_NAME_EMPTY,        /* "name-empty" */
  CONFAB_PROTOCOL_ERROR_NAME_TOO_LONG,     /* "name-too-long" */
  CONFAB_PROTOCOL_ERROR_NAME_INVALID,      /* "name-invalid": control characters, bad UTF-8 */
  CONFAB_PROTOCOL_ERROR_FRAME_TOO_LARGE,   /* "frame-too-large" */
  CONFAB_PROTOCOL_ERROR_INVALID_UTF8,      /* "invalid-utf8" */
  CONFAB_PROTOCOL_ERROR_TOO_DEEP,          /* "too-deep": nesting past CONFAB_MESSAGE_MAX_DEPTH */
  /* server-side conditions */
  CONFAB_PROTOCOL_ERROR_BINARY_FRAME,      /* "binary-frame" */
  CONFAB_PROTOCOL_ERROR_NOT_REGISTERED,    /* "not-registered" */
  CONFAB_PROTOCOL_ERROR_ALREADY_REGISTERED,/* "already-registered" */
  CONFAB_PROTOCOL_ERROR_UNEXPECTED_TYPE,   /* "unexpected-type": a server-to-client kind sent to a server */
  CONFAB_PROTOCOL_ERROR_UNKNOWN_TARGET,    /* "unknown-target": nobody of that name is connected */
  CONFAB_PROTOCOL_ERROR_RATE_LIMITED,      /* "rate-limited" */
  CONFAB_PROTOCOL_ERROR_SERVER_FULL,       /* "server-full" */
} ConfabProtocolError;

GQuark      confab_protocol_error_quark     (void);
const char *confab_protocol_error_to_code   (ConfabProtocolError  code);
gboolean    confab_protocol_error_from_code (const char          *wire_code,
                                             ConfabProtocolError *code);

G_END_DECLS
