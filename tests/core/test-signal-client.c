/* test-signal-client.c: ConfabSignalClient against the real ConfabSignalServer
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-core-enums.h"
#include "confab-signal-client.h"
#include "confab-signal-server.h"
#include "test-support.h"

/* Every test runs its own server on a free port of 127.0.0.1, in this
 * process and on this main context, as the session will in the app's
 * "host a server" mode. */
typedef struct
{
  ConfabSignalServer *server;
  guint               port;
  char               *url;
  GPtrArray          *clients;
} Fixture;

/* What a client did, in order. */
typedef struct
{
  GArray    *states;   /* ConfabSignalClientState */
  GPtrArray *messages; /* ConfabMessage from "message-received" */
  GPtrArray *peers;    /* and its peer argument (or NULL) */
  GPtrArray *errors;   /* ConfabMessage from "server-error" */
} Record;

static void
record_free (Record *record)
{
  g_array_unref (record->states);
  g_ptr_array_unref (record->messages);
  g_ptr_array_unref (record->peers);
  g_ptr_array_unref (record->errors);
  g_free (record);
}

static void
state_cb (ConfabSignalClient *client,
          GParamSpec         *pspec,
          Record             *record)
{
  ConfabSignalClientState state = confab_signal_client_get_state (client);

  g_array_append_val (record->states, state);
}

static void
message_received_cb (ConfabSignalClient *client,
                     ConfabMessage      *message,
                     const char         *peer,
                     Record             *record)
{
  g_ptr_array_add (record->messages, confab_message_ref (message));
  g_ptr_array_add (record->peers, g_strdup (peer));
}

static void
server_error_cb (ConfabSignalClient *client,
                 ConfabMessage      *message,
                 Record             *record)
{
  g_ptr_array_add (record->errors, confab_message_ref (message));
}

static Record *
get_record (ConfabSignalClient *client)
{
  return g_object_get_data (G_OBJECT (client), "record");
}

static ConfabSignalClient *
fixture_add_client (Fixture *fixture)
{
  ConfabSignalClient *client = confab_signal_client_new ();
  Record *record = g_new0 (Record, 1);

  record->states = g_array_new (FALSE, FALSE, sizeof (ConfabSignalClientState));
  record->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  record->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  record->peers = g_ptr_array_new_with_free_func (g_free);
  g_object_set_data_full (G_OBJECT (client), "record", record, (GDestroyNotify) record_free);

  g_signal_connect (client, "notify::state", G_CALLBACK (state_cb), record);
  g_signal_connect (client, "message-received", G_CALLBACK (message_received_cb), record);
  g_signal_connect (client, "server-error", G_CALLBACK (server_error_cb), record);

  /* Reconnection tests should not wait half a second per attempt. */
  confab_signal_client_set_backoff (client, 10, 100);

  g_ptr_array_add (fixture->clients, client);

  return client;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->server = test_start_server (0, -1);
  fixture->port = confab_signal_server_get_bound_port (fixture->server);
  g_assert_cmpuint (fixture->port, >, 0);
  /* As the mobile app writes it: no path. */
  fixture->url = g_strdup_printf ("ws://127.0.0.1:%u", fixture->port);
  fixture->clients = g_ptr_array_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 0; i < fixture->clients->len; i++)
    {
      ConfabSignalClient *client = g_ptr_array_index (fixture->clients, i);

      confab_signal_client_disconnect (client);
      g_assert_finalize_object (client);
    }
  g_ptr_array_unref (fixture->clients);

  /* Let the close handshakes finish, so nothing is left half-closed. */
  test_wait_for ("the server's clients to close",
                 confab_signal_server_get_n_clients (fixture->server) == 0);

  confab_signal_server_stop (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->url);
}

static gboolean
client_connect (ConfabSignalClient  *client,
                const char          *url,
                const char          *name,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_signal_client_connect_async (client, url, name, NULL, test_store_result_cb, &result);

  return confab_signal_client_connect_finish (client, test_wait_for_result (&result), error);
}

/* TRUE if @peer is online, FALSE with @error if the question failed. */
static gboolean
client_check_online (ConfabSignalClient  *client,
                     const char          *peer,
                     GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_signal_client_check_online_async (client, peer, NULL, test_store_result_cb, &result);

  return confab_signal_client_check_online_finish (client, test_wait_for_result (&result), error);
}

static void
wait_for_state (ConfabSignalClient      *client,
                ConfabSignalClientState  state)
{
  g_autofree char *what = g_strdup_printf ("signal client state %d", state);

  test_wait_for (what, confab_signal_client_get_state (client) == state);
}

