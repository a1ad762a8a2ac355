/* test-turn.c: STUN and TURN through a real coturn, and relay-only
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <interfaces.h>

#include "confab-peer.h"
#include "confab-peer-private.h"
#include "confab-runtime.h"

/* Two real ConfabPeers, their signalling handed across in this process (as
 * test-peer.c does), and Debian's coturn with a test user, on this host
 * only (see pick_turn_ip()).
 * Every signalling message a peer sends is kept, so that the tests can
 * say what left it. */

#define TURN_USER "test"
#define TURN_PASSWORD "secret"
#define TURN_REALM "confab.test"

typedef struct
{
  char       *dir;
  GPid        pid;
  guint16     port;
} Coturn;

typedef struct
{
  Coturn      coturn;
  ConfabPeer *alice;   /* the caller */
  ConfabPeer *bob;     /* the callee, made from the offer */
  GStrv       ice_servers;
  gboolean    alice_relay_only;
  gboolean    bob_relay_only;
  GPtrArray  *sent;    /* every ConfabMessage either peer sent */
  GPtrArray  *received;
} Fixture;

static char *turnserver_path;
/* Where coturn listens and relays: the address the peers meet on. */
static char *turn_ip;

/* libnice leaves loopback out when there is anything else, and its
 * requests from the LAN address never reach a server on 127.0.0.1: so
 * coturn listens where the peers are, which is loopback only on a host
 * without a LAN (confab-peer-negotiation.c adds it then). */
static char *
pick_turn_ip (void)
{
  GList *addresses = nice_interfaces_get_local_ips (FALSE);
  char *ip = NULL;

  for (GList *l = addresses; l != NULL && ip == NULL; l = l->next)
    {
      if (strchr (l->data, ':') == NULL)
        ip = g_strdup (l->data);
    }
  g_list_free_full (addresses, g_free);

  return ip != NULL ? ip : g_strdup ("127.0.0.1");
}

