/* confab-fingerprint.h: DTLS certificate fingerprints, as SDP writes them
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CONFAB_FINGERPRINT_ERROR (confab_fingerprint_error_quark ())

typedef enum
{
  CONFAB_FINGERPRINT_ERROR_MISSING,         /* the SDP has no sha-256 fingerprint */
  CONFAB_FINGERPRINT_ERROR_MALFORMED,       /* a known algorithm with a value of the wrong form */
  CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE, /* the PEM holds no X.509 certificate */
  CONFAB_FINGERPRINT_ERROR_MISMATCH,        /* the certificate is not the one the SDP names */
} ConfabFingerprintError;

GQuark     confab_fingerprint_error_quark      (void);

/* "sha-256 AB:CD:...", as an a=fingerprint line carries it, of the DER
 * certificate @der. */
char      *confab_fingerprint_from_der         (const guint8  *der,
                                                gsize          len);
/* The same, of the first certificate in @pem (the key, if any, is skipped). */
char      *confab_fingerprint_from_pem         (const char    *pem,
                                                GError       **error);
/* The certificate's public key as DER SubjectPublicKeyInfo: what safety
 * numbers and pinned contacts are made of. */
GBytes    *confab_fingerprint_public_key_from_pem (const char *pem,
                                                   GError    **error);
/* Every a=fingerprint of @sdp (session and media level) whose algorithm is
 * known, normalised as "sha-256 AB:CD:..." in the order they appear.
 * Fails on a known algorithm with a malformed value; unknown algorithms
 * are skipped. */
GPtrArray *confab_fingerprint_parse_sdp        (const char    *sdp,
                                                GError       **error);
/* Whether @certificate_pem (what the DTLS handshake proved) is the
 * certificate @sdp names: the SDP must carry a sha-256 fingerprint, and
 * every fingerprint of a known algorithm must match.  Compared in
 * constant time.
 *
 * Where to call it, with webrtcbin 1.22: in a handler of the DTLS
 * transport's (webrtcbin "sctp-transport" -> "transport") notify::state,
 * when the state is CONNECTED, with its "remote-certificate".  That
 * notify runs on the GStreamer thread that finished the handshake, which
 * is the thread that decrypts the peer's packets, so the verdict is in
 * before any SCTP packet of the peer's is read and before any data
 * channel opens (test-fingerprint-relay measures it).  It touches no
 * shared state, so that thread may call it. */
gboolean   confab_fingerprint_verify_sdp       (const char    *sdp,
                                                const char    *certificate_pem,
                                                GError       **error);
/* @sdp with the value of every a=fingerprint line replaced by
 * @fingerprint.  webrtcbin 1.22 writes a wrong fingerprint for a
 * certificate given with its key (see confab-identity.h), so a peer
 * corrects its own offer or answer with this before sending it. */
char      *confab_fingerprint_replace_in_sdp   (const char    *sdp,
                                                const char    *fingerprint);

G_END_DECLS
