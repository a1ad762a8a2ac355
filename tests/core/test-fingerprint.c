/* test-fingerprint.c: a=fingerprint lines, certificates and their comparison
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-fingerprint.h"

/* Two self-signed ECDSA P-256 certificates made with the openssl command,
 * and the fingerprints `openssl x509 -noout -fingerprint -sha256` (-sha1,
 * -sha512) printed for them: an oracle other than the code under test. */
static const char cert_a[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBeDCCAR2gAwIBAgIUGkQI6roztaN1HRmi4X/BKETLnyswCgYIKoZIzj0EAwIw\n"
  "ETEPMA0GA1UEAwwGQ29uZmFiMB4XDTI2MTIwMjE4MjQxMloXDTM2MTEyOTE4MjQx\n"
  "MlowETEPMA0GA1UEAwwGQ29uZmFiMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
  "8uv9fLdvhuVcpzmWngJ/dHYEzJSsdPiZYnny7hI8HorZtvcQEHG2PRZnGm6kSIaz\n"
  "CbKnY71tGYjhKGo6NZwE7qNTMFEwHQYDVR0OBBYEFGVKTi99OdK0vYt7l0nIji5K\n"
  "Zg04MB8GA1UdIwQYMBaAFGVKTi99OdK0vYt7l0nIji5KZg04MA8GA1UdEwEB/wQF\n"
  "MAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAOreN5a9Kq9Io+DDY2GOxnRNQWb+V8TH\n"
  "+DXLLaySDMzXAiEA2MTDGp2eQc+mec0WtH812NJg9mqkXgl7LAQB/Q/ds1o=\n"
  "-----END CERTIFICATE-----\n";

static const char cert_b[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBdTCCARugAwIBAgIUVAtSFcL8CahVm3nk483e4o5cbF4wCgYIKoZIzj0EAwIw\n"
  "EDEOMAwGA1UEAwwFT3RoZXIwHhcNMjYxMjAyMTgyNzAzWhcNMzYxMTI5MTgyNzAz\n"
  "WjAQMQ4wDAYDVQQDDAVPdGhlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCFG\n"
  "9LAs1+AlP7raqnZ9PStquA0xdY4lWnKtSyTts+qmtUuJi2YmQWC+8RPe9ggUfEcY\n"
  "lMXf0V+35ulNUwMVMGajUzBRMB0GA1UdDgQWBBTIJJg0zmm1GncOUh8AqPdIZYP3\n"
  "jTAfBgNVHSMEGDAWgBTIJJg0zmm1GncOUh8AqPdIZYP3jTAPBgNVHRMBAf8EBTAD\n"
  "AQH/MAoGCCqGSM49BAMCA0gAMEUCIGgMcJ5tjV8kkcvLVLRfGlyOisFSv3SXuRQD\n"
  "7IMRLUv+AiEAz1y16KyrcUiy+oI+VObgGGOrUlw27lOwSm1L/tqab7I=\n"
  "-----END CERTIFICATE-----\n";

#define A_SHA256 "A6:5C:70:AF:91:DC:65:5E:CD:6B:99:07:B8:4B:BB:1A:55:AA:90:BA:D3:F0:EA:06:2A:D6:99:29:AE:29:09:09"
#define A_SHA1   "37:AD:2F:9F:BD:03:4F:06:4E:25:4C:7A:03:E5:B7:61:78:52:58:2F"
#define A_SHA512 "53:3C:80:1B:D0:A3:6C:CD:68:C4:69:17:81:2E:5A:D3:6C:D4:3A:B5:52:2E:59:47:68:9A:3C:5B:40:84:D5:1F:8D:8C:A7:AD:EB:A6:FA:98:78:04:A8:DA:6D:7A:3F:94:1E:27:86:34:B0:30:0D:5B:4D:9E:62:8D:6E:31:ED:81"
#define B_SHA256 "D6:B3:B7:5B:24:45:4C:F8:18:1D:B4:82:A6:7B:5D:DF:4B:A8:B1:9F:2B:7D:EC:38:F6:D8:56:4E:A9:3F:8F:A1"
/* sha256sum of `openssl pkey -pubin -outform der` of cert_a's key */
#define A_SPKI_SHA256 "9e355ab7bf4b750e7eee7f673a6d3174213fc5fae78f923af8261c3eba59a115"

/* An SDP as webrtcbin writes one for a data channel, with @session and
 * @media fingerprint lines (either may be empty). */
static char *
make_sdp (const char *session,
          const char *media)
{
  return g_strconcat ("v=0\r\n"
                      "o=- 6930674735310597477 0 IN IP4 0.0.0.0\r\n"
                      "s=-\r\n"
                      "t=0 0\r\n",
                      session,
                      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                      "c=IN IP4 0.0.0.0\r\n"
                      "a=setup:actpass\r\n"
                      "a=mid:application0\r\n"
                      "a=sctp-port:5000\r\n",
                      media,
                      NULL);
}

static void
test_fingerprint_from_pem (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = confab_fingerprint_from_pem (cert_a, &error);
  g_autofree char *b = NULL;
  char *none;

  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "sha-256 " A_SHA256);

  b = confab_fingerprint_from_pem (cert_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b, ==, "sha-256 " B_SHA256);

  none = confab_fingerprint_from_pem ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                      &error);
  g_assert_error (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE);
  g_assert_null (none);
}