/* A UDP port nothing listens on now: coturn takes it a moment later. */
static guint16
free_udp_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
coturn_log (Coturn *coturn)
{
  g_autofree char *path = g_build_filename (coturn->dir, "turn.log", NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static void
coturn_start (Coturn *coturn)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listening_port = NULL;
  g_autofree char *pidfile = NULL;
  g_autofree char *userdb = NULL;
  g_autofree char *log_file = NULL;
  g_autofree char *listening_ip = g_strdup_printf ("--listening-ip=%s", turn_ip);
  g_autofree char *relay_ip = g_strdup_printf ("--relay-ip=%s", turn_ip);
  gint64 deadline;

  coturn->dir = g_dir_make_tmp ("confab-coturn-XXXXXX", &error);
  g_assert_no_error (error);
  coturn->port = free_udp_port ();
  listening_port = g_strdup_printf ("--listening-port=%u", coturn->port);
  pidfile = g_strdup_printf ("--pidfile=%s/turn.pid", coturn->dir);
  userdb = g_strdup_printf ("--userdb=%s/turn.db", coturn->dir);
  log_file = g_strdup_printf ("--log-file=%s/turn.log", coturn->dir);

  {
    /* Relays on the same address; --allow-loopback-peers for a host
     * where that address is 127.0.0.1. */
    const char *argv[] = {
      turnserver_path, "-n", "-v",
      listening_ip, relay_ip, listening_port,
      "--user=" TURN_USER ":" TURN_PASSWORD, "--realm=" TURN_REALM, "--lt-cred-mech",
      "--no-tls", "--no-dtls", "--no-tcp", "--allow-loopback-peers", "--no-cli", "--log-binding",
      "--simple-log", "--no-stdout-log", log_file, pidfile, userdb,
      NULL,
    };

    g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                   NULL, NULL, &coturn->pid, &error);
    g_assert_no_error (error);
  }

  /* Ready once its UDP listener is open; bounded, so that a coturn that
   * cannot start fails here rather than as an ICE failure later. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *log = coturn_log (coturn);

      if (strstr (log, "UDP listener opened on") != NULL || strstr (log, "listener opened on") != NULL)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("coturn did not start; its log:\n%s", log);
      g_usleep (50 * 1000);
    }
}

static void
coturn_stop (Coturn *coturn)
{
  if (coturn->pid != 0)
    {
      kill (coturn->pid, SIGTERM);
      waitpid (coturn->pid, NULL, 0);
      g_spawn_close_pid (coturn->pid);
      coturn->pid = 0;
    }

  if (coturn->dir != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (coturn->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (coturn->dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (coturn->dir);
      g_clear_pointer (&coturn->dir, g_free);
    }
}

/* Signalling, as the server would relay it */

static void peer_send_message_cb (ConfabPeer    *peer,
                                  ConfabMessage *message,
                                  Fixture       *fixture);

static void
text_received_cb (ConfabPeer *peer,
                  const char *text,
                  Fixture    *fixture)
{
  g_ptr_array_add (fixture->received, g_strdup (text));
}

static void
make_bob (Fixture       *fixture,
          ConfabMessage *offer)
{
  g_autoptr(GError) error = NULL;

  fixture->bob = confab_peer_new_incoming ("bob", offer, &error);
  g_assert_no_error (error);
  g_assert_true (confab_peer_set_ice_servers (fixture->bob,
                                              (const char * const *) fixture->ice_servers, NULL));
  confab_peer_set_relay_only (fixture->bob, fixture->bob_relay_only);
  g_signal_connect (fixture->bob, "send-message", G_CALLBACK (peer_send_message_cb), fixture);
  g_signal_connect (fixture->bob, "text-received", G_CALLBACK (text_received_cb), fixture);
  confab_peer_accept (fixture->bob);
}

typedef struct
{
  Fixture       *fixture;
  gboolean       to_alice;
  ConfabMessage *message;
} Delivery;

static void
delivery_free (gpointer data)
{
  Delivery *delivery = data;

  confab_message_unref (delivery->message);
  g_free (delivery);
}

static gboolean
deliver_cb (gpointer data)
{
  Delivery *delivery = data;
  Fixture *fixture = delivery->fixture;

  if (delivery->to_alice)
    confab_peer_handle_message (fixture->alice, delivery->message);
  else if (confab_message_get_kind (delivery->message) == CONFAB_MESSAGE_OFFER_RECEIVED)
    make_bob (fixture, delivery->message);
  else if (fixture->bob != NULL)
    confab_peer_handle_message (fixture->bob, delivery->message);

  return G_SOURCE_REMOVE;
}

static void
deliver (Fixture       *fixture,
         gboolean       to_alice,
         ConfabMessage *message)
{
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->fixture = fixture;
  delivery->to_alice = to_alice;
  delivery->message = message;
  g_idle_add_full (G_PRIORITY_DEFAULT, deliver_cb, delivery, delivery_free);
}

static void
peer_send_message_cb (ConfabPeer    *peer,
                      ConfabMessage *message,
                      Fixture       *fixture)
{
  gboolean from_alice = peer == fixture->alice;

  g_ptr_array_add (fixture->sent, confab_message_ref (message));

  if (confab_message_get_kind (message) == CONFAB_MESSAGE_START_TRANSFER)
    deliver (fixture, TRUE, confab_message_new_transfer_response ("bob"));
  else
    deliver (fixture, !from_alice,
             confab_message_new_relayed (message, from_alice ? "alice" : "bob"));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_message_unref);
  fixture->received = g_ptr_array_new_with_free_func (g_free);
  coturn_start (&fixture->coturn);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (fixture->alice != NULL)
    g_signal_handlers_disconnect_by_data (fixture->alice, fixture);
  if (fixture->bob != NULL)
    g_signal_handlers_disconnect_by_data (fixture->bob, fixture);
  g_clear_object (&fixture->alice);
  g_clear_object (&fixture->bob);

  while (confab_runtime_get_n_closing () > 0 || g_main_context_pending (NULL))
    g_main_context_iteration (NULL, TRUE);

  coturn_stop (&fixture->coturn);
  g_clear_pointer (&fixture->ice_servers, g_strfreev);
  g_clear_pointer (&fixture->sent, g_ptr_array_unref);
  g_clear_pointer (&fixture->received, g_ptr_array_unref);
}

