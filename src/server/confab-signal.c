/* confab-signal.c: the signalling server
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "confab-signal-log.h"
#include "confab-signal-server.h"

/* File descriptors kept for everything but clients: listeners, the log,
 * the TLS backend, the resolver. */
#define RESERVED_FDS 64
/* How long shutdown waits for clients to answer their close frames;
 * a little over libsoup's own 5 s close timeout. */
#define SHUTDOWN_TIMEOUT_S 6

typedef struct
{
  GMainLoop          *loop;
  ConfabSignalServer *server;
  guint               timeout_id;
  gboolean            stopping;
} App;

static gboolean quiet;

/* Info and up always (journald when stderr is the journal, else stderr);
 * debug as G_MESSAGES_DEBUG says.  GLib's default writer would hide the
 * connect, register and disconnect events, which are info. */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  g_autofree char *line = NULL;

  if ((level & G_LOG_LEVEL_DEBUG) != 0)
    return g_log_writer_default (level, fields, n_fields, user_data);

  if (quiet && (level & G_LOG_LEVEL_INFO) != 0)
    return G_LOG_WRITER_HANDLED;

  if (g_log_writer_is_journald (fileno (stderr)) &&
      g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  line = g_log_writer_format_fields (level, fields, n_fields,
                                     g_log_writer_supports_color (fileno (stderr)));
  fprintf (stderr, "%s\n", line);
  fflush (stderr);

  return G_LOG_WRITER_HANDLED;
}

/* A hundred thousand clients need as many descriptors; the soft limit is
 * usually 1024, the hard one far higher. */
static rlim_t
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 1024;

  if (limit.rlim_cur != limit.rlim_max)
    {
      rlim_t soft = limit.rlim_cur;

      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        {
          g_warning ("Could not raise the open file limit to %lu: %s",
                     (unsigned long) limit.rlim_max, g_strerror (errno));
          limit.rlim_cur = soft;
        }
    }

  return limit.rlim_cur;
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  App *app = user_data;

  app->timeout_id = 0;
  g_main_loop_quit (app->loop);

  return G_SOURCE_REMOVE;
}

static void
n_clients_changed_cb (ConfabSignalServer *server,
                      GParamSpec         *pspec,
                      gpointer            user_data)
{
  App *app = user_data;

  if (app->stopping && confab_signal_server_get_n_clients (server) == 0)
    g_main_loop_quit (app->loop);
}

