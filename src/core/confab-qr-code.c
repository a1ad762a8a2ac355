/* confab-qr-code.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

#include "confab-qr-code.h"

G_DEFINE_QUARK (confab-qr-code-error-quark, confab_qr_code_error)

GBytes *
confab_qr_code_encode (const char  *text,
                       guint       *size,
                       GError     **error)
{
  QRcode *code;
  guint8 *modules;
  gsize n;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (size != NULL, NULL);

  /* Version 0: the smallest that holds @text.  Digits and spaces are
   * encoded as one 8-bit string, so what a scanner reads is @text exactly. */
  code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (code == NULL)
    {
      g_set_error (error, CONFAB_QR_CODE_ERROR, CONFAB_QR_CODE_ERROR_FAILED,
                   _("No QR code could be made of this text: %s."), g_strerror (errno));
      return NULL;
    }

  /* libqrencode keeps other facts in the higher bits; bit 0 is the colour. */
  n = (gsize)code->width * code->width;
  modules = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    modules[i] = code->data[i] & 1;

  *size = code->width;
  QRcode_free (code);
  return g_bytes_new_take (modules, n);
}