static void
test_fingerprint_public_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = confab_fingerprint_public_key_from_pem (cert_a, &error);
  g_autofree char *digest = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (key);
  digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, key);
  g_assert_cmpstr (digest, ==, A_SPKI_SHA256);
}

static void
test_fingerprint_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = make_sdp ("a=fingerprint:SHA-1 37:ad:2f:9f:bd:03:4f:06:4e:25:4c:7a:03:e5:b7:61:78:52:58:2f\r\n",
                                   "a=fingerprint:sha-256 " A_SHA256 "\r\n"
                                   "a=fingerprint:md5 00:11\r\n"
                                   "a=fingerprint:x-new-hash whatever it is\r\n");
  g_autoptr(GPtrArray) found = confab_fingerprint_parse_sdp (sdp, &error);

  g_assert_no_error (error);
  /* Case folded, hex in capitals, unknown and retired hashes skipped. */
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (found, 0), ==, "sha-1 " A_SHA1);
  g_assert_cmpstr (g_ptr_array_index (found, 1), ==, "sha-256 " A_SHA256);
}

static void
test_fingerprint_parse_malformed (void)
{
  static const char * const bad[] = {
    "a=fingerprint:sha-256 A6:5C\r\n",                  /* too short */
    "a=fingerprint:sha-256 A6:\r\n",                    /* ends at a colon */
    "a=fingerprint:sha-256 A6:5",                       /* half a pair, at the very end */
    "a=fingerprint:sha-256 " A_SHA256 ":00\r\n",        /* too long */
    "a=fingerprint:sha-256 " A_SHA256 " trailing\r\n",
    "a=fingerprint:sha-256 A65C70AF91DC655ECD6B9907B84BBB1A55AA90BAD3F0EA062AD69929AE290909\r\n",
    "a=fingerprint:sha-256 G6:5C:70:AF:91:DC:65:5E:CD:6B:99:07:B8:4B:BB:1A:55:AA:90:BA:D3:F0:EA:06:2A:D6:99:29:AE:29:09:09\r\n",
    "a=fingerprint:sha-256\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sdp = make_sdp ("", bad[i]);
      g_autoptr(GPtrArray) found = confab_fingerprint_parse_sdp (sdp, &error);

      g_assert_error (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_MALFORMED);
      g_assert_null (found);
    }
}

