/* confab-fingerprint.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "confab-fingerprint.h"

G_DEFINE_QUARK (confab-fingerprint-error-quark, confab_fingerprint_error)

#define ATTRIBUTE "a=fingerprint:"

typedef struct
{
  const char    *name;  /* as RFC 8122's hash function registry spells it */
  const EVP_MD *(*md) (void);
} Algorithm;

/* MD5 and MD2 are in the registry too, but nobody may rely on them: a line
 * naming them is skipped like an unknown one. */
static const Algorithm algorithms[] = {
  { "sha-1", EVP_sha1 },
  { "sha-224", EVP_sha224 },
  { "sha-256", EVP_sha256 },
  { "sha-384", EVP_sha384 },
  { "sha-512", EVP_sha512 },
};

typedef struct
{
  const Algorithm *algorithm;
  guint8           digest[EVP_MAX_MD_SIZE];
  unsigned int     len;
} Fingerprint;

static const Algorithm *
find_algorithm (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_ascii_strcasecmp (name, algorithms[i].name) == 0)
      return &algorithms[i];

  return NULL;
}

static char *
format_fingerprint (const char   *name,
                    const guint8 *digest,
                    gsize         len)
{
  GString *out = g_string_new (name);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%c%02X", i == 0 ? ' ' : ':', digest[i]);

  return g_string_free (out, FALSE);
}

static X509 *
read_certificate (const char  *pem,
                  GError     **error)
{
  BIO *bio = BIO_new_mem_buf (pem, -1);
  X509 *cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);

  BIO_free (bio);
  if (cert == NULL)
    g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR,
                         CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE,
                         _("The other side’s certificate could not be read."));
  return cert;
}

char *
confab_fingerprint_from_der (const guint8 *der,
                             gsize         len)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;

  g_return_val_if_fail (der != NULL, NULL);

  if (!EVP_Digest (der, len, digest, &digest_len, EVP_sha256 (), NULL))
    g_error ("OpenSSL could not compute a SHA-256 digest");

  return format_fingerprint ("sha-256", digest, digest_len);
}

static gboolean
digest_certificate (X509            *cert,
                    const Algorithm *algorithm,
                    guint8          *digest,
                    unsigned int    *len)
{
  return X509_digest (cert, algorithm->md (), digest, len) == 1;
}

char *
confab_fingerprint_from_pem (const char  *pem,
                             GError     **error)
{
  X509 *cert;
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  char *result = NULL;

  g_return_val_if_fail (pem != NULL, NULL);

  if ((cert = read_certificate (pem, error)) == NULL)
    return NULL;

  if (digest_certificate (cert, find_algorithm ("sha-256"), digest, &len))
    result = format_fingerprint ("sha-256", digest, len);
  else
    g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR,
                         CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE,
                         _("The other side’s certificate could not be read."));
  X509_free (cert);
  return result;
}

GBytes *
confab_fingerprint_public_key_from_pem (const char  *pem,
                                        GError     **error)
{
  X509 *cert;
  guint8 *der = NULL;
  int len;
  GBytes *result = NULL;

  g_return_val_if_fail (pem != NULL, NULL);

  if ((cert = read_certificate (pem, error)) == NULL)
    return NULL;

  len = i2d_PUBKEY (X509_get0_pubkey (cert), &der);
  if (len > 0)
    result = g_bytes_new (der, len);
  else
    g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR,
                         CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE,
                         _("The other side’s certificate could not be read."));
  OPENSSL_free (der);
  X509_free (cert);
  return result;
}

/* Parses "HASH XX:XX:..." (after the attribute name).  Returns FALSE with
 * @error for a known hash with a bad value; TRUE with fp->algorithm NULL
 * for an unknown hash. */
