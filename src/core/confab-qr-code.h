/* confab-qr-code.h: a QR code's modules, for the app to draw
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_QR_CODE_ERROR (confab_qr_code_error_quark ())

typedef enum
{
  CONFAB_QR_CODE_ERROR_FAILED, /* libqrencode refused: too long, or no memory */
} ConfabQrCodeError;

GQuark  confab_qr_code_error_quark (void);

/* Encodes @text (a safety number, say) as the smallest QR code with
 * error correction level M, and returns its modules row by row, one byte
 * a module (1 dark, 0 light), @size × @size of them, without the quiet
 * zone a drawing must leave around them. */
GBytes *confab_qr_code_encode      (const char  *text,
                                    guint       *size,
                                    GError     **error);

G_END_DECLS
