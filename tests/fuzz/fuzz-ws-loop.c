/* fuzz-ws-loop.c: libFuzzer target for the server's websocket framing
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "confab-ws-loop.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* The input is what a client sends after the HTTP upgrade, through a real
 * socket into a connection of the loop: its first byte says how many bytes each
 * write carries (1 to 256), so that frames arrive cut anywhere.  Every
 * message is echoed, so that the write path runs too; then the client's
 * end closes, and the connection must end. */
#define MAX_PAYLOAD 4096

static ConfabWsLoop *loop;
static ConfabSignalTransport *conn;
static gboolean closed;

/* UTF-8 as RFC 6455 means it, where U+0000 is a character like any
 * other (g_utf8_validate() refuses it). */
static gboolean
is_utf8 (const char *text,
         gsize       length)
{
  const char *end = text + length;

  while (text < end)
    {
      const char *nul = memchr (text, '\0', end - text);
      const char *stop = nul != NULL ? nul : end;

      if (!g_utf8_validate_len (text, stop - text, NULL))
        return FALSE;
      text = stop + (nul != NULL);
    }

  return TRUE;
}

static void
message_cb (gpointer    user_data,
            const char *text,
            gsize       length,
            gboolean    binary)
{
  g_assert (!closed);
  g_assert_cmpuint (length, <=, MAX_PAYLOAD);
  /* Text reaches the server only as UTF-8. */
  g_assert (binary || is_utf8 (text, length));

  confab_signal_transport_send_text (conn, text, length);
  if (length > 0 && text[0] == 'q')
    confab_signal_transport_close (conn, CONFAB_WS_CLOSE_NORMAL, "Asked to");
}

static void
heard_cb (gpointer user_data)
{
  g_assert (!closed);
}

static void
closed_cb (gpointer user_data,
           gushort  code)
{
  g_assert (!closed);
  closed = TRUE;
}

static const ConfabSignalTransportEvents events = {
  .message = message_cb,
  .heard = heard_cb,
  .closed = closed_cb,
};

/* Reads and drops what the server wrote, so that it never stalls. */
static void
drain (int fd)
{
  char buffer[4096];

  while (read (fd, buffer, sizeof buffer) > 0)
    ;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  gsize chunk;
  int fds[2];

  if (size < 1)
    return 0;

  if (loop == NULL)
    loop = confab_ws_loop_new (NULL);

  chunk = 1 + data[0];
  data++;
  size--;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket = g_socket_new_from_fd (fds[0], NULL);
  g_assert_nonnull (socket);
  connection = g_socket_connection_factory_create_connection (socket);

  closed = FALSE;
  conn = confab_ws_loop_add (loop, G_IO_STREAM (connection), fds[0], MAX_PAYLOAD, &events, NULL);

  for (gsize offset = 0; offset < size && !closed; offset += chunk)
    {
      gsize length = MIN (chunk, size - offset);

      /* The server may have closed its end already. */
      if (send (fds[1], data + offset, length, MSG_NOSIGNAL) < 0)
        break;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      drain (fds[1]);
    }

  shutdown (fds[1], SHUT_WR);
  while (!closed)
    {
      g_main_context_iteration (NULL, TRUE);
      drain (fds[1]);
    }

  close (fds[1]);
  conn = NULL;

  return 0;
}
