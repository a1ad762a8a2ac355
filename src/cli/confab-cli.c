/* confab-cli.c: a headless Confab client for scripts, bots and tests
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "confab-chat-message.h"
#include "confab-conversation.h"
#include "confab-ice-server.h"
#include "confab-session.h"

/* At end of input, how often to look whether everything typed has left. */
#define DRAIN_POLL_MS 50

/* Exit codes: documented in --help and README. */
enum
{
  EXIT_OK = 0,
  EXIT_ERROR = 1,           /* anything not below */
  EXIT_USAGE = 2,           /* bad arguments */
  EXIT_UNREACHABLE = 3,     /* the server could not be reached or dropped us for good */
  EXIT_NAME_TAKEN = 4,      /* someone else has the name */
  EXIT_PEER_OFFLINE = 5,    /* --call PEER: nobody of that name is connected */
  EXIT_DECLINED = 6,        /* --call PEER: the peer declined */
  EXIT_CONNECTION_LOST = 7, /* --call PEER: the peer connection failed or was lost */
  /* A changed key will exit with 8 too: in both cases who answered
   * cannot be shown to be the peer, and nothing was sent. */
  EXIT_TAMPERED = 8,        /* --call PEER: the connection was tampered with */
};

typedef struct
{
  GMainLoop          *loop;
  ConfabSession      *session;
  GDataInputStream   *input;
  GCancellable       *cancellable;
  char               *server;
  char               *name;
  char               *call;
  char               *accept;
  char              **ice_servers;
  gboolean            relay_only;
  gboolean            accept_any;
  /* Until connect_cb has run, it alone decides the exit code: a failed
   * first connection also sets the session's state to failed. */
  gboolean            signed_in;
  /* The conversation a bare line goes to: the last one opened or heard. */
  char               *current_peer;
  /* End of input came while messages were still waiting for their chat. */
  guint               drain_source;
  int                 exit_code;
} Cli;

static void
cli_clear (Cli *cli)
{
  g_clear_handle_id (&cli->drain_source, g_source_remove);
  g_clear_object (&cli->session);
  g_clear_object (&cli->input);
  g_clear_object (&cli->cancellable);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_clear_pointer (&cli->server, g_free);
  g_clear_pointer (&cli->name, g_free);
  g_clear_pointer (&cli->call, g_free);
  g_clear_pointer (&cli->accept, g_free);
  g_clear_pointer (&cli->current_peer, g_free);
  g_clear_pointer (&cli->ice_servers, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cli, cli_clear)

static void
cli_quit (Cli *cli,
          int  exit_code)
{
  if (cli->exit_code == EXIT_OK)
    cli->exit_code = exit_code;
  g_main_loop_quit (cli->loop);
}

static void
set_current_peer (Cli        *cli,
                  const char *peer)
{
  if (g_strcmp0 (cli->current_peer, peer) == 0)
    return;

  g_free (cli->current_peer);
  cli->current_peer = g_strdup (peer);
}

/* One line per message on stdout, whatever the message holds: a newline
 * inside it is written as \n and a backslash as \\, so a script can read
 * stdout line by line. */
static void
print_message (const char *peer,
               const char *text)
{
  g_autoptr(GString) line = g_string_new (peer);

  g_string_append (line, ": ");
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n')
        g_string_append (line, "\\n");
      else if (*p == '\\')
        g_string_append (line, "\\\\");
      else if (*p == '\r')
        g_string_append (line, "\\r");
      else
        g_string_append_c (line, *p);
    }
  g_string_append_c (line, '\n');

  fwrite (line->str, 1, line->len, stdout);
  fflush (stdout);
}

static void
message_received_cb (ConfabSession      *session,
                     ConfabConversation *conversation,
                     ConfabChatMessage  *message,
                     Cli                *cli)
{
  const char *peer = confab_conversation_get_peer_name (conversation);

  set_current_peer (cli, peer);
  print_message (peer, confab_chat_message_get_text (message));
}