static void
test_fingerprint_verify (void)
{
  struct {
    const char *session;
    const char *media;
    int         code;   /* -1: verified */
  } cases[] = {
    /* media level, as webrtcbin and browsers write it */
    { "", "a=fingerprint:sha-256 " A_SHA256 "\r\n", -1 },
    /* session level, lower-case hex, algorithm in capitals, LF alone */
    { "a=fingerprint:SHA-256 a6:5c:70:af:91:dc:65:5e:cd:6b:99:07:b8:4b:bb:1a:55:aa:90:ba:d3:f0:ea:06:2a:d6:99:29:ae:29:09:09\n", "", -1 },
    /* a second, stronger hash that also matches */
    { "", "a=fingerprint:sha-256 " A_SHA256 "\r\na=fingerprint:sha-512 " A_SHA512 "\r\n", -1 },
    /* unknown hashes do not count */
    { "", "a=fingerprint:sha-256 " A_SHA256 "\r\na=fingerprint:x-hash 00\r\n", -1 },
    /* somebody else's certificate */
    { "", "a=fingerprint:sha-256 " B_SHA256 "\r\n", CONFAB_FINGERPRINT_ERROR_MISMATCH },
    /* one right line does not excuse a wrong one */
    { "a=fingerprint:sha-256 " B_SHA256 "\r\n", "a=fingerprint:sha-256 " A_SHA256 "\r\n", CONFAB_FINGERPRINT_ERROR_MISMATCH },
    { "", "a=fingerprint:sha-256 " A_SHA256 "\r\na=fingerprint:sha-1 3C:B0:7D:B8:92:B9:C8:99:BD:B2:0B:8A:94:32:2A:76:8F:C5:E2:8B\r\n",
      CONFAB_FINGERPRINT_ERROR_MISMATCH },
    /* sha-1 alone is not enough, nor is nothing */
    { "", "a=fingerprint:sha-1 " A_SHA1 "\r\n", CONFAB_FINGERPRINT_ERROR_MISSING },
    { "", "", CONFAB_FINGERPRINT_ERROR_MISSING },
    { "", "a=fingerprint:sha-256 " A_SHA256 "00\r\n", CONFAB_FINGERPRINT_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *sdp = make_sdp (cases[i].session, cases[i].media);
      gboolean ok = confab_fingerprint_verify_sdp (sdp, cert_a, &error);

      g_test_message ("case %u", i);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, CONFAB_FINGERPRINT_ERROR, cases[i].code);
          g_assert_false (ok);
        }
    }
}

static void
test_fingerprint_verify_bad_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = make_sdp ("", "a=fingerprint:sha-256 " A_SHA256 "\r\n");

  g_assert_false (confab_fingerprint_verify_sdp (sdp, "not a certificate", &error));
  g_assert_error (error, CONFAB_FINGERPRINT_ERROR, CONFAB_FINGERPRINT_ERROR_BAD_CERTIFICATE);
}

static void
test_fingerprint_replace (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = make_sdp ("a=fingerprint:sha-1 " A_SHA1 "\r\n",
                                   "a=fingerprint:sha-256 " A_SHA256 "\r\n");
  g_autofree char *replaced = confab_fingerprint_replace_in_sdp (sdp, "sha-256 " B_SHA256);
  g_autoptr(GPtrArray) found = confab_fingerprint_parse_sdp (replaced, &error);
  g_autofree char *expected = make_sdp ("a=fingerprint:sha-256 " B_SHA256 "\r\n",
                                        "a=fingerprint:sha-256 " B_SHA256 "\r\n");

  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 2);
  /* Only the fingerprint lines change, line endings and all. */
  g_assert_cmpstr (replaced, ==, expected);
  g_assert_true (confab_fingerprint_verify_sdp (replaced, cert_b, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fingerprint/from-pem", test_fingerprint_from_pem);
  g_test_add_func ("/fingerprint/public-key", test_fingerprint_public_key);
  g_test_add_func ("/fingerprint/parse", test_fingerprint_parse);
  g_test_add_func ("/fingerprint/parse-malformed", test_fingerprint_parse_malformed);
  g_test_add_func ("/fingerprint/verify", test_fingerprint_verify);
  g_test_add_func ("/fingerprint/verify-bad-certificate", test_fingerprint_verify_bad_certificate);
  g_test_add_func ("/fingerprint/replace", test_fingerprint_replace);

  return g_test_run ();
}