static void
wait_for_state (ConfabPeer      *peer,
                ConfabPeerState  state)
{
  while (confab_peer_get_state (peer) != state)
    {
      ConfabPeerState now = confab_peer_get_state (peer);

      if (now == CONFAB_PEER_STATE_CLOSED || now == CONFAB_PEER_STATE_FAILED)
        g_error ("peer “%s” ended in state %d (reason %d) waiting for %d",
                 confab_peer_get_remote_name (peer), now,
                 confab_peer_get_failure_reason (peer), state);

      g_main_context_iteration (NULL, TRUE);
    }
}

/* Alice calls Bob, both with the fixture's servers, and they chat. */
static void
chat (Fixture *fixture)
{
  fixture->alice = confab_peer_new_outgoing ("alice", "bob");
  g_assert_true (confab_peer_set_ice_servers (fixture->alice,
                                              (const char * const *) fixture->ice_servers, NULL));
  confab_peer_set_relay_only (fixture->alice, fixture->alice_relay_only);
  g_signal_connect (fixture->alice, "send-message", G_CALLBACK (peer_send_message_cb), fixture);

  confab_peer_call (fixture->alice);
  wait_for_state (fixture->alice, CONFAB_PEER_STATE_OPEN);
  g_assert_nonnull (fixture->bob);
  wait_for_state (fixture->bob, CONFAB_PEER_STATE_OPEN);

  g_assert_true (confab_peer_send_text (fixture->alice, 1, "through coturn", NULL));
  while (fixture->received->len < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (fixture->received, 0), ==, "through coturn");
}

static char *
turn_url (Fixture *fixture)
{
  return g_strdup_printf ("turn:" TURN_USER ":" TURN_PASSWORD "@%s:%u?transport=udp",
                          turn_ip, fixture->coturn.port);
}

/* The "typ" of each candidate in @sent from @name, from the ice_candidate
 * messages and from the a=candidate lines of its offer or answer. */
static GPtrArray *
candidate_types (GPtrArray  *sent,
                 const char *name)
{
  GPtrArray *types = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < sent->len; i++)
    {
      ConfabMessage *message = g_ptr_array_index (sent, i);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      ConfabMessageKind kind;

      if (g_strcmp0 (confab_message_get_name (message), name) != 0)
        continue;

      kind = confab_message_get_kind (message);
      if (kind == CONFAB_MESSAGE_ICE_CANDIDATE)
        text = g_strdup (confab_message_get_candidate (message));
      else if (kind == CONFAB_MESSAGE_CREATE_OFFER || kind == CONFAB_MESSAGE_CREATE_ANSWER)
        text = g_strdup (confab_message_get_sdp (message));

      if (text == NULL)
        continue;

      lines = g_strsplit_set (text, "\r\n", -1);
      for (guint j = 0; lines[j] != NULL; j++)
        {
          const char *typ = strstr (lines[j], " typ ");
          g_autofree char *type = NULL;

          if (!g_str_has_prefix (lines[j], "candidate:") && !g_str_has_prefix (lines[j], "a=candidate:"))
            continue;
          g_assert_nonnull (typ);
          type = g_strndup (typ + 5, strcspn (typ + 5, " "));
          g_ptr_array_add (types, g_steal_pointer (&type));
        }
    }

  return types;
}

/* STUN: libnice asks coturn for its reflexive address.  On one machine
 * that address is the host address, which libnice then does not signal
 * as srflx, so the proof is coturn's own record of the answered binding
 * requests.  The second STUN server is not used (webrtcbin takes one):
 * nothing listens there, and the chat does not wait for it. */
static void
test_turn_stun (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *stun = g_strdup_printf ("stun:%s:%u", turn_ip, fixture->coturn.port);
  const char *servers[] = { stun, "stun:127.0.0.1:9", NULL };
  g_autofree char *log = NULL;

  fixture->ice_servers = g_strdupv ((char **) servers);
  chat (fixture);

  log = coturn_log (&fixture->coturn);
  g_test_message ("coturn log:\n%s", log);
  g_assert_nonnull (strstr (log, "BINDING"));
}

/* relay-only on both sides: nothing but relay candidates leaves either
 * peer, in candidates or descriptions, and ICE picks a relay pair. */
