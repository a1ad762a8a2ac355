/* test-identity.c: the account's lasting certificate and key
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define GST_USE_UNSTABLE_API

#include <glib/gstdio.h>
#include <gst/webrtc/webrtc.h>
#include <string.h>
#include <sys/stat.h>

#include "confab-fingerprint.h"
#include "confab-identity.h"
#include "test-support.h"

typedef struct
{
  char *tmp;   /* removed after the test */
  char *dir;   /* tmp/data: not there until the identity makes it */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmp = g_dir_make_tmp ("confab-identity-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->dir = g_build_filename (fixture->tmp, "data", NULL);
}

static void
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->tmp);
  g_free (fixture->tmp);
  g_free (fixture->dir);
}

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static gboolean
bytes_contain (GBytes       *bytes,
               const guint8 *needle,
               gsize         needle_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

static void
test_identity_create_then_load (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabIdentity) made = confab_identity_load_or_create (fixture->dir, &error);
  g_autoptr(ConfabIdentity) read = NULL;
  g_autofree char *from_pem = NULL;
  g_autofree char *from_certificate = NULL;
  g_autoptr(GBytes) key_from_pem = NULL;
  const char *fingerprint;

  g_assert_no_error (error);
  g_assert_true (confab_identity_get_created (made));
  g_assert_true (g_str_has_prefix (confab_identity_get_path (made), fixture->dir));
  g_assert_cmpuint (mode_of (fixture->dir), ==, 0700);
  g_assert_cmpuint (mode_of (confab_identity_get_path (made)), ==, 0600);

  /* "sha-256 " and 32 hex pairs, as SDP writes it. */
  fingerprint = confab_identity_get_fingerprint (made);
  g_assert_true (g_str_has_prefix (fingerprint, "sha-256 "));
  g_assert_cmpuint (strlen (fingerprint), ==, 8 + 32 * 3 - 1);

  /* The PEM holds the certificate and its key; the fingerprint is the
   * certificate's, whichever PEM it is computed from. */
  g_assert_nonnull (strstr (confab_identity_get_pem (made), "-----BEGIN CERTIFICATE-----"));
  g_assert_nonnull (strstr (confab_identity_get_pem (made), "-----BEGIN PRIVATE KEY-----"));
  g_assert_null (strstr (confab_identity_get_certificate_pem (made), "PRIVATE KEY"));
  from_pem = confab_fingerprint_from_pem (confab_identity_get_pem (made), &error);
  g_assert_no_error (error);
  from_certificate = confab_fingerprint_from_pem (confab_identity_get_certificate_pem (made), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_pem, ==, fingerprint);
  g_assert_cmpstr (from_certificate, ==, fingerprint);

  /* An ECDSA P-256 key: its SubjectPublicKeyInfo is 91 bytes and names the
   * curve (OID 1.2.840.10045.3.1.7). */
  key_from_pem = confab_fingerprint_public_key_from_pem (confab_identity_get_pem (made), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (key_from_pem, confab_identity_get_public_key (made)));
  g_assert_cmpuint (g_bytes_get_size (confab_identity_get_public_key (made)), ==, 91);
  g_assert_true (bytes_contain (key_from_pem,
                                (const guint8 *) "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07", 10));

  /* The same directory gives the same identity, read rather than made. */
  read = confab_identity_load_or_create (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_false (confab_identity_get_created (read));
  g_assert_cmpstr (confab_identity_get_fingerprint (read), ==, fingerprint);
  g_assert_cmpstr (confab_identity_get_pem (read), ==, confab_identity_get_pem (made));
  g_assert_true (g_bytes_equal (confab_identity_get_public_key (read),
                                confab_identity_get_public_key (made)));
}

static void
test_identity_other_directory (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_dir = g_build_filename (fixture->tmp, "other", NULL);
  g_autoptr(ConfabIdentity) one = confab_identity_load_or_create (fixture->dir, &error);
  g_autoptr(ConfabIdentity) other = confab_identity_load_or_create (other_dir, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (confab_identity_get_fingerprint (one), !=, confab_identity_get_fingerprint (other));
  g_assert_false (g_bytes_equal (confab_identity_get_public_key (one),
                                 confab_identity_get_public_key (other)));
}

/* What is there is never replaced: the error names the file and says what
 * to do, and the file is as it was. */
static void
assert_refused (Fixture    *fixture,
                const char *contents,
                gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "dtls-identity.pem", NULL);
  g_autofree char *after = NULL;
  gsize after_len = 0;
  g_autoptr(ConfabIdentity) identity = NULL;

  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, len, &error));

  identity = confab_identity_load_or_create (fixture->dir, &error);
  g_assert_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_CORRUPT);
  g_assert_null (identity);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "left as it is"));

  g_assert_true (g_file_get_contents (path, &after, &after_len, NULL));
  g_assert_cmpmem (after, after_len, contents, len);
}

