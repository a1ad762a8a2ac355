/* test-signal-binary.c: the real confab-signal, over the network
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "test-support.h"

static const char *
signal_path (void)
{
  const char *path = g_getenv ("CONFAB_SIGNAL");

  if (path == NULL)
    g_error ("CONFAB_SIGNAL must name the confab-signal binary (meson test sets it)");

  return path;
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
   * stacks too (see __asan_default_options() in tests/support). */
  asan_options = g_strconcat ("fast_unwind_on_malloc=0:", g_getenv ("ASAN_OPTIONS"), NULL);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);

  process = g_subprocess_launcher_spawn (launcher, &error,
                                         signal_path (), "--host", "127.0.0.1", "--port", "0",
                                         "--max-clients", "100", "--rate", "100", "--quiet", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &line);
  test_wait_for ("confab-signal to listen", line != NULL);

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
  TestWsClient *alice;
  TestWsClient *bob;
  gboolean exited = FALSE;
  guint port;

  process = start_server (&port);
  url = g_strdup_printf ("ws://127.0.0.1:%u", port);

  alice = test_ws_client_connect (session, url);
  bob = test_ws_client_connect (session, url);
  test_ws_client_send (alice, "{\"type\":\"store_user\",\"name\":\"alice\"}");
  test_ws_client_expect (alice, "{\"type\":\"user_stored\",\"data\":\"alice\"}");
  test_ws_client_send (bob, "{\"type\":\"store_user\",\"name\":\"bob\"}");
  test_ws_client_expect (bob, "{\"type\":\"user_stored\",\"data\":\"bob\"}");
  test_ws_client_send (alice, "{\"type\":\"start_transfer\",\"name\":\"alice\",\"target\":\"bob\"}");
  test_ws_client_expect (alice, "{\"type\":\"transfer_response\",\"data\":\"bob\"}");
  test_ws_client_send (alice,
                       "{\"type\":\"create_offer\",\"name\":\"bob\",\"target\":\"bob\","
                       "\"data\":{\"sdp\":\"v=0\\r\\n\",\"type\":\"OFFER\"}}");
  test_ws_client_expect (bob, "{\"type\":\"offer_received\",\"name\":\"alice\",\"data\":\"v=0\\r\\n\"}");

  health_url = g_strdup_printf ("http://127.0.0.1:%u/healthz", port);
  health = soup_message_new ("GET", health_url);
  body = soup_session_send_and_read (session, health, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (health), ==, 200);

  /* SIGTERM: close frames to everyone, then a clean exit. */
  g_subprocess_send_signal (process, SIGTERM);
  test_wait_for ("alice's close frame", alice->closed);
  test_wait_for ("bob's close frame", bob->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (alice->ws), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (bob->ws), ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);

  g_subprocess_wait_async (process, NULL, wait_cb, &exited);
  test_wait_for ("confab-signal to exit", exited);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  test_ws_client_free (alice);
  test_ws_client_free (bob);
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
  test_wait_for ("confab-signal to exit", exited);
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