static gboolean
terminate_cb (gpointer user_data)
{
  App *app = user_data;

  /* A second signal: the operator does not want to wait. */
  if (app->stopping)
    {
      g_main_loop_quit (app->loop);
      return G_SOURCE_CONTINUE;
    }

  app->stopping = TRUE;
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "CONFAB_EVENT", "shutdown",
                    "MESSAGE", "Shutting down: closing %u connections",
                    confab_signal_server_get_n_clients (app->server));

  confab_signal_server_stop (app->server);

  if (confab_signal_server_get_n_clients (app->server) == 0)
    g_main_loop_quit (app->loop);
  else
    app->timeout_id = g_timeout_add_seconds (SHUTDOWN_TIMEOUT_S, shutdown_timeout_cb, app);

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ConfabSignalServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto(GStrv) allow_origins = NULL;
  gboolean version = FALSE;
  int port = CONFAB_SIGNAL_SERVER_DEFAULT_PORT;
  int max_clients = -1;
  int max_frame = CONFAB_MESSAGE_DEFAULT_MAX_FRAME;
  double rate = -1;
  int burst = -1;
  int keepalive = -1;
  int register_timeout = -1;
  guint sigint_id, sigterm_id;
  rlim_t fd_limit;
  App app = { 0 };
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host,
      "Address or host name to listen on (default: every interface)", "ADDRESS" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      "Port to listen on, 0 for any free one (default: 3000)", "PORT" },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &max_clients,
      "Refuse connections past this many (default: as many as open files allow)", "N" },
    { "max-frame", 0, 0, G_OPTION_ARG_INT, &max_frame,
      "Largest frame accepted, in bytes (default: 65536)", "BYTES" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
      "Messages a second each client may send, 0 for no limit (default: 50)", "MESSAGES_PER_SECOND" },
    { "burst", 0, 0, G_OPTION_ARG_INT, &burst,
      "Messages a client may send at once above the rate (default: 100)", "MESSAGES" },
    { "keepalive", 0, 0, G_OPTION_ARG_INT, &keepalive,
      "Seconds between pings; clients silent for two are dropped; 0 for none (default: 30)",
      "SECONDS" },
    { "register-timeout", 0, 0, G_OPTION_ARG_INT, &register_timeout,
      "Seconds a client has to register a name before it is dropped; 0 for ever (default: 30)",
      "SECONDS" },
    { "allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allow_origins,
      "Refuse (403) browsers whose Origin is not ORIGIN; repeat for more "
      "(default: any origin; clients that send none always pass)", "ORIGIN" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "PEM certificate: serve wss:// and https:// (needs --tls-key)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      "PEM private key of --tls-cert", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Log only warnings and errors", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_set_prgname ("confab-signal");
  g_log_set_writer_func (log_writer_cb, NULL, NULL);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "The Confab signalling server: introduces peers over websockets,\n"
                                "compatible with the mobile app of “Chat via P2P” and its server.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-signal: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("confab-signal %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (argc > 1)
    {
      g_printerr ("confab-signal: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("confab-signal: --port must be between 0 and 65535\n");
      return 2;
    }
  if (max_frame < 1 || (guint) max_frame > G_MAXUINT32 / 16)
    {
      g_printerr ("confab-signal: --max-frame must be between 1 and %u\n", G_MAXUINT32 / 16);
      return 2;
    }
  if (max_clients == 0 || max_clients < -1 || (rate < 0 && rate != -1) ||
      burst == 0 || burst < -1 || keepalive < -1 || keepalive > G_MAXUINT16 ||
      register_timeout < -1 || register_timeout > G_MAXUINT16)
    {
      g_printerr ("confab-signal: --max-clients and --burst must be positive, "
                  "--rate, --keepalive and --register-timeout zero or more\n");
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("confab-signal: --tls-cert and --tls-key go together\n");
      return 2;
    }

  fd_limit = raise_fd_limit ();

  server = confab_signal_server_new ();
  confab_signal_server_set_host (server, host);
  confab_signal_server_set_port (server, port);
  confab_signal_server_set_max_frame (server, max_frame);
  if (max_clients > 0)
    confab_signal_server_set_max_clients (server, max_clients);
  else
    /* Past the descriptor limit accept() fails and the client learns
     * nothing; below it, it is told the server is full. */
    confab_signal_server_set_max_clients (server, fd_limit > 2 * RESERVED_FDS ?
                                          (guint) MIN (fd_limit - RESERVED_FDS, G_MAXUINT) :
                                          (guint) fd_limit / 2);
  if (rate >= 0)
    confab_signal_server_set_rate (server, rate);
  if (burst > 0)
    confab_signal_server_set_burst (server, burst);
  if (keepalive >= 0)
    confab_signal_server_set_keepalive_interval (server, keepalive);
  if (register_timeout >= 0)
    confab_signal_server_set_register_timeout (server, register_timeout);
  if (allow_origins != NULL)
    confab_signal_server_set_allowed_origins (server, (const char * const *) allow_origins);

  if (tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) certificate = NULL;

      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        {
          g_printerr ("confab-signal: cannot load the certificate: %s\n", error->message);
          return 1;
        }
      confab_signal_server_set_tls_certificate (server, certificate);
    }

  if (!confab_signal_server_start (server, &error))
    {
      g_printerr ("confab-signal: cannot listen on port %d: %s\n", port, error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.server = server;
  g_signal_connect (server, "notify::n-clients", G_CALLBACK (n_clients_changed_cb), &app);
  sigint_id = g_unix_signal_add (SIGINT, terminate_cb, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, terminate_cb, &app);

  /* The one line on stdout, once a signal would be handled: scripts (and
   * the tests) read the port from it, which is how they use --port 0. */
  g_print ("confab-signal listening on %s://%s:%u\n",
           tls_cert != NULL ? "wss" : "ws",
           host != NULL ? host : "0.0.0.0",
           confab_signal_server_get_bound_port (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&app.timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (server, &app);
  confab_signal_server_stop (server);
  g_clear_object (&server);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "CONFAB_EVENT", "exit",
                    "MESSAGE", "Stopped");

  return 0;
}