static void
incoming_request_cb (ConfabSession *session,
                     const char    *peer,
                     Cli           *cli)
{
  g_autoptr(GError) error = NULL;

  if (cli->accept_any || g_strcmp0 (cli->accept, peer) == 0)
    {
      g_printerr ("confab-cli: accepting the chat %s offers\n", peer);
      if (!confab_session_accept (session, peer, &error))
        g_printerr ("confab-cli: %s\n", error->message);
      else
        set_current_peer (cli, peer);
      return;
    }

  g_printerr ("confab-cli: declining the chat %s offers (see --accept and --accept-any)\n", peer);
  if (!confab_session_decline (session, peer, &error))
    g_printerr ("confab-cli: %s\n", error->message);
}

/* The offline check can end the conversation before call_cb runs, so the
 * failure says which exit code it is. */
static int
failure_exit_code (ConfabConversationFailure failure)
{
  switch (failure)
    {
    case CONFAB_CONVERSATION_FAILURE_DECLINED:
      return EXIT_DECLINED;

    case CONFAB_CONVERSATION_FAILURE_PEER_OFFLINE:
      return EXIT_PEER_OFFLINE;

    /* The servers given on the command line: a usage error that only
     * showed when the connection was made. */
    case CONFAB_CONVERSATION_FAILURE_ICE_SERVERS:
      return EXIT_USAGE;
    case CONFAB_CONVERSATION_FAILURE_TAMPERED:
      return EXIT_TAMPERED;

    case CONFAB_CONVERSATION_FAILURE_NONE:
    case CONFAB_CONVERSATION_FAILURE_NO_ANSWER:
    case CONFAB_CONVERSATION_FAILURE_NETWORK:
    case CONFAB_CONVERSATION_FAILURE_HUNG_UP:
    case CONFAB_CONVERSATION_FAILURE_VANISHED:
    default:
      return EXIT_CONNECTION_LOST;
    }
}

static void
conversation_state_cb (ConfabConversation *conversation,
                       GParamSpec         *pspec,
                       Cli                *cli)
{
  const char *peer = confab_conversation_get_peer_name (conversation);
  ConfabConversationState state = confab_conversation_get_state (conversation);
  const char *reason = confab_conversation_get_failure_reason (conversation);
  gboolean called = g_strcmp0 (peer, cli->call) == 0;

  switch (state)
    {
    case CONFAB_CONVERSATION_OPEN:
      g_printerr ("confab-cli: chatting with %s\n", peer);
      set_current_peer (cli, peer);
      break;

    case CONFAB_CONVERSATION_CLOSED:
      g_printerr ("confab-cli: %s hung up\n", peer);
      break;

    case CONFAB_CONVERSATION_FAILED:
      g_printerr ("confab-cli: the chat with %s failed: %s\n", peer, reason ? reason : "unknown reason");
      if (called)
        cli_quit (cli, failure_exit_code (confab_conversation_get_failure (conversation)));
      break;

    case CONFAB_CONVERSATION_NEW:
    case CONFAB_CONVERSATION_CALLING:
    case CONFAB_CONVERSATION_INCOMING:
    case CONFAB_CONVERSATION_CONNECTING:
    default:
      break;
    }
}

static void
conversations_changed_cb (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          Cli        *cli)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(ConfabConversation) conversation = g_list_model_get_item (model, i);

      g_signal_connect (conversation, "notify::state", G_CALLBACK (conversation_state_cb), cli);
    }
}