static void
wait_for_messages (ConfabSignalClient *client,
                   guint               n_messages)
{
  test_wait_for ("messages from the server", get_record (client)->messages->len >= n_messages);
}

/* Starts a new server on the port of the one stopped before: a restart. */
static void
fixture_restart_server (Fixture *fixture)
{
  test_wait_for ("the server's clients to close",
                 confab_signal_server_get_n_clients (fixture->server) == 0);
  g_clear_object (&fixture->server);
  fixture->server = test_start_server (fixture->port, -1);
}

/* A port on which nothing listens: bound once by us, then let go. */
static guint
get_closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
assert_states (ConfabSignalClient            *client,
               const ConfabSignalClientState *expected,
               guint                          n_expected)
{
  GArray *states = get_record (client)->states;

  g_assert_cmpuint (states->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpint (g_array_index (states, ConfabSignalClientState, i), ==, expected[i]);
}

static void
test_register (Fixture       *fixture,
               gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  ConfabSignalHub *hub = confab_signal_server_get_hub (fixture->server);
  g_autoptr(GError) error = NULL;
  const ConfabSignalClientState expected[] = {
    CONFAB_SIGNAL_CLIENT_STATE_CONNECTING,
    CONFAB_SIGNAL_CLIENT_STATE_REGISTERED,
  };

  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);

  g_assert_true (client_connect (client, fixture->url, "alice", &error));
  g_assert_no_error (error);

  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  assert_states (client, expected, G_N_ELEMENTS (expected));
  g_assert_cmpstr (confab_signal_client_get_name (client), ==, "alice");
  g_assert_cmpstr (confab_signal_client_get_url (client), ==, fixture->url);
  g_assert_null (confab_signal_client_get_last_error (client));

  /* The server knows the name: that is what registering means. */
  g_assert_cmpuint (confab_signal_hub_get_n_registered (hub), ==, 1);
  g_assert_nonnull (confab_signal_hub_lookup (hub, "alice"));

  /* Nothing of the registration leaks out as a message. */
  g_assert_cmpuint (get_record (client)->messages->len, ==, 0);
  g_assert_cmpuint (get_record (client)->errors->len, ==, 0);
}