static void
test_turn_relay_only (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *turn = turn_url (fixture);
  const char *servers[] = { turn, NULL };
  g_autofree char *local_type = NULL;
  g_autofree char *remote_type = NULL;

  fixture->ice_servers = g_strdupv ((char **) servers);
  fixture->alice_relay_only = TRUE;
  fixture->bob_relay_only = TRUE;
  chat (fixture);

  for (guint side = 0; side < 2; side++)
    {
      const char *name = side == 0 ? "alice" : "bob";
      g_autoptr(GPtrArray) types = candidate_types (fixture->sent, name);

      g_assert_cmpuint (types->len, >, 0);
      for (guint i = 0; i < types->len; i++)
        g_assert_cmpstr (g_ptr_array_index (types, i), ==, "relay");
    }

  g_assert_true (_confab_peer_get_selected_pair (fixture->alice, &local_type, &remote_type));
  g_assert_cmpstr (local_type, ==, "relay");
  g_assert_cmpstr (remote_type, ==, "relay");
}

/* relay-only on one side is enough to hide that side, and still chats
 * with a peer that offers its host addresses. */
static void
test_turn_relay_only_one_side (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *turn = turn_url (fixture);
  const char *servers[] = { turn, NULL };
  g_autoptr(GPtrArray) types = NULL;
  g_autofree char *local_type = NULL;
  g_autofree char *remote_type = NULL;

  fixture->ice_servers = g_strdupv ((char **) servers);
  fixture->bob_relay_only = TRUE;
  chat (fixture);

  types = candidate_types (fixture->sent, "bob");
  g_assert_cmpuint (types->len, >, 0);
  for (guint i = 0; i < types->len; i++)
    g_assert_cmpstr (g_ptr_array_index (types, i), ==, "relay");

  g_assert_true (_confab_peer_get_selected_pair (fixture->bob, &local_type, &remote_type));
  g_assert_cmpstr (local_type, ==, "relay");
}

/* Relay-only with no TURN server, and a server URL that cannot be used,
 * fail the call with a sentence rather than a log line. */
static void
test_turn_unusable_servers (Fixture       *fixture,
                            gconstpointer  user_data)
{
  static const char * const bad[] = { "turn:turn.example.org", NULL };
  g_autoptr(ConfabPeer) hidden = confab_peer_new_outgoing ("alice", "bob");
  g_autoptr(ConfabPeer) broken = confab_peer_new_outgoing ("alice", "bob");
  g_autoptr(ConfabMessage) online = confab_message_new_transfer_response ("bob");
  g_autoptr(GError) error = NULL;

  confab_peer_set_relay_only (hidden, TRUE);
  confab_peer_call (hidden);
  g_assert_null (confab_peer_get_ice_servers_problem (hidden));
  confab_peer_handle_message (hidden, online);
  g_assert_cmpint (confab_peer_get_state (hidden), ==, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (hidden), ==, CONFAB_PEER_REASON_ICE_SERVERS);
  g_assert_nonnull (strstr (confab_peer_get_ice_servers_problem (hidden), "TURN server"));

  g_assert_false (confab_peer_set_ice_servers (broken, bad, &error));
  g_assert_nonnull (error);
  confab_peer_call (broken);
  confab_peer_handle_message (broken, online);
  g_assert_cmpint (confab_peer_get_state (broken), ==, CONFAB_PEER_STATE_FAILED);
  g_assert_cmpint (confab_peer_get_failure_reason (broken), ==, CONFAB_PEER_REASON_ICE_SERVERS);
  g_assert_cmpstr (confab_peer_get_ice_servers_problem (broken), ==, error->message);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  turnserver_path = g_find_program_in_path ("turnserver");
  if (turnserver_path == NULL)
    {
      /* Shown as a skip by meson, not silently absent: ./run installs it. */
      g_printerr ("coturn's turnserver is not installed: skipping\n");
      return 77;
    }
  turn_ip = pick_turn_ip ();

#define ADD(path, func) \
  g_test_add ("/turn/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("stun", test_turn_stun);
  ADD ("relay-only", test_turn_relay_only);
  ADD ("relay-only-one-side", test_turn_relay_only_one_side);

#undef ADD

  g_test_add ("/turn/unusable-servers", Fixture, NULL, NULL, test_turn_unusable_servers, NULL);

  return g_test_run ();
}