static void
session_state_cb (ConfabSession *session,
                  GParamSpec    *pspec,
                  Cli           *cli)
{
  switch (confab_session_get_state (session))
    {
    case CONFAB_SESSION_RECONNECTING:
      g_printerr ("confab-cli: lost the server; reconnecting\n");
      break;

    case CONFAB_SESSION_REGISTERED:
      g_printerr ("confab-cli: signed in as %s\n", confab_session_get_username (session));
      break;

    case CONFAB_SESSION_FAILED:
      /* A first connection that fails is connect_cb's to report. */
      if (cli->signed_in)
        {
          g_printerr ("confab-cli: %s\n", confab_session_get_last_error (session));
          cli_quit (cli, EXIT_UNREACHABLE);
        }
      break;

    case CONFAB_SESSION_DISCONNECTED:
    case CONFAB_SESSION_CONNECTING:
    default:
      break;
    }
}

static void read_next_line (Cli *cli);

static void
send_line (Cli        *cli,
           const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *peer = NULL;
  const char *text = line;

  if (line[0] == '@')
    {
      const char *space = strchr (line, ' ');

      if (space == NULL)
        {
          g_printerr ("confab-cli: “%s” has no text after the name; write “@PEER text”\n", line);
          return;
        }
      peer = g_strndup (line + 1, space - line - 1);
      text = space + 1;
    }
  else if (cli->current_peer != NULL)
    peer = g_strdup (cli->current_peer);
  else
    {
      g_printerr ("confab-cli: nobody to send “%s” to yet; start with --call PEER or write “@PEER text”\n",
                  line);
      return;
    }

  /* The mobile app drops empty messages; so do we, rather than send them. */
  if (text[0] == '\0')
    return;

  if (!confab_session_send_text (cli->session, peer, text, &error))
    g_printerr ("confab-cli: could not send to %s: %s\n", peer, error->message);
  else
    set_current_peer (cli, peer);
}

/* Whether a message typed here still waits in a conversation that may yet
 * send it (one that failed or ended has marked it failed). */