static void
test_url_forms (Fixture       *fixture,
                gconstpointer  data)
{
  const char *paths[] = { "", "/", "/signal?room=1" };

  /* The mobile app's form, and ours with a path, reach the same server. */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      ConfabSignalClient *client = fixture_add_client (fixture);
      g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u%s", fixture->port, paths[i]);
      g_autofree char *name = g_strdup_printf ("user%u", i);
      g_autoptr(GError) error = NULL;

      g_assert_true (client_connect (client, url, name, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpuint (confab_signal_hub_get_n_registered (confab_signal_server_get_hub (fixture->server)),
                    ==, G_N_ELEMENTS (paths));
}

static void
test_name_taken (Fixture       *fixture,
                 gconstpointer  data)
{
  ConfabSignalClient *first = fixture_add_client (fixture);
  ConfabSignalClient *second = fixture_add_client (fixture);
  g_autoptr(GError) error = NULL;
  const GError *last_error;
  const ConfabSignalClientState expected[] = {
    CONFAB_SIGNAL_CLIENT_STATE_CONNECTING,
    CONFAB_SIGNAL_CLIENT_STATE_FAILED,
  };

  g_assert_true (client_connect (first, fixture->url, "alice", &error));
  g_assert_no_error (error);

  g_assert_false (client_connect (second, fixture->url, "alice", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN);
  g_assert_nonnull (strstr (error->message, "“alice”"));
  g_assert_nonnull (strstr (error->message, "Choose another name"));

  assert_states (second, expected, G_N_ELEMENTS (expected));
  last_error = confab_signal_client_get_last_error (second);
  g_assert_error (last_error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN);
  g_assert_cmpstr (last_error->message, ==, error->message);

  /* The first one is untouched, and a failed client can try another name. */
  g_assert_cmpint (confab_signal_client_get_state (first), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  g_clear_error (&error);
  g_assert_true (client_connect (second, fixture->url, "alice2", &error));
  g_assert_no_error (error);
  g_assert_null (confab_signal_client_get_last_error (second));
}

static void
test_invalid_name (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autofree char *closed_url = g_strdup_printf ("ws://127.0.0.1:%u", get_closed_port ());
  g_autofree char *long_name = g_strnfill (CONFAB_MESSAGE_MAX_NAME_LENGTH + 1, 'a');
  const char *names[] = { "", long_name, "al\nice", "\xff\xfe" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      /* The address leads nowhere: only a check made before connecting
       * can give this error rather than "unreachable".  It is also made
       * before connect_async() returns. */
      confab_signal_client_connect_async (client, closed_url, names[i], NULL,
                                          test_store_result_cb, &result);
      g_assert_cmpint (confab_signal_client_get_state (client), ==,
                       CONFAB_SIGNAL_CLIENT_STATE_FAILED);
      g_assert_error (confab_signal_client_get_last_error (client),
                      CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME);

      g_assert_false (confab_signal_client_connect_finish (client, test_wait_for_result (&result),
                                                           &error));
      g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_NAME);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_invalid_url (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  const char *urls[] = {
    "127.0.0.1:3000",         /* no scheme: GUri reads "127.0.0.1" as one */
    "http://127.0.0.1:3000",
    "ws://",
    "ws://:3000",
    "not an address",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (client_connect (client, urls[i], "alice", &error));
      g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_INVALID_URL);
      g_assert_nonnull (strstr (error->message, urls[i]));
      g_assert_nonnull (strstr (error->message, "ws://example.com:3000"));
      g_assert_cmpint (confab_signal_client_get_state (client), ==,
                       CONFAB_SIGNAL_CLIENT_STATE_FAILED);
    }
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u", get_closed_port ());
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  const ConfabSignalClientState states[] = {
    CONFAB_SIGNAL_CLIENT_STATE_CONNECTING,
    CONFAB_SIGNAL_CLIENT_STATE_FAILED,
  };

  g_assert_false (client_connect (client, url, "alice", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE);

  /* The sentence a person reads: what failed, where, and what to check. */
  expected = g_strdup_printf ("Could not reach the server at %s: connection refused. "
                              "Check the address and that the server is running.", url);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (confab_signal_client_get_last_error (client)->message, ==, expected);
  assert_states (client, states, G_N_ELEMENTS (states));

  /* A first connection that fails is not retried behind the caller's back. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  assert_states (client, states, G_N_ELEMENTS (states));
}

/* A self-signed certificate for "confab-test.invalid", made for this test
 * only: nobody trusts it, and it does not name 127.0.0.1. */
static const char test_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBsjCCAVmgAwIBAgIUOVYUIuwJDUff0g3vhkRoqzzfdJowCgYIKoZIzj0EAwIw\n"
  "HjEcMBoGA1UEAwwTY29uZmFiLXRlc3QuaW52YWxpZDAgFw0yNjExMjQwODQyMjda\n"
  "GA8yMTI2MTAzMTA4NDIyN1owHjEcMBoGA1UEAwwTY29uZmFiLXRlc3QuaW52YWxp\n"
  "ZDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKK64EaoQYe2d3E9TH2RMORXVSY6\n"
  "IYbxQCW2s6FzJDDS1Oeza44QI/XJPaElPpguvPSpibh1Rqpo4kYjX3Xtx4ijczBx\n"
  "MB0GA1UdDgQWBBSxWKtsHep6bi0dnFMDIkwoKYisqzAfBgNVHSMEGDAWgBSxWKts\n"
  "Hep6bi0dnFMDIkwoKYisqzAPBgNVHRMBAf8EBTADAQH/MB4GA1UdEQQXMBWCE2Nv\n"
  "bmZhYi10ZXN0LmludmFsaWQwCgYIKoZIzj0EAwIDRwAwRAIgO2EzewyzCeWlqj/c\n"
  "aFJTJUaEwABSJ4wHNLeC0kU0N+MCIE9b5qtUGVwkoiy/E+NV90JAUR/pAjqt1pxP\n"
  "erfHxI75\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDMmYroGu5DmL0fTU\n"
  "+R8URBtLX6yIoRpAV3omaatFn2yhRANCAASiuuBGqEGHtndxPUx9kTDkV1UmOiGG\n"
  "8UAltrOhcyQw0tTns2uOECP1yT2hJT6YLrz0qYm4dUaqaOJGI1917ceI\n"
  "-----END PRIVATE KEY-----\n";

static void
test_tls_failure (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autoptr(ConfabSignalServer) tls_server = confab_signal_server_new ();
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;

#ifdef __SANITIZE_ADDRESS__
  /* After a TLS handshake, GIO's idle worker threads hold gnutls's
   * dynamic thread-local storage, and LeakSanitizer (GCC 12, glibc 2.36)
   * crashes reading it at exit, failing the whole executable. */
  g_test_skip ("LeakSanitizer crashes on gnutls's thread-local storage");
  return;
#endif

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  certificate = g_tls_certificate_new_from_pem (test_certificate_pem, -1, &error);
  g_assert_no_error (error);
  confab_signal_server_set_tls_certificate (tls_server, certificate);
  confab_signal_server_listen (tls_server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("wss://127.0.0.1:%u", confab_signal_server_get_bound_port (tls_server));

  g_assert_false (client_connect (client, url, "alice", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_nonnull (strstr (error->message, "certificate"));
  g_assert_cmpint (confab_signal_client_get_state (client), ==, CONFAB_SIGNAL_CLIENT_STATE_FAILED);

  confab_signal_server_stop (tls_server);
}

static void
test_server_full (Fixture       *fixture,
                  gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  ConfabSignalClient *bob = fixture_add_client (fixture);
  g_autoptr(GError) error = NULL;

  confab_signal_server_set_max_clients (fixture->server, 1);
  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);

  /* The server answers why before it closes: that reaches the person. */
  g_assert_false (client_connect (bob, fixture->url, "bob", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "is full"));
  g_assert_nonnull (strstr (error->message, fixture->url));
  g_assert_cmpint (confab_signal_client_get_state (bob), ==, CONFAB_SIGNAL_CLIENT_STATE_FAILED);
  g_assert_cmpuint (get_record (bob)->errors->len, ==, 0);
}

static void
test_send_receive (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  ConfabSignalClient *bob = fixture_add_client (fixture);
  g_autoptr(ConfabMessage) offer = NULL;
  g_autoptr(ConfabMessage) candidate = NULL;
  g_autoptr(ConfabMessage) hang_up = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *received;

  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);
  g_assert_true (client_connect (bob, fixture->url, "bob", &error));
  g_assert_no_error (error);

  offer = confab_message_new_create_offer ("alice", "bob", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");
  g_assert_true (confab_signal_client_send (alice, offer, &error));
  g_assert_no_error (error);
  wait_for_messages (bob, 1);

  received = g_ptr_array_index (get_record (bob)->messages, 0);
  g_assert_cmpstr (g_ptr_array_index (get_record (bob)->peers, 0), ==, "alice");
  g_assert_cmpint (confab_message_get_kind (received), ==, CONFAB_MESSAGE_OFFER_RECEIVED);
  g_assert_cmpstr (confab_message_get_name (received), ==, "alice");
  g_assert_cmpstr (confab_message_get_sdp (received), ==, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n");

  candidate = confab_message_new_ice_candidate ("bob", "alice", 0, "0",
                                                "candidate:1 1 UDP 2122252543 192.0.2.1 5000 typ host");
  g_assert_true (confab_signal_client_send (bob, candidate, &error));
  g_assert_no_error (error);
  hang_up = confab_message_new_hang_up ("bob", "alice");
  g_assert_true (confab_signal_client_send (bob, hang_up, &error));
  g_assert_no_error (error);
  wait_for_messages (alice, 2);

  /* In the order sent. */
  received = g_ptr_array_index (get_record (alice)->messages, 0);
  g_assert_cmpint (confab_message_get_kind (received), ==, CONFAB_MESSAGE_ICE_CANDIDATE);
  g_assert_cmpstr (confab_message_get_name (received), ==, "bob");
  g_assert_cmpint (confab_message_get_sdp_mline_index (received), ==, 0);
  g_assert_cmpstr (confab_message_get_sdp_mid (received), ==, "0");
  received = g_ptr_array_index (get_record (alice)->messages, 1);
  g_assert_cmpstr (g_ptr_array_index (get_record (alice)->peers, 1), ==, "bob");
  g_assert_cmpint (confab_message_get_kind (received), ==, CONFAB_MESSAGE_PEER_HUNG_UP);
  g_assert_cmpstr (confab_message_get_name (received), ==, "bob");

  g_assert_cmpuint (get_record (alice)->errors->len, ==, 0);
  g_assert_cmpuint (get_record (bob)->errors->len, ==, 0);
}

static void
test_server_error (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  g_autoptr(ConfabMessage) offer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *reply;

  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);

  /* Our server says when nobody has the name; it is not a message. */
  offer = confab_message_new_create_offer ("alice", "nobody", "v=0\r\n");
  g_assert_true (confab_signal_client_send (alice, offer, &error));
  g_assert_no_error (error);

  test_wait_for ("the server's error", get_record (alice)->errors->len > 0);

  reply = g_ptr_array_index (get_record (alice)->errors, 0);
  g_assert_cmpint (confab_message_get_kind (reply), ==, CONFAB_MESSAGE_ERROR);
  g_assert_cmpstr (confab_message_get_error_code (reply), ==, "unknown-target");
  g_assert_cmpstr (confab_message_get_error_ref (reply), ==, "create_offer");
  g_assert_cmpuint (get_record (alice)->messages->len, ==, 0);

  /* The connection goes on. */
  g_assert_cmpint (confab_signal_client_get_state (alice), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
}

static void
test_check_online (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  ConfabSignalClient *bob = fixture_add_client (fixture);
  g_autoptr(GAsyncResult) bob_result = NULL;
  g_autoptr(GAsyncResult) carol_result = NULL;
  g_autoptr(GAsyncResult) bob_again_result = NULL;
  g_autoptr(ConfabMessage) start_transfer = NULL;
  g_autoptr(GError) error = NULL;
  ConfabMessage *response;

  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);
  g_assert_true (client_connect (bob, fixture->url, "bob", &error));
  g_assert_no_error (error);

  g_assert_true (client_check_online (alice, "bob", &error));
  g_assert_no_error (error);
  g_assert_false (client_check_online (alice, "carol", &error));
  g_assert_no_error (error);

  /* Several questions in flight, one of them through send(): each answer
   * reaches the one who asked, though "offline" names nobody. */
  confab_signal_client_check_online_async (alice, "bob", NULL, test_store_result_cb, &bob_result);
  start_transfer = confab_message_new_start_transfer ("alice", "carol");
  g_assert_true (confab_signal_client_send (alice, start_transfer, &error));
  g_assert_no_error (error);
  confab_signal_client_check_online_async (alice, "carol", NULL, test_store_result_cb, &carol_result);
  confab_signal_client_check_online_async (alice, "bob", NULL, test_store_result_cb, &bob_again_result);

  g_assert_true (confab_signal_client_check_online_finish (alice, test_wait_for_result (&bob_result),
                                                           &error));
  g_assert_no_error (error);
  g_assert_false (confab_signal_client_check_online_finish (alice, test_wait_for_result (&carol_result),
                                                            &error));
  g_assert_no_error (error);
  g_assert_true (confab_signal_client_check_online_finish (alice,
                                                           test_wait_for_result (&bob_again_result),
                                                           &error));
  g_assert_no_error (error);

  /* Only send()'s answer came out as a message. */
  g_assert_cmpuint (get_record (alice)->messages->len, ==, 1);
  response = g_ptr_array_index (get_record (alice)->messages, 0);
  g_assert_cmpint (confab_message_get_kind (response), ==, CONFAB_MESSAGE_TRANSFER_RESPONSE);
  g_assert_null (confab_message_get_user (response));
  /* It names nobody; the client says whom it is about. */
  g_assert_cmpstr (g_ptr_array_index (get_record (alice)->peers, 0), ==, "carol");

  /* Bob was told nothing. */
  g_assert_cmpuint (get_record (bob)->messages->len, ==, 0);
}

static void
test_cancel_check (Fixture       *fixture,
                   gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  ConfabSignalClient *bob = fixture_add_client (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GAsyncResult) carol_result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);
  g_assert_true (client_connect (bob, fixture->url, "bob", &error));
  g_assert_no_error (error);

  /* The cancelled question's answer ("bob is online") still comes; it
   * must not be taken for the answer about carol. */
  confab_signal_client_check_online_async (alice, "bob", cancellable,
                                           test_store_result_cb, &cancelled_result);
  confab_signal_client_check_online_async (alice, "carol", NULL, test_store_result_cb, &carol_result);
  g_cancellable_cancel (cancellable);

  g_assert_false (confab_signal_client_check_online_finish (alice,
                                                            test_wait_for_result (&cancelled_result),
                                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_false (confab_signal_client_check_online_finish (alice, test_wait_for_result (&carol_result),
                                                            &error));
  g_assert_no_error (error);
  g_assert_cmpuint (get_record (alice)->messages->len, ==, 0);
}

static void
test_not_connected (Fixture       *fixture,
                    gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autoptr(ConfabMessage) message = confab_message_new_hang_up ("alice", "bob");
  g_autoptr(GError) error = NULL;
  const ConfabSignalClientState expected[] = {
    CONFAB_SIGNAL_CLIENT_STATE_CONNECTING,
    CONFAB_SIGNAL_CLIENT_STATE_REGISTERED,
    CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED,
  };

  g_assert_false (confab_signal_client_send (client, message, &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  g_assert_true (client_connect (client, fixture->url, "alice", &error));
  g_assert_no_error (error);
  confab_signal_client_disconnect (client);
  assert_states (client, expected, G_N_ELEMENTS (expected));

  g_assert_false (confab_signal_client_send (client, message, &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, fixture->url));
  g_clear_error (&error);

  g_assert_false (client_check_online (client, "bob", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED);

  /* Signing out frees the name on the server. */
  test_wait_for ("the name to be freed",
                 confab_signal_hub_get_n_registered (confab_signal_server_get_hub (fixture->server))
                 == 0);
}

static void
test_cancel_connect (Fixture       *fixture,
                     gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  confab_signal_client_connect_async (client, fixture->url, "alice", cancellable,
                                      test_store_result_cb, &result);
  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_CONNECTING);
  g_cancellable_cancel (cancellable);

  g_assert_false (confab_signal_client_connect_finish (client, test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelling in the middle left nothing behind: the name is free. */
  g_assert_true (client_connect (client, fixture->url, "alice", &error));
  g_assert_no_error (error);

  /* A cancellable cancelled after success changes nothing. */
  g_cancellable_cancel (cancellable);
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
}

static void
test_disconnect_while_connecting (Fixture       *fixture,
                                  gconstpointer  data)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) second_result = NULL;
  g_autoptr(GError) error = NULL;

  confab_signal_client_connect_async (client, fixture->url, "alice", NULL,
                                      test_store_result_cb, &result);
  confab_signal_client_disconnect (client);

  g_assert_false (confab_signal_client_connect_finish (client, test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (confab_signal_client_get_state (client), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_DISCONNECTED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Connecting again while connecting replaces the first attempt. */
  confab_signal_client_connect_async (client, fixture->url, "alice", NULL,
                                      test_store_result_cb, &result);
  confab_signal_client_connect_async (client, fixture->url, "alice", NULL,
                                      test_store_result_cb, &second_result);
  g_assert_false (confab_signal_client_connect_finish (client, test_wait_for_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (confab_signal_client_connect_finish (client, test_wait_for_result (&second_result),
                                                      &error));
  g_assert_no_error (error);
}

static void
test_reconnect (Fixture       *fixture,
                gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  ConfabSignalClient *bob = fixture_add_client (fixture);
  g_autoptr(GError) error = NULL;
  const GError *last_error;
  GArray *states;

  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);
  g_array_set_size (get_record (alice)->states, 0);

  /* The server goes away... */
  confab_signal_server_stop (fixture->server);
  wait_for_state (alice, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  g_assert_error (confab_signal_client_get_last_error (alice),
                  CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST);

  /* ...and while it is away, attempts fail, and say why... */
  test_wait_for ("an attempt to reconnect to fail",
                 !g_error_matches (confab_signal_client_get_last_error (alice),
                                   CONFAB_SIGNAL_CLIENT_ERROR,
                                   CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST));
  last_error = confab_signal_client_get_last_error (alice);
  g_assert_error (last_error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_UNREACHABLE);
  g_assert_cmpint (confab_signal_client_get_state (alice), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);

  g_assert_false (client_check_online (alice, "alice", &error));
  g_assert_error (error, CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  /* ...until a new server comes up on the same port (a restart). */
  fixture_restart_server (fixture);

  wait_for_state (alice, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  g_assert_null (confab_signal_client_get_last_error (alice));

  /* Reconnecting and registered again, nothing in between: no failure. */
  states = get_record (alice)->states;
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, ConfabSignalClientState, 0), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  g_assert_cmpint (g_array_index (states, ConfabSignalClientState, 1), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);

  /* The new server knows alice without anyone asking her to sign in. */
  g_assert_nonnull (confab_signal_hub_lookup (confab_signal_server_get_hub (fixture->server),
                                              "alice"));
  g_assert_true (client_connect (bob, fixture->url, "bob", &error));
  g_assert_no_error (error);
  g_assert_true (client_check_online (bob, "alice", &error));
  g_assert_no_error (error);
  g_assert_true (client_check_online (alice, "bob", &error));
  g_assert_no_error (error);
}

static void
test_silent_server (Fixture       *fixture,
                    gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  /* On a thread of its own, which the test can freeze: the connection
   * stays open but nothing answers, as when the server's machine drops
   * off the network without closing anything. */
  TestServerThread *st = test_server_thread_start (-1);
  g_autofree char *url = test_server_thread_get_url (st);
  g_autoptr(GError) error = NULL;
  GArray *states;

  /* Pings every second: a dead connection shows in a few. */
  confab_signal_client_set_keepalive_interval (alice, 1);
  g_assert_true (client_connect (alice, url, "alice", &error));
  g_assert_no_error (error);
  g_array_set_size (get_record (alice)->states, 0);

  /* The socket stays open, but pongs stop: the client must notice. */
  test_server_thread_set_frozen (st, TRUE);
  wait_for_state (alice, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  g_assert_error (confab_signal_client_get_last_error (alice),
                  CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST);

  /* Back: the server may still hold the old connection, and the name, for
   * a moment; the client keeps trying until the name is its again. */
  test_server_thread_set_frozen (st, FALSE);
  wait_for_state (alice, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  g_assert_null (confab_signal_client_get_last_error (alice));

  states = get_record (alice)->states;
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, ConfabSignalClientState, 0), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  g_assert_cmpint (g_array_index (states, ConfabSignalClientState, 1), ==,
                   CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);

  /* Shut the thread's server down while this thread answers its closes. */
  confab_signal_client_disconnect (alice);
  test_server_thread_stop (st);
}

/* Reacting to the computer: main() points the system bus at a private
 * dbus-daemon, on which a test plays logind. */
static gboolean have_system_bus;

/* A backoff no test outlasts: whatever reconnects the client within one
 * is not the backoff. */
#define BACKOFF_MINUTES_MS (10 * 60 * 1000)

static GDBusConnection *
login1_new (void)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  connection = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SYSTEM_BUS_ADDRESS"),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.login1",
                                                      4 /* DBUS_NAME_FLAG_DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                       NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1 /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */);

  return g_steal_pointer (&connection);
}

static void
login1_free (GDBusConnection *login1)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_close_sync (login1, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (login1);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;

  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (Fixture            *fixture,
                               ConfabSignalClient *client);

/* Says PrepareForSleep(@start) as logind does, until @done holds.  The
 * client hears of the system bus asynchronously, and a signal sent before
 * it listens passes it by: so the signal is said again every 100 ms. */
static void
login1_prepare_for_sleep_until (GDBusConnection    *login1,
                                gboolean            start,
                                Condition           done,
                                Fixture            *fixture,
                                ConfabSignalClient *client)
{
  while (!done (fixture, client))
    {
      g_autoptr(GError) error = NULL;
      gboolean again = FALSE;
      guint id;

      g_dbus_connection_emit_signal (login1, NULL, "/org/freedesktop/login1",
                                     "org.freedesktop.login1.Manager", "PrepareForSleep",
                                     g_variant_new ("(b)", start), &error);
      g_assert_no_error (error);

      id = g_timeout_add (100, set_flag_cb, &again);
      while (!again && !done (fixture, client))
        g_main_context_iteration (NULL, TRUE);
      if (!again)
        g_source_remove (id);
    }
}

static gboolean
client_is_registered (Fixture            *fixture,
                      ConfabSignalClient *client)
{
  return confab_signal_client_get_state (client) == CONFAB_SIGNAL_CLIENT_STATE_REGISTERED;
}

static gboolean
client_is_signed_out (Fixture            *fixture,
                      ConfabSignalClient *client)
{
  return confab_signal_client_get_state (client) == CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING &&
         confab_signal_hub_get_n_registered (confab_signal_server_get_hub (fixture->server)) == 0;
}

/* Signs @name in, then restarts the server while the client waits out a
 * backoff of minutes: only something else can bring it back in time. */
static ConfabSignalClient *
fixture_add_client_in_long_backoff (Fixture    *fixture,
                                    const char *name)
{
  ConfabSignalClient *client = fixture_add_client (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (client_connect (client, fixture->url, name, &error));
  g_assert_no_error (error);
  confab_signal_client_set_backoff (client, BACKOFF_MINUTES_MS, BACKOFF_MINUTES_MS);
  g_array_set_size (get_record (client)->states, 0);

  confab_signal_server_stop (fixture->server);
  wait_for_state (client, CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  fixture_restart_server (fixture);

  return client;
}

static void
assert_back_after_one_wait (Fixture            *fixture,
                            ConfabSignalClient *client)
{
  const ConfabSignalClientState expected[] = {
    CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING,
    CONFAB_SIGNAL_CLIENT_STATE_REGISTERED,
  };

  assert_states (client, expected, G_N_ELEMENTS (expected));
  g_assert_null (confab_signal_client_get_last_error (client));
  g_assert_nonnull (confab_signal_hub_lookup (confab_signal_server_get_hub (fixture->server),
                                              confab_signal_client_get_name (client)));
}

static void
test_resume_reconnects (Fixture       *fixture,
                        gconstpointer  data)
{
  ConfabSignalClient *alice;
  GDBusConnection *login1;

  if (!have_system_bus)
    {
      g_test_skip ("No dbus-daemon to play the system bus");
      return;
    }

  login1 = login1_new ();
  alice = fixture_add_client_in_long_backoff (fixture, "alice");

  /* Waking up, the client tries at once. */
  login1_prepare_for_sleep_until (login1, FALSE, client_is_registered, fixture, alice);
  assert_back_after_one_wait (fixture, alice);

  login1_free (login1);
}

static void
test_sleep_signs_out (Fixture       *fixture,
                      gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client (fixture);
  g_autoptr(GError) error = NULL;
  GDBusConnection *login1;

  if (!have_system_bus)
    {
      g_test_skip ("No dbus-daemon to play the system bus");
      return;
    }

  login1 = login1_new ();
  g_assert_true (client_connect (alice, fixture->url, "alice", &error));
  g_assert_no_error (error);
  confab_signal_client_set_backoff (alice, BACKOFF_MINUTES_MS, BACKOFF_MINUTES_MS);
  g_array_set_size (get_record (alice)->states, 0);

  /* Going to sleep, the client closes its connection, and the server
   * frees the name at once instead of when the silence shows... */
  login1_prepare_for_sleep_until (login1, TRUE, client_is_signed_out, fixture, alice);
  g_assert_error (confab_signal_client_get_last_error (alice),
                  CONFAB_SIGNAL_CLIENT_ERROR, CONFAB_SIGNAL_CLIENT_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (confab_signal_client_get_last_error (alice)->message, "sleeps"));

  /* ...and, woken up, signs in again without waiting. */
  login1_prepare_for_sleep_until (login1, FALSE, client_is_registered, fixture, alice);
  assert_back_after_one_wait (fixture, alice);

  login1_free (login1);
}

static void
test_network_reconnects (Fixture       *fixture,
                         gconstpointer  data)
{
  ConfabSignalClient *alice = fixture_add_client_in_long_backoff (fixture, "alice");
  ConfabSignalClient *bob = fixture_add_client_in_long_backoff (fixture, "bob");
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  /* The network cannot be changed from here: the process's own monitor
   * says it changed, as it does when it sees a change.  Every client
   * waiting out a backoff comes back at once. */
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  wait_for_state (alice, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  wait_for_state (bob, CONFAB_SIGNAL_CLIENT_STATE_REGISTERED);
  assert_back_after_one_wait (fixture, alice);
  assert_back_after_one_wait (fixture, bob);
}

static void
test_enums_registered (void)
{
  g_autoptr(GEnumClass) state_class = g_type_class_ref (CONFAB_TYPE_SIGNAL_CLIENT_STATE);
  g_autoptr(GEnumClass) error_class = g_type_class_ref (CONFAB_TYPE_SIGNAL_CLIENT_ERROR);
  GParamSpec *pspec;

  g_assert_cmpint (g_enum_get_value_by_nick (state_class, "reconnecting")->value, ==,
                   CONFAB_SIGNAL_CLIENT_STATE_RECONNECTING);
  g_assert_cmpint (g_enum_get_value_by_nick (error_class, "name-taken")->value, ==,
                   CONFAB_SIGNAL_CLIENT_ERROR_NAME_TAKEN);

  pspec = g_object_class_find_property (g_type_class_peek (CONFAB_TYPE_SIGNAL_CLIENT), "state");
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == CONFAB_TYPE_SIGNAL_CLIENT_STATE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) bus = NULL;
  g_autofree char *dbus_daemon = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* Before anything in the process asks for the system bus: the answer is
   * kept for the rest of it. */
  dbus_daemon = g_find_program_in_path ("dbus-daemon");
  if (dbus_daemon != NULL)
    {
      bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bus);
      g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (bus), TRUE);
      have_system_bus = TRUE;
    }

  /* Registers the type, so test_enums_registered can look it up. */
  g_type_ensure (CONFAB_TYPE_SIGNAL_CLIENT);

#define ADD(path, func) \
  g_test_add ("/signal-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("register", test_register);
  ADD ("url-forms", test_url_forms);
  ADD ("name-taken", test_name_taken);
  ADD ("invalid-name", test_invalid_name);
  ADD ("invalid-url", test_invalid_url);
  ADD ("unreachable", test_unreachable);
  ADD ("tls-failure", test_tls_failure);
  ADD ("server-full", test_server_full);
  ADD ("send-receive", test_send_receive);
  ADD ("server-error", test_server_error);
  ADD ("check-online", test_check_online);
  ADD ("cancel-check", test_cancel_check);
  ADD ("not-connected", test_not_connected);
  ADD ("cancel-connect", test_cancel_connect);
  ADD ("disconnect-while-connecting", test_disconnect_while_connecting);
  ADD ("reconnect", test_reconnect);
  ADD ("silent-server", test_silent_server);
  ADD ("resume-reconnects", test_resume_reconnects);
  ADD ("sleep-signs-out", test_sleep_signs_out);
  ADD ("network-reconnects", test_network_reconnects);
  g_test_add_func ("/signal-client/enums-registered", test_enums_registered);

#undef ADD

  ret = g_test_run ();

  if (bus != NULL)
    g_test_dbus_down (bus);

  return ret;
}
