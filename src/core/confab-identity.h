/* confab-identity.h: the account's lasting DTLS certificate and key
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define CONFAB_IDENTITY_ERROR (confab_identity_error_quark ())

typedef enum
{
  CONFAB_IDENTITY_ERROR_UNREADABLE, /* the file is there but cannot be read */
  CONFAB_IDENTITY_ERROR_CORRUPT,    /* it holds no matching certificate and key */
  CONFAB_IDENTITY_ERROR_WRITE,      /* a new identity could not be saved */
} ConfabIdentityError;

#define CONFAB_TYPE_IDENTITY (confab_identity_get_type ())

G_DECLARE_FINAL_TYPE (ConfabIdentity, confab_identity, CONFAB, IDENTITY, GObject)

GQuark          confab_identity_error_quark           (void);

/* Reads the identity kept in @directory, or makes one (an ECDSA P-256 key
 * and a self-signed certificate) and keeps it there, the file 0600 and a
 * directory it creates 0700.  A file that is there but cannot be read or
 * parsed is left as it is, and reported in CONFAB_IDENTITY_ERROR. */
ConfabIdentity *confab_identity_load_or_create        (const char     *directory,
                                                       GError        **error);
/* The file the identity lives in. */
const char     *confab_identity_get_path              (ConfabIdentity *self);
/* Whether this call made the identity (FALSE: it was read). */
gboolean        confab_identity_get_created           (ConfabIdentity *self);
/* Certificate and private key in PEM, as dtlsdec's "pem" and the DTLS
 * transport's "certificate" want them.  webrtcbin 1.22 hashes every base64
 * line of that property for its a=fingerprint, key included, so the SDP it
 * writes names no certificate at all: correct it with
 * confab_fingerprint_replace_in_sdp() and confab_identity_get_fingerprint(). */
const char     *confab_identity_get_pem               (ConfabIdentity *self);
/* The certificate alone, in PEM. */
const char     *confab_identity_get_certificate_pem   (ConfabIdentity *self);
/* "sha-256 AB:CD:...", as an a=fingerprint line writes it. */
const char     *confab_identity_get_fingerprint       (ConfabIdentity *self);
/* The public key as DER SubjectPublicKeyInfo, for safety numbers. */
GBytes         *confab_identity_get_public_key        (ConfabIdentity *self);
/* Makes @webrtcbin's DTLS transports use this identity.  Call it before
 * create-offer or set-remote-description: webrtcbin makes its transports
 * inside those, and reads the certificate for the SDP right away. */
void            confab_identity_use_in_webrtcbin      (ConfabIdentity *self,
                                                       GstElement     *webrtcbin);

G_END_DECLS
