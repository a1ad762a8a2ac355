/* confab-identity.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "confab-fingerprint.h"
#include "confab-identity.h"

#define FILE_NAME "dtls-identity.pem"

/* Browsers and libwebrtc check only the fingerprint, never the dates, so
 * the certificate can outlive any install. */
#define VALID_DAYS (20 * 365)

struct _ConfabIdentity
{
  GObject  parent_instance;

  char    *path;
  char    *pem;
  char    *certificate_pem;
  char    *fingerprint;
  GBytes  *public_key;
  gboolean created;
};

G_DEFINE_FINAL_TYPE (ConfabIdentity, confab_identity, G_TYPE_OBJECT)

G_DEFINE_QUARK (confab-identity-error-quark, confab_identity_error)

static void
confab_identity_finalize (GObject *object)
{
  ConfabIdentity *self = (ConfabIdentity *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->pem, g_free);
  g_clear_pointer (&self->certificate_pem, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  g_clear_pointer (&self->public_key, g_bytes_unref);

  G_OBJECT_CLASS (confab_identity_parent_class)->finalize (object);
}

static void
confab_identity_class_init (ConfabIdentityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = confab_identity_finalize;
}

static void
confab_identity_init (ConfabIdentity *self)
{
}

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len);
}

static char *
certificate_to_pem (X509 *cert)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *pem = NULL;

  if (PEM_write_bio_X509 (bio, cert))
    pem = bio_to_string (bio);
  BIO_free (bio);
  return pem;
}

/* The certificate, then the key (PKCS #8, unencrypted: the file's mode
 * protects it, as ssh and browsers' profiles do). */
static char *
identity_to_pem (X509     *cert,
                 EVP_PKEY *key)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *pem = NULL;

  if (PEM_write_bio_X509 (bio, cert) &&
      PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL))
    pem = bio_to_string (bio);
  BIO_free (bio);
  return pem;
}

static X509 *
make_certificate (EVP_PKEY *key)
{
  X509 *cert = X509_new ();
  X509_NAME *name = X509_NAME_new ();
  BIGNUM *serial = BN_new ();
  gboolean ok;

  /* A random positive serial, as RFC 5280 asks, 63 bits. */
  ok = BN_rand (serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
       BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) != NULL &&
       X509_set_version (cert, X509_VERSION_3) &&
       X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const guchar *)"Confab", -1, -1, 0) &&
       X509_set_subject_name (cert, name) &&
       X509_set_issuer_name (cert, name) &&
       X509_gmtime_adj (X509_getm_notBefore (cert), -24 * 60 * 60) != NULL &&
       X509_gmtime_adj (X509_getm_notAfter (cert), (long)VALID_DAYS * 24 * 60 * 60) != NULL &&
       X509_set_pubkey (cert, key) &&
       X509_sign (cert, key, EVP_sha256 ()) > 0;

  BN_free (serial);
  X509_NAME_free (name);
  if (!ok)
    g_clear_pointer (&cert, X509_free);
  return cert;
}

static gboolean
fill_from (ConfabIdentity  *self,
           X509            *cert,
           EVP_PKEY        *key,
           GError         **error)
{
  guint8 *der = NULL;
  int len;

  self->pem = identity_to_pem (cert, key);
  self->certificate_pem = certificate_to_pem (cert);
  len = i2d_X509 (cert, &der);
  if (len > 0)
    self->fingerprint = confab_fingerprint_from_der (der, len);
  OPENSSL_free (der);
  der = NULL;
  len = i2d_PUBKEY (key, &der);
  if (len > 0)
    self->public_key = g_bytes_new (der, len);
  OPENSSL_free (der);

  if (self->pem == NULL || self->certificate_pem == NULL ||
      self->fingerprint == NULL || self->public_key == NULL)
    {
      g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_CORRUPT,
                   _("The identity key in %s could not be encoded."), self->path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
create (ConfabIdentity  *self,
        const char      *directory,
        GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  EVP_PKEY *key;
  X509 *cert = NULL;
  gboolean ok = FALSE;

  /* P-256: what browsers make by default, taken by GStreamer's DTLS
   * (test-identity proves it in a handshake), and generated in about a
   * millisecond where RSA-2048 takes a tenth of a second or more. */
  key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  if (key != NULL)
    cert = make_certificate (key);

  if (cert == NULL)
    g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_WRITE,
                 _("A new identity key could not be made: the system’s OpenSSL refused."));
  else if (fill_from (self, cert, key, error))
    {
      if (g_mkdir_with_parents (directory, 0700) != 0)
        g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_WRITE,
                     _("The folder %s for the identity key could not be made: %s."),
                     directory, g_strerror (errno));
      else if (!g_file_set_contents_full (self->path, self->pem, -1,
                                          G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                          &local_error))
        g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_WRITE,
                     _("The new identity key could not be saved: %s."), local_error->message);
      else
        ok = TRUE;
    }

  X509_free (cert);
  EVP_PKEY_free (key);
  return ok;
}