static void
test_identity_corrupt (Fixture       *fixture,
                       gconstpointer  data)
{
  assert_refused (fixture, "not a key at all\n", 17);
}

static void
test_identity_truncated (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *other_dir = g_build_filename (fixture->tmp, "other", NULL);
  g_autoptr(ConfabIdentity) real = confab_identity_load_or_create (other_dir, &error);
  const char *pem;

  g_assert_no_error (error);
  pem = confab_identity_get_pem (real);
  /* The certificate without its key, as a full disk might leave it. */
  assert_refused (fixture, pem, strstr (pem, "-----BEGIN PRIVATE KEY-----") - pem);
}

static void
test_identity_mismatched_key (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir_a = g_build_filename (fixture->tmp, "a", NULL);
  g_autofree char *dir_b = g_build_filename (fixture->tmp, "b", NULL);
  g_autoptr(ConfabIdentity) a = confab_identity_load_or_create (dir_a, &error);
  g_autoptr(ConfabIdentity) b = confab_identity_load_or_create (dir_b, &error);
  g_autofree char *spliced = NULL;

  g_assert_no_error (error);
  /* A's certificate with B's key. */
  spliced = g_strconcat (confab_identity_get_certificate_pem (a),
                         strstr (confab_identity_get_pem (b), "-----BEGIN PRIVATE KEY-----"),
                         NULL);
  assert_refused (fixture, spliced, strlen (spliced));
}

static void
test_identity_unreadable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "dtls-identity.pem", NULL);
  g_autoptr(ConfabIdentity) identity = NULL;

  /* A directory where the file should be: unreadable even for root,
   * which chmod 000 would not stop. */
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);

  identity = confab_identity_load_or_create (fixture->dir, &error);
  g_assert_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_UNREADABLE);
  g_assert_null (identity);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

static void
test_identity_unwritable (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabIdentity) identity = NULL;

  /* A file where the directory should be. */
  g_assert_true (g_file_set_contents (fixture->dir, "", 0, &error));

  identity = confab_identity_load_or_create (fixture->dir, &error);
  g_assert_error (error, CONFAB_IDENTITY_ERROR, CONFAB_IDENTITY_ERROR_WRITE);
  g_assert_null (identity);
}

static void
offer_created_cb (GstPromise *promise,
                  gpointer    user_data)
{
  char **sdp = user_data;
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autoptr(GstWebRTCSessionDescription) offer = NULL;

  gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  g_atomic_pointer_set (sdp, gst_sdp_message_as_text (offer->sdp));
  gst_promise_unref (promise);
  g_main_context_wakeup (NULL);
}

/* What webrtcbin puts in a=fingerprint for a "certificate" property: the
 * SHA-256 of every base64 line of it, so of the key as well when there is
 * one (webrtcbin 1.22's _generate_fingerprint_from_certificate()). */
