/* test-signal-binary.c: the real confab-signal, over the network
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#define WATCHDOG_SECONDS 60

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue                   received;
  gboolean                 closed;
  GError                   *error;
} Client;

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("Gave up waiting for %s", (const char *) user_data);

  return G_SOURCE_REMOVE;
}

#define WAIT_FOR(what, condition) \
  G_STMT_START { \
    guint watchdog_id_ = g_timeout_add_seconds (WATCHDOG_SECONDS, watchdog_cb, (gpointer) (what)); \
    while (!(condition)) \
      g_main_context_iteration (NULL, TRUE); \
    g_source_remove (watchdog_id_); \
  } G_STMT_END

static const char *
signal_path (void)
{
  const char *path = g_getenv ("CONFAB_SIGNAL");

  if (path == NULL)
    g_error ("CONFAB_SIGNAL must name the confab-signal binary (meson test sets it)");

  return path;
}

static void
message_cb (SoupWebsocketConnection *ws,
            int                      type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *client = user_data;

  g_queue_push_tail (&client->received,
                     g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message)));
}

static void
closed_cb (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  Client *client = user_data;

  client->closed = TRUE;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Client *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &client->error);
}

static Client *
client_connect (SoupSession *session,
                const char  *url)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Client *client = g_new0 (Client, 1);

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connect_cb, client);
  WAIT_FOR ("the websocket handshake", client->ws != NULL || client->error != NULL);
  g_assert_no_error (client->error);
  g_signal_connect (client->ws, "message", G_CALLBACK (message_cb), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (closed_cb), client);

  return client;
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->ws, client);
  g_clear_object (&client->ws);
  g_queue_clear_full (&client->received, g_free);
  g_free (client);
}

static void
client_expect (Client     *client,
               const char *expected)
{
  g_autofree char *text = NULL;

  WAIT_FOR ("a message", client->received.length > 0 || client->closed);
  g_assert_cmpuint (client->received.length, >, 0);
  text = g_queue_pop_head (&client->received);
  g_assert_cmpstr (text, ==, expected);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **line = user_data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  g_assert_no_error (error);
  if (*line == NULL)
    g_error ("confab-signal exited before it listened");
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL));
  *done = TRUE;
}

/* Starts confab-signal on a free port and reads the port from the line
 * it prints once it listens. */
static GSubprocess *
start_server (guint *port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *asan_options = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *colon;

  /* Under the sanitizer, the server's exit is leak-checked with full
   * stacks too (see __asan_default_options() below). */
  asan_options = g_strconcat ("fast_unwind_on_malloc=0:", g_getenv ("ASAN_OPTIONS"), NULL);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);

  process = g_subprocess_launcher_spawn (launcher, &error,
                                         signal_path (), "--host", "127.0.0.1", "--port", "0",
                                         "--max-clients", "100", "--rate", "100", "--quiet", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &line);
  WAIT_FOR ("confab-signal to listen", line != NULL);

  g_assert_true (g_str_has_prefix (line, "confab-signal listening on ws://127.0.0.1:"));
  colon = strrchr (line, ':');
  *port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (*port, >, 0);

  return process;
}

static void
test_talk_then_sigterm (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) health = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *health_url = NULL;
  Client *alice;
  Client *bob;
  gboolean exited = FALSE;
  guint port;

  process = start_server (&port);
  url = g_strdup_printf ("ws://127.0.0.1:%u", port);

  alice = client_connect (session, url);
  bob = client_connect (session, url);
  soup_websocket_connection_send_text (alice->ws, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  client_expect (alice, "{\"type\":\"user_stored\",\"data\":\"alice\"}");
  soup_websocket_connection_send_text (bob->ws, "{\"type\":\"store_user\",\"name\":\"bob\"}");
  client_expect (bob, "{\"type\":\"user_stored\",\"data\":\"bob\"}");
  soup_websocket_connection_send_text (alice->ws, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  client_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  soup_websocket_connection_send_text (alice->ws,
                                       "{\"type\":\"create_offer\",\"name\":\"bob\",\"target\":\"bob\","
                                       "\"data\":{\"sdp\":\"v=0\\r\\n\",\"type\":\"OFFER\"}}");
  client_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\\r\\n\"}");

  health_url = g_strdup_printf ("http://127.0.0.1:%u/healthz", port);
  health = soup_message_new ("GET", health_url);
  body = soup_session_send_and_read (session, health, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (health), ==, 200);

  /* SIGTERM: close frames to everyone, then a clean exit. */
  g_subprocess_send_signal (process, SIGTERM);
  WAIT_FOR ("alice's close frame", alice->closed);
  WAIT_FOR ("bob's close frame", bob->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (alice->ws), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (bob->ws), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);

  g_subprocess_wait_async (process, NULL, wait_cb, &exited);
  WAIT_FOR ("confab-signal to exit", exited);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  client_free (alice);
  client_free (bob);
}

static void
test_sigint_without_clients (void)
{
  g_autoptr(GSubprocess) process = NULL;
  gboolean exited = FALSE;
  guint port;

  process = start_server (&port);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_wait_async (process, NULL, wait_cb, &exited);
  WAIT_FOR ("confab-signal to exit", exited);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

static char *
run (int          *status,
     const char   *first_arg,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) signal_path ());
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);

  return g_steal_pointer (&out);
}

static void
test_command_line (void)
{
  g_autofree char *version = NULL;
  g_autofree char *help = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *lonely_key = NULL;
  g_autofree char *missing_cert = NULL;
  int status;

  version = run (&status, "--version", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (version, ==, "confab-signal " PACKAGE_VERSION "\n");

  help = run (&status, "--help", NULL);
  g_assert_cmpint (status, ==, 0);
  for (guint i = 0; i < 10; i++)
    {
      static const char * const options[] = {
        "--host", "--port", "--max-clients", "--max-frame", "--rate", "--burst", "--tls-cert", "--tls-key",
        "--register-timeout", "--allow-origin",
      };

      g_assert_nonnull (strstr (help, options[i]));
    }

  bad = run (&status, "--port", "70000", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (bad, "--port"));

  lonely_key = run (&status, "--tls-key", "/nonexistent/key.pem", NULL);
  g_assert_cmpint (status, ==, 2);

  missing_cert = run (&status, "--port", "0", "--tls-cert", "/nonexistent/cert.pem",
                      "--tls-key", "/nonexistent/key.pem", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (missing_cert, "certificate"));
}

/* Read by AddressSanitizer before ASAN_OPTIONS (which can still override
 * it): GLib and libsoup are built without frame pointers, so the fast
 * unwinder stops at g_malloc and tests/lsan.supp cannot recognise a
 * one-time allocation of theirs (a class structure, a quark). */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

int
main (int   argc,
      char *argv[])
{
  /* Straight to 127.0.0.1: the system's proxy settings are not the test's
   * business (and GNOME's proxy module aborts where its GSettings schema is
   * missing).  No G_TEST_OPTION_ISOLATE_DIRS: GLib 2.74 leaks the strings
   * it sets per test, which the sanitizer run would report. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signal-binary/talk-then-sigterm", test_talk_then_sigterm);
  g_test_add_func ("/signal-binary/sigint-without-clients", test_sigint_without_clients);
  g_test_add_func ("/signal-binary/command-line", test_command_line);

  return g_test_run ();
}