static gboolean
has_unsent (Cli *cli)
{
  GListModel *conversations = confab_session_get_conversations (cli->session);

  for (guint i = 0; i < g_list_model_get_n_items (conversations); i++)
    {
      g_autoptr(ConfabConversation) conversation = g_list_model_get_item (conversations, i);
      GListModel *messages = G_LIST_MODEL (conversation);

      switch (confab_conversation_get_state (conversation))
        {
        case CONFAB_CONVERSATION_NEW:
        case CONFAB_CONVERSATION_CALLING:
        case CONFAB_CONVERSATION_CONNECTING:
        case CONFAB_CONVERSATION_OPEN:
          break;

        /* Undecided requests are answered at once here, ended chats have
         * nothing left to send. */
        case CONFAB_CONVERSATION_INCOMING:
        case CONFAB_CONVERSATION_CLOSED:
        case CONFAB_CONVERSATION_FAILED:
        default:
          continue;
        }

      for (guint j = g_list_model_get_n_items (messages); j > 0; j--)
        {
          g_autoptr(ConfabChatMessage) message = g_list_model_get_item (messages, j - 1);

          if (confab_chat_message_get_direction (message) == CONFAB_CHAT_MESSAGE_OUTGOING &&
              confab_chat_message_get_delivery_state (message) == CONFAB_DELIVERY_SENDING)
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
drain_cb (gpointer user_data)
{
  Cli *cli = user_data;

  if (has_unsent (cli))
    return G_SOURCE_CONTINUE;

  cli->drain_source = 0;
  cli_quit (cli, EXIT_OK);

  return G_SOURCE_REMOVE;
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, &length, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      g_printerr ("confab-cli: could not read standard input: %s\n", error->message);
      cli_quit (cli, EXIT_ERROR);
      return;
    }

  /* End of input: hang up everything and leave, once what was typed has
   * gone out (`printf 'hi\n' | confab-cli --call bob` must say hi). */
  if (line == NULL)
    {
      if (!has_unsent (cli))
        {
          g_printerr ("confab-cli: end of input; hanging up\n");
          cli_quit (cli, EXIT_OK);
          return;
        }

      g_printerr ("confab-cli: end of input; hanging up once every message has gone\n");
      cli->drain_source = g_timeout_add (DRAIN_POLL_MS, drain_cb, cli);
      return;
    }

  send_line (cli, line);
  read_next_line (cli);
}

static void
read_next_line (Cli *cli)
{
  g_data_input_stream_read_line_async (cli->input, G_PRIORITY_DEFAULT, cli->cancellable,
                                       line_read_cb, cli);
}

static void
call_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_session_call_finish (CONFAB_SESSION (object), result, &error))
    {
      /* Leaving: that is no failure of the call. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_printerr ("confab-cli: %s\n", error->message);
      cli_quit (cli, g_error_matches (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_PEER_OFFLINE)
                     ? EXIT_PEER_OFFLINE : EXIT_ERROR);
      return;
    }

  set_current_peer (cli, cli->call);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!confab_session_connect_finish (CONFAB_SESSION (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_printerr ("confab-cli: %s\n", error->message);
      if (g_error_matches (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_NAME_TAKEN))
        cli_quit (cli, EXIT_NAME_TAKEN);
      else if (g_error_matches (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_NAME) ||
               g_error_matches (error, CONFAB_SESSION_ERROR, CONFAB_SESSION_ERROR_INVALID_URL))
        cli_quit (cli, EXIT_USAGE);
      else
        cli_quit (cli, EXIT_UNREACHABLE);
      return;
    }

  cli->signed_in = TRUE;

  /* Lines read before the call's answer go to the peer called: the
   * conversation exists as soon as the call starts, and queues them. */
  if (cli->call != NULL)
    {
      set_current_peer (cli, cli->call);
      confab_session_call_async (cli->session, cli->call, cli->cancellable, call_cb, cli);
    }

  read_next_line (cli);
}

static gboolean
signal_cb (gpointer user_data)
{
  Cli *cli = user_data;

  g_printerr ("confab-cli: interrupted; hanging up\n");
  cli_quit (cli, EXIT_OK);

  return G_SOURCE_CONTINUE;
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;

  /* Nothing cancels it: this only reports a bug. */
  if (!confab_session_close_finish (CONFAB_SESSION (object), result, &error))
    g_printerr ("confab-cli: %s\n", error->message);

  g_main_loop_quit (cli->loop);
}

static const char summary[] =
  "Chats with other Confab users, and with the mobile app, from a terminal.\n"
  "\n"
  "Each line read from standard input is sent: “@PEER text” sends to PEER,\n"
  "a bare line to the most recent conversation. Lines written before the\n"
  "chat is open are sent when it opens. Standard output carries one line per\n"
  "message received, “PEER: TEXT” (a newline inside a message is written\n"
  "as \\n, a backslash as \\\\). Events and errors go to standard error.\n"
  "End of input hangs up and exits, once every line read has been sent.";

static const char description[] =
  "Exit status:\n"
  "  0  end of input, or interrupted\n"
  "  1  another error\n"
  "  2  bad arguments (including an invalid name, server or ICE server URL,\n"
  "     or --relay-only without a TURN server)\n"
  "  3  the server could not be reached\n"
  "  4  the name is taken\n"
  "  5  the peer given to --call is not online\n"
  "  6  the peer given to --call declined\n"
  "  7  the chat with the peer given to --call failed or was lost\n"
  "  8  the connection to the peer given to --call was tampered with: its\n"
  "     certificate is not the one its connection details name, so nothing\n"
  "     was sent (an incoming chat so refused is reported on standard error)";

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  gboolean version = FALSE;
  gboolean has_turn = FALSE;
  g_auto(Cli) cli = { 0 };
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &cli.server, "Signalling server (ws:// or wss://)", "URL" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &cli.name, "Name to sign in as", "NAME" },
    { "call", 'c', 0, G_OPTION_ARG_STRING, &cli.call, "Start a chat with PEER", "PEER" },
    { "accept", 'a', 0, G_OPTION_ARG_STRING, &cli.accept, "Accept a chat offered by PEER", "PEER" },
    { "accept-any", 0, 0, G_OPTION_ARG_NONE, &cli.accept_any, "Accept every chat offered", NULL },
    { "ice-server", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.ice_servers,
      "STUN or TURN server, as stun:HOST:PORT or turn:USER:PASS@HOST:PORT (repeatable; "
      "only the first STUN server is used)", "URL" },
    { "relay-only", 0, 0, G_OPTION_ARG_NONE, &cli.relay_only,
      "Reach peers only through a TURN server, hiding this computer's addresses from them",
      NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  gst_init (&argc, &argv);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("confab-cli: %s\n", error->message);
      return EXIT_USAGE;
    }

  if (version)
    {
      g_print ("confab-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  if (cli.server == NULL || cli.name == NULL)
    {
      g_printerr ("confab-cli: --server and --name are required; see --help\n");
      return EXIT_USAGE;
    }

  if (cli.accept_any && cli.accept != NULL)
    {
      g_printerr ("confab-cli: give either --accept or --accept-any, not both\n");
      return EXIT_USAGE;
    }

  /* The session would only skip a server it cannot use: a typo here is a
   * usage error, not a chat that fails later behind a router. */
  for (char **url = cli.ice_servers; url != NULL && *url != NULL; url++)
    {
      ConfabIceServerKind kind;
      g_autofree char *converted = confab_ice_server_to_webrtcbin (*url, &kind, &error);

      if (converted == NULL)
        {
          g_printerr ("confab-cli: --ice-server: %s\n", error->message);
          return EXIT_USAGE;
        }
      if (kind != CONFAB_ICE_SERVER_STUN)
        has_turn = TRUE;
    }

  if (cli.relay_only && !has_turn)
    {
      g_printerr ("confab-cli: --relay-only needs a TURN server: add --ice-server turn:USER:PASS@HOST\n");
      return EXIT_USAGE;
    }

  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  cli.session = confab_session_new ();
  if (cli.ice_servers != NULL)
    confab_session_set_ice_servers (cli.session, (const char * const *) cli.ice_servers);
  confab_session_set_relay_only (cli.session, cli.relay_only);

  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  cli.input = g_data_input_stream_new (stdin_stream);

  g_signal_connect (cli.session, "message-received", G_CALLBACK (message_received_cb), &cli);
  g_signal_connect (cli.session, "incoming-request", G_CALLBACK (incoming_request_cb), &cli);
  g_signal_connect (cli.session, "notify::state", G_CALLBACK (session_state_cb), &cli);
  g_signal_connect (confab_session_get_conversations (cli.session), "items-changed",
                    G_CALLBACK (conversations_changed_cb), &cli);
  g_unix_signal_add (SIGINT, signal_cb, &cli);
  g_unix_signal_add (SIGTERM, signal_cb, &cli);

  confab_session_connect_async (cli.session, cli.server, cli.name, cli.cancellable, connect_cb, &cli);

  g_main_loop_run (cli.loop);

  /* Our own hang-up is no news to print ("PEER hung up" is for theirs). */
  g_signal_handlers_disconnect_by_data (cli.session, &cli);
  g_signal_handlers_disconnect_by_data (confab_session_get_conversations (cli.session), &cli);
  for (guint i = 0; i < g_list_model_get_n_items (confab_session_get_conversations (cli.session)); i++)
    {
      g_autoptr(GObject) conversation = g_list_model_get_item (confab_session_get_conversations (cli.session), i);

      g_signal_handlers_disconnect_by_data (conversation, &cli);
    }

  /* Hang up properly and let every connection close, so peers learn at
   * once rather than by time-out, even a browser or the mobile app, which
   * ignore the hang_up message. */
  g_cancellable_cancel (cli.cancellable);
  confab_session_close_async (cli.session, NULL, close_cb, &cli);
  g_main_loop_run (cli.loop);

  /* The cancelled operations report back, and let go of what they hold. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);

  return cli.exit_code;
}