static char *
webrtcbin_fingerprint_of (const char *pem)
{
  g_auto(GStrv) lines = g_strsplit (pem, "\n", -1);
  g_autoptr(GString) base64 = g_string_new (NULL);
  g_autofree guint8 *der = NULL;
  gsize len = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && !g_str_has_prefix (lines[i], "-----"))
      g_string_append (base64, lines[i]);

  der = g_base64_decode (base64->str, &len);
  return confab_fingerprint_from_der (der, len);
}

/* A real webrtcbin takes the identity: the DTLS transport reports our PEM
 * as its certificate, and the offer's a=fingerprint is made from it.  With
 * GStreamer 1.22 that fingerprint is not the certificate's (the key's
 * lines are hashed too), which is why a peer must correct its SDP with
 * confab_fingerprint_replace_in_sdp(); test-fingerprint-relay shows a
 * handshake proving exactly this certificate. */
static void
test_identity_webrtcbin_offer (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabIdentity) identity = confab_identity_load_or_create (fixture->dir, &error);
  g_autoptr(GstElement) pipeline = gst_pipeline_new (NULL);
  GstElement *webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  g_autoptr(GstWebRTCDataChannel) channel = NULL;
  g_autoptr(GObject) sctp = NULL;
  g_autoptr(GstWebRTCDTLSTransport) dtls = NULL;
  g_autoptr(GPtrArray) fingerprints = NULL;
  g_autofree char *sdp = NULL;
  g_autofree char *certificate = NULL;
  g_autofree char *as_webrtcbin_hashes = NULL;
  g_autofree char *corrected = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (webrtcbin);
  gst_bin_add (GST_BIN (pipeline), webrtcbin);
  confab_identity_use_in_webrtcbin (identity, webrtcbin);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  g_signal_emit_by_name (webrtcbin, "create-data-channel", "chat", NULL, &channel);
  g_assert_nonnull (channel);
  g_signal_emit_by_name (webrtcbin, "create-offer", NULL,
                         gst_promise_new_with_change_func (offer_created_cb, &sdp, NULL));
  test_wait_for ("webrtcbin's offer", g_atomic_pointer_get (&sdp) != NULL);

  /* The transport was made inside create-offer, and holds our PEM. */
  g_object_get (webrtcbin, "sctp-transport", &sctp, NULL);
  g_assert_nonnull (sctp);
  g_object_get (sctp, "transport", &dtls, NULL);
  g_object_get (dtls, "certificate", &certificate, NULL);
  g_assert_cmpstr (certificate, ==, confab_identity_get_pem (identity));

  fingerprints = confab_fingerprint_parse_sdp (sdp, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fingerprints->len, ==, 1);
  as_webrtcbin_hashes = webrtcbin_fingerprint_of (confab_identity_get_pem (identity));
  if (g_str_equal (g_ptr_array_index (fingerprints, 0), confab_identity_get_fingerprint (identity)))
    g_test_message ("This webrtcbin writes the certificate's own fingerprint");
  else
    g_assert_cmpstr (g_ptr_array_index (fingerprints, 0), ==, as_webrtcbin_hashes);

  corrected = confab_fingerprint_replace_in_sdp (sdp, confab_identity_get_fingerprint (identity));
  g_assert_true (confab_fingerprint_verify_sdp (corrected, confab_identity_get_certificate_pem (identity),
                                                &error));
  g_assert_no_error (error);

  g_clear_object (&channel);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/identity/create-then-load", test_identity_create_then_load);
  ADD ("/identity/other-directory", test_identity_other_directory);
  ADD ("/identity/corrupt", test_identity_corrupt);
  ADD ("/identity/truncated", test_identity_truncated);
  ADD ("/identity/mismatched-key", test_identity_mismatched_key);
  ADD ("/identity/unreadable", test_identity_unreadable);
  ADD ("/identity/unwritable", test_identity_unwritable);
  ADD ("/identity/webrtcbin-offer", test_identity_webrtcbin_offer);
#undef ADD

  return g_test_run ();
}