static gboolean
parse_value (const char   *value,
             Fingerprint  *fp,
             GError      **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (value));
  g_auto(GStrv) parts = g_strsplit_set (copy, " \t", 2);
  const char *p;
  gsize expected;

  fp->algorithm = NULL;
  fp->len = 0;

  fp->algorithm = find_algorithm (parts[0] != NULL ? parts[0] : "");
  if (fp->algorithm == NULL)
    return TRUE;

  expected = EVP_MD_get_size (fp->algorithm->md ());
  p = parts[1] != NULL ? parts[1] : "";
  while (*p == ' ' || *p == '\t')
    p++;

  for (gsize i = 0; i < expected; i++)
    {
      int hi, lo;

      /* Never step past the end: a short value stops here. */
      if (i > 0)
        {
          if (*p != ':')
            break;
          p++;
        }
      hi = g_ascii_xdigit_value (p[0]);
      lo = hi < 0 ? -1 : g_ascii_xdigit_value (p[1]);
      if (lo < 0)
        break;
      fp->digest[fp->len++] = (guint8) (hi << 4 | lo);
      p += 2;
    }

  while (*p == ' ' || *p == '\t')
    p++;

  if (fp->len != expected || *p != '\0')
    {
      g_set_error (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MALFORMED,
                   _("The other side sent a %s fingerprint that is not %zu colon-separated hex pairs."),
                   fp->algorithm->name, expected);
      return FALSE;
    }

  return TRUE;
}

/* Every known fingerprint of @sdp, session- and media-level alike: one
 * peer connection has one certificate, so each must name it. */
static GArray *
parse_sdp (const char  *sdp,
           GError     **error)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (Fingerprint));
  g_auto(GStrv) lines = g_strsplit (sdp, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      Fingerprint fp;

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (!g_str_has_prefix (line, ATTRIBUTE))
        continue;

      if (!parse_value (line + strlen (ATTRIBUTE), &fp, error))
        return NULL;
      if (fp.algorithm != NULL)
        g_array_append_val (found, fp);
    }

  return g_steal_pointer (&found);
}

GPtrArray *
confab_fingerprint_parse_sdp (const char  *sdp,
                              GError     **error)
{
  g_autoptr(GArray) found = NULL;
  GPtrArray *result;

  g_return_val_if_fail (sdp != NULL, NULL);

  if ((found = parse_sdp (sdp, error)) == NULL)
    return NULL;

  result = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < found->len; i++)
    {
      const Fingerprint *fp = &g_array_index (found, Fingerprint, i);

      g_ptr_array_add (result, format_fingerprint (fp->algorithm->name, fp->digest, fp->len));
    }

  return result;
}

gboolean
confab_fingerprint_verify_sdp (const char  *sdp,
                               const char  *certificate_pem,
                               GError     **error)
{
  g_autoptr(GArray) found = NULL;
  gboolean has_sha256 = FALSE;
  gboolean all_match = TRUE;
  X509 *cert;

  g_return_val_if_fail (sdp != NULL, FALSE);
  g_return_val_if_fail (certificate_pem != NULL, FALSE);

  if ((found = parse_sdp (sdp, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < found->len; i++)
    if (g_str_equal (g_array_index (found, Fingerprint, i).algorithm->name, "sha-256"))
      has_sha256 = TRUE;

  if (!has_sha256)
    {
      g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MISSING,
                           _("The other side’s connection details carry no SHA-256 fingerprint, "
                             "so its certificate cannot be checked."));
      return FALSE;
    }

  if ((cert = read_certificate (certificate_pem, error)) == NULL)
    return FALSE;

  /* No early exit: how long the check takes says nothing about which
   * line or byte differed. */
  for (guint i = 0; i < found->len; i++)
    {
      const Fingerprint *fp = &g_array_index (found, Fingerprint, i);
      guint8 digest[EVP_MAX_MD_SIZE];
      unsigned int len = 0;

      if (!digest_certificate (cert, fp->algorithm, digest, &len) || len != fp->len)
        all_match = FALSE;
      else
        all_match &= CRYPTO_memcmp (digest, fp->digest, len) == 0;
    }

  X509_free (cert);

  if (!all_match)
    {
      g_set_error_literal (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MISMATCH,
                           _("The connection was tampered with: the other side proved a different "
                             "certificate from the one its connection details name."));
      return FALSE;
    }

  return TRUE;
}

char *
confab_fingerprint_replace_in_sdp (const char *sdp,
                                   const char *fingerprint)
{
  g_auto(GStrv) lines = NULL;
  GString *out;

  g_return_val_if_fail (sdp != NULL, NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  lines = g_strsplit (sdp, "\n", -1);
  out = g_string_sized_new (strlen (sdp) + 16);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      gboolean crlf = g_str_has_suffix (line, "\r");

      if (i > 0)
        g_string_append_c (out, '\n');

      if (g_str_has_prefix (line, ATTRIBUTE))
        g_string_append_printf (out, ATTRIBUTE "%s%s", fingerprint, crlf ? "\r" : "");
      else
        g_string_append (out, line);
    }

  return g_string_free (out, FALSE);
}