static gboolean
load (ConfabIdentity  *self,
      const char      *contents,
      GError         **error)
{
  BIO *bio = BIO_new_mem_buf (contents, -1);
  X509 *cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  EVP_PKEY *key = cert != NULL ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL) : NULL;
  gboolean ok = FALSE;

  BIO_free (bio);

  if (key == NULL || X509_check_private_key (cert, key) != 1)
    g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_CORRUPT,
                 _("The identity key file %s is damaged: it does not hold a certificate "
                   "and its private key.  It was left as it is: restore it from a backup, "
                   "or move it away to make a new identity, which your contacts will see "
                   "as a changed key."),
                 self->path);
  else
    ok = fill_from (self, cert, key, error);

  EVP_PKEY_free (key);
  X509_free (cert);
  return ok;
}

ConfabIdentity *
confab_identity_load_or_create (const char  *directory,
                                GError     **error)
{
  g_autoptr(ConfabIdentity) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CONFAB_TYPE_IDENTITY, NULL);
  self->path = g_build_filename (directory, FILE_NAME, NULL);

  if (g_file_get_contents (self->path, &contents, NULL, &local_error))
    {
      if (!load (self, contents, error))
        return NULL;
    }
  else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
           g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
    {
      /* Nothing there (NOTDIR: not even the directory, where a file is in
       * the way, which making the directory will report). */
      if (!create (self, directory, error))
        return NULL;
      self->created = TRUE;
    }
  else
    {
      g_set_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_UNREADABLE,
                   _("The identity key file %s cannot be read (%s).  It was left as it is: "
                     "fix its permissions, or move it away to make a new identity, which "
                     "your contacts will see as a changed key."),
                   self->path, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
confab_identity_get_path (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), NULL);

  return self->path;
}

gboolean
confab_identity_get_created (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), FALSE);

  return self->created;
}

const char *
confab_identity_get_pem (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), NULL);

  return self->pem;
}

const char *
confab_identity_get_certificate_pem (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), NULL);

  return self->certificate_pem;
}

const char *
confab_identity_get_fingerprint (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), NULL);

  return self->fingerprint;
}

GBytes *
confab_identity_get_public_key (ConfabIdentity *self)
{
  g_return_val_if_fail (CONFAB_IS_IDENTITY (self), NULL);

  return self->public_key;
}

/* Runs on webrtcbin's own thread, inside create-offer or
 * set-remote-description.  webrtcbin 1.22 gives no earlier handle on a DTLS
 * transport (its "sctp-transport" is NULL until then) and reads the
 * transport's "certificate", which is this element's "pem", for the SDP
 * right after adding it: so the element's arrival is the moment. */
static void
deep_element_added_cb (GstBin     *bin,
                       GstBin     *sub_bin,
                       GstElement *element,
                       gpointer    user_data)
{
  ConfabIdentity *self = user_data;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (element), "GstDtlsSrtpDec") == 0)
    g_object_set (element, "pem", self->pem, NULL);
}

void
confab_identity_use_in_webrtcbin (ConfabIdentity *self,
                                  GstElement     *webrtcbin)
{
  g_return_if_fail (CONFAB_IS_IDENTITY (self));
  g_return_if_fail (GST_IS_BIN (webrtcbin));

  /* The identity never changes after it is made, so the other thread
   * reads it without a lock; the reference keeps it alive as long as the
   * element. */
  g_signal_connect_data (webrtcbin, "deep-element-added",
                         G_CALLBACK (deep_element_added_cb),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
}
