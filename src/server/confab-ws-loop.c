/* confab-ws-loop.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "confab-utf8.h"
#include "confab-ws-loop.h"

/* What one read takes from a socket: several relayed offers at once. */
#define READ_CHUNK        (64 * 1024)
#define MAX_EVENTS        256
/* A peer that sends nothing back after our close frame is dropped. */
#define CLOSE_TIMEOUT_US  (5 * G_USEC_PER_SEC)
/* What a peer that stopped reading may make us hold before we drop it:
 * the whole output buffer, sent part included, so that a reader that
 * always leaves a little unread cannot make it grow either. */
#define MAX_OUT_BACKLOG   (4 * 1024 * 1024)
/* A frame or a fragmented message may take this long to arrive whole:
 * past it the peer is holding a buffer of ours for nothing. */
#define INCOMPLETE_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define MAX_HEADER        14

/* Linux: EWOULDBLOCK is EAGAIN. */
G_STATIC_ASSERT (EWOULDBLOCK == EAGAIN);

typedef enum
{
  OPCODE_CONTINUATION = 0x0,
  OPCODE_TEXT         = 0x1,
  OPCODE_BINARY       = 0x2,
  OPCODE_CLOSE        = 0x8,
  OPCODE_PING         = 0x9,
  OPCODE_PONG         = 0xA,
} Opcode;

typedef enum
{
  CONN_OPEN,
  /* our close frame is out; waiting for the peer's */
  CONN_CLOSING,
  /* the socket is closed; the closed callback is due */
  CONN_DEAD,
} ConnState;

typedef struct _ConfabWsConn ConfabWsConn;

struct _ConfabWsConn
{
  ConfabSignalTransport  parent;        /* events and their user_data */
  ConfabWsLoop          *loop;
  GList                  link;          /* in loop->conns */
  GList                  pending_link;  /* in loop->closing or loop->dead */
  GList                  incomplete_link; /* in loop->incomplete */
  GIOStream             *stream;        /* owns the descriptor */
  GByteArray            *in;            /* a frame the last read ended inside */
  GByteArray            *message;       /* the fragments of a message so far */
  GByteArray            *out;           /* what the kernel did not take yet */
  gsize                  out_offset;
  gsize                  max_payload;
  gint64                 close_deadline;
  gint64                 incomplete_since;
  int                    fd;
  gushort                close_code;
  guint8                 state;
  guint8                 message_opcode;
  guint8                 want_out : 1;
  /* a whole message arrived during the current read */
  guint8                 progress : 1;
};

struct _ConfabWsLoop
{
  GSource      *source;
  GMainContext *context;
  GQueue        conns;
  GQueue        closing;
  GQueue        dead;
  /* Connections holding part of a frame or message, oldest first */
  GQueue        incomplete;
  guint         tick_id;
  guint         reap_id;
  int           epoll_fd;
  guint8        scratch[READ_CHUNK];
};

typedef struct
{
  GSource       parent;
  ConfabWsLoop *loop;
} LoopSource;

/* Dead connections are told and freed from an idle callback, never in
 * the middle of a read or a send that another connection's frame caused:
 * no caller ever holds a freed connection. */
static gboolean
reap_dead_cb (gpointer user_data)
{
  ConfabWsLoop *loop = user_data;
  GList *l;

  loop->reap_id = 0;

  while ((l = g_queue_pop_head_link (&loop->dead)) != NULL)
    {
      ConfabWsConn *conn = l->data;

      g_queue_unlink (&loop->conns, &conn->link);
      conn->parent.events->closed (conn->parent.user_data, conn->close_code);

      g_clear_pointer (&conn->in, g_byte_array_unref);
      g_clear_pointer (&conn->message, g_byte_array_unref);
      g_clear_pointer (&conn->out, g_byte_array_unref);
      g_free (conn);
    }

  return G_SOURCE_REMOVE;
}

static void
conn_finish (ConfabWsConn *conn,
             gushort       code)
{
  ConfabWsLoop *loop = conn->loop;

  if (conn->state == CONN_DEAD)
    return;

  if (conn->state == CONN_CLOSING)
    g_queue_unlink (&loop->closing, &conn->pending_link);
  else
    conn->close_code = code;

  if (conn->incomplete_link.data != NULL)
    {
      g_queue_unlink (&loop->incomplete, &conn->incomplete_link);
      conn->incomplete_link.data = NULL;
    }

  conn->state = CONN_DEAD;
  epoll_ctl (loop->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
  g_io_stream_close (conn->stream, NULL, NULL);
  g_clear_object (&conn->stream);
  conn->fd = -1;

  g_queue_push_tail_link (&loop->dead, &conn->pending_link);
  if (loop->reap_id == 0)
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, reap_dead_cb, loop, NULL);
      loop->reap_id = g_source_attach (idle, loop->context);
      g_source_unref (idle);
    }
}

static void
conn_watch_out (ConfabWsConn *conn,
                gboolean      want_out)
{
  struct epoll_event event = { 0 };

  if (conn->want_out == want_out)
    return;

  conn->want_out = want_out;
  event.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0);
  event.data.ptr = conn;
  epoll_ctl (conn->loop->epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
}

static void
conn_flush (ConfabWsConn *conn)
{
  if (conn->state == CONN_DEAD)
    return;

  while (conn->out != NULL && conn->out_offset < conn->out->len)
    {
      ssize_t n = send (conn->fd, conn->out->data + conn->out_offset,
                        conn->out->len - conn->out_offset, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n <= 0)
        {
          conn_finish (conn, CONFAB_WS_CLOSE_ABNORMAL);
          return;
        }
      conn->out_offset += n;
    }

  g_clear_pointer (&conn->out, g_byte_array_unref);
  conn->out_offset = 0;
  conn_watch_out (conn, FALSE);
}

/* Writes a frame now; what the kernel does not take waits for EPOLLOUT,
 * after anything that already waits. */
static void
conn_write_frame (ConfabWsConn *conn,
                  Opcode        opcode,
                  const void   *payload,
                  gsize         length)
{
  guint8 header[MAX_HEADER];
  gsize header_length = 2;
  struct iovec iov[2];
  struct msghdr msg = { 0 };
  gsize total;
  ssize_t n = 0;

  if (conn->state == CONN_DEAD)
    return;

  /* Server frames are never masked. */
  header[0] = 0x80 | opcode;
  if (length < 126)
    header[1] = length;
  else if (length <= G_MAXUINT16)
    {
      header[1] = 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      header_length = 4;
    }
  else
    {
      header[1] = 127;
      for (int i = 0; i < 8; i++)
        header[2 + i] = ((guint64) length >> (56 - 8 * i)) & 0xff;
      header_length = 10;
    }

  total = header_length + length;
  iov[0].iov_base = header;
  iov[0].iov_len = header_length;
  iov[1].iov_base = (void *) payload;
  iov[1].iov_len = length;

  if (conn->out == NULL)
    {
      msg.msg_iov = iov;
      msg.msg_iovlen = length > 0 ? 2 : 1;
      do
        n = sendmsg (conn->fd, &msg, MSG_NOSIGNAL);
      while (n < 0 && errno == EINTR);

      if (n < 0 && errno != EAGAIN)
        {
          conn_finish (conn, CONFAB_WS_CLOSE_ABNORMAL);
          return;
        }
      if (n < 0)
        n = 0;
      if ((gsize) n == total)
        return;
      conn->out = g_byte_array_sized_new (total - n);
    }
  else if (conn->out_offset > 0 && conn->out_offset >= conn->out->len / 2)
    {
      /* Drop what was sent before appending: at most half the buffer
       * moves, so a peer that never quite catches up costs O(1) a byte
       * rather than a buffer that grows for ever. */
      g_byte_array_remove_range (conn->out, 0, conn->out_offset);
      conn->out_offset = 0;
    }

  if ((gsize) n < header_length)
    g_byte_array_append (conn->out, header + n, header_length - n);
  if (length > 0)
    {
      gsize skip = (gsize) n > header_length ? n - header_length : 0;

      g_byte_array_append (conn->out, (const guint8 *) payload + skip, length - skip);
    }

  if (conn->out->len > MAX_OUT_BACKLOG)
    {
      conn_finish (conn, CONFAB_WS_CLOSE_ABNORMAL);
      return;
    }

  conn_watch_out (conn, TRUE);
}

static void
conn_send_close (ConfabWsConn *conn,
                 gushort       code,
                 const char   *reason)
{
  guint8 payload[125];
  gsize length = 0;

  if (code != CONFAB_WS_CLOSE_NO_STATUS)
    {
      gsize reason_length = reason != NULL ? strlen (reason) : 0;

      /* Our reasons are short ASCII sentences. */
      reason_length = MIN (reason_length, sizeof payload - 2);
      payload[0] = code >> 8;
      payload[1] = code & 0xff;
      if (reason_length > 0)
        memcpy (payload + 2, reason, reason_length);
      length = 2 + reason_length;
    }

  conn_write_frame (conn, OPCODE_CLOSE, payload, length);
}

/* A peer that broke the protocol: the close code says how (with no
 * reason, as libsoup does), and it is dropped at once rather than waited
 * for. */
static void
conn_fail (ConfabWsConn *conn,
           gushort       code)
{
  if (conn->state == CONN_OPEN)
    conn_send_close (conn, code, NULL);
  conn_flush (conn);
  conn_finish (conn, code);
}

static gboolean
tick_cb (gpointer user_data)
{
  ConfabWsLoop *loop = user_data;
  gint64 now = g_get_monotonic_time ();

  while (loop->incomplete.head != NULL)
    {
      ConfabWsConn *conn = loop->incomplete.head->data;

      if (conn->incomplete_since + INCOMPLETE_TIMEOUT_US > now)
        break;
      /* A frame or message that never ends: pings in between do not
       * make it any less stuck. */
      conn_fail (conn, CONFAB_WS_CLOSE_POLICY_VIOLATION);
    }

  while (loop->closing.head != NULL)
    {
      ConfabWsConn *conn = loop->closing.head->data;

      if (conn->close_deadline > now)
        break;
      conn_finish (conn, conn->close_code);
    }

  if (loop->closing.head != NULL || loop->incomplete.head != NULL)
    return G_SOURCE_CONTINUE;

  loop->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
loop_ensure_tick (ConfabWsLoop *loop)
{
  GSource *tick;

  if (loop->tick_id != 0)
    return;

  tick = g_timeout_source_new_seconds (1);
  g_source_set_callback (tick, tick_cb, loop, NULL);
  loop->tick_id = g_source_attach (tick, loop->context);
  g_source_unref (tick);
}

/* RFC 6455 7.4: the codes a peer may put in a close frame.  1005, 1006
 * and 1015 only ever describe a close locally; the rest of 1000-2999 is
 * the protocol's own and unassigned; 5000 and up do not exist. */
static gboolean
close_code_is_valid (gushort code)
{
  return (code >= 1000 && code <= 1003) ||
         (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

static void
conn_deliver (ConfabWsConn *conn,
              Opcode        opcode,
              const guint8 *data,
              gsize         length)
{
  /* After our close frame, RFC 6455 lets us ignore what still comes. */
  if (conn->state != CONN_OPEN)
    return;

  if (opcode == OPCODE_TEXT && !confab_utf8_validate ((const char *) data, length))
    {
      /* Text that is not UTF-8 */
      conn_fail (conn, CONFAB_WS_CLOSE_BAD_DATA);
      return;
    }

  conn->progress = TRUE;
  conn->parent.events->message (conn->parent.user_data, (const char *) data, length,
                                opcode == OPCODE_BINARY);
}

static void
conn_handle_frame (ConfabWsConn *conn,
                   gboolean      fin,
                   Opcode        opcode,
                   guint8       *payload,
                   gsize         length)
{
  conn->parent.events->heard (conn->parent.user_data);
  if (conn->state == CONN_DEAD)
    return;

  switch (opcode)
    {
    case OPCODE_PING:
      if (conn->state == CONN_OPEN)
        conn_write_frame (conn, OPCODE_PONG, payload, length);
      break;

    case OPCODE_PONG:
      break;

    case OPCODE_CLOSE:
      {
        gushort code = CONFAB_WS_CLOSE_NO_STATUS;

        if (length == 1)
          {
            /* A close frame of one byte */
            conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
            return;
          }
        if (length >= 2)
          {
            code = (payload[0] << 8) | payload[1];
            if (!close_code_is_valid (code))
              {
                /* A close code that may not be sent */
                conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
                return;
              }
            if (!confab_utf8_validate ((const char *) payload + 2, length - 2))
              {
                /* A close reason that is not UTF-8 */
                conn_fail (conn, CONFAB_WS_CLOSE_BAD_DATA);
                return;
              }
          }

        /* The peer closes: answer with its code, then drop the socket
         * (the server closes TCP first). */
        if (conn->state == CONN_OPEN)
          {
            conn_send_close (conn, code, NULL);
            conn->close_code = code;
            conn_flush (conn);
          }
        conn_finish (conn, code);
      }
      break;

    case OPCODE_TEXT:
    case OPCODE_BINARY:
      if (conn->message != NULL)
        {
          /* A new message inside a fragmented one */
          conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
          return;
        }
      if (fin)
        conn_deliver (conn, opcode, payload, length);
      else
        {
          conn->message = g_byte_array_sized_new (length);
          g_byte_array_append (conn->message, payload, length);
          conn->message_opcode = opcode;
        }
      break;

    case OPCODE_CONTINUATION:
      if (conn->message == NULL)
        {
          /* A continuation of no message */
          conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
          return;
        }
      if (conn->message->len + length > conn->max_payload)
        {
          /* Message too big */
          conn_fail (conn, CONFAB_WS_CLOSE_TOO_BIG);
          return;
        }
      g_byte_array_append (conn->message, payload, length);
      if (fin)
        {
          g_autoptr(GByteArray) message = g_steal_pointer (&conn->message);

          conn_deliver (conn, conn->message_opcode, message->data, message->len);
        }
      break;

    default:
      /* An unknown opcode */
      conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
      break;
    }
}

static void
unmask (guint8       *data,
        gsize         length,
        const guint8  key[4])
{
  guint64 key64;
  gsize i = 0;

  for (int j = 0; j < 8; j++)
    ((guint8 *) &key64)[j] = key[j % 4];

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      word ^= key64;
      memcpy (data + i, &word, 8);
    }
  for (; i < length; i++)
    data[i] ^= key[i % 4];
}

/* Handles every whole frame in @data and returns how many bytes they
 * took; the rest is the start of a frame still to come. */
static gsize
conn_parse (ConfabWsConn *conn,
            guint8       *data,
            gsize         length)
{
  gsize offset = 0;

  while (conn->state != CONN_DEAD)
    {
      guint8 *frame = data + offset;
      gsize available = length - offset;
      gsize header_length = 2;
      guint64 payload_length;
      gboolean fin;
      Opcode opcode;

      if (available < 2)
        break;

      fin = (frame[0] & 0x80) != 0;
      opcode = frame[0] & 0x0f;
      payload_length = frame[1] & 0x7f;

      if ((frame[0] & 0x70) != 0)
        {
          /* Reserved bits set: no extension was agreed */
          conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
          break;
        }
      /* RFC 6455 5.1: a server closes on an unmasked client frame. */
      if ((frame[1] & 0x80) == 0)
        {
          /* An unmasked frame from a client */
          conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
          break;
        }

      if (payload_length == 126)
        {
          if (available < 4)
            break;
          payload_length = (frame[2] << 8) | frame[3];
          header_length = 4;
          if (payload_length < 126)
            {
              /* RFC 6455 5.2: a length in more bytes than it needs */
              conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
              break;
            }
        }
      else if (payload_length == 127)
        {
          if (available < 10)
            break;
          payload_length = 0;
          for (int i = 0; i < 8; i++)
            payload_length = (payload_length << 8) | frame[2 + i];
          header_length = 10;
          if (payload_length <= G_MAXUINT16 || (payload_length >> 63) != 0)
            {
              /* A length in more bytes than it needs, or with the most
               * significant bit set */
              conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
              break;
            }
        }

      if (opcode >= OPCODE_CLOSE && (!fin || payload_length > 125))
        {
          /* A fragmented or long control frame */
          conn_fail (conn, CONFAB_WS_CLOSE_PROTOCOL_ERROR);
          break;
        }
      if (payload_length > conn->max_payload)
        {
          /* Message too big */
          conn_fail (conn, CONFAB_WS_CLOSE_TOO_BIG);
          break;
        }

      header_length += 4;
      if (available < header_length + payload_length)
        break;

      unmask (frame + header_length, payload_length, frame + header_length - 4);
      offset += header_length + payload_length;
      conn_handle_frame (conn, fin, opcode, frame + header_length, payload_length);
    }

  return offset;
}

/* Keeps loop->incomplete in the order its deadlines fall: a connection
 * is (re)queued at the tail when it starts holding part of a frame or
 * message, and when a whole message arrived while it still holds part
 * of the next (a busy peer whose reads end mid-frame makes progress). */
static void
conn_update_incomplete (ConfabWsConn *conn)
{
  ConfabWsLoop *loop = conn->loop;
  gboolean incomplete = conn->in != NULL || conn->message != NULL;
  gboolean queued = conn->incomplete_link.data != NULL;

  if (queued && (!incomplete || conn->progress))
    {
      g_queue_unlink (&loop->incomplete, &conn->incomplete_link);
      conn->incomplete_link.data = NULL;
      queued = FALSE;
    }
  conn->progress = FALSE;

  if (incomplete && !queued)
    {
      conn->incomplete_link.data = conn;
      conn->incomplete_since = g_get_monotonic_time ();
      g_queue_push_tail_link (&loop->incomplete, &conn->incomplete_link);
      loop_ensure_tick (loop);
    }
}

static void
conn_read (ConfabWsConn *conn)
{
  guint8 *buffer = conn->loop->scratch;
  ssize_t n;
  guint8 *data;
  gsize length;
  gsize used;

  do
    n = recv (conn->fd, buffer, READ_CHUNK, 0);
  while (n < 0 && errno == EINTR);

  if (n < 0 && errno == EAGAIN)
    return;
  if (n <= 0)
    {
      /* Gone without a close frame, or after ours */
      conn_finish (conn, conn->state == CONN_CLOSING ? conn->close_code : CONFAB_WS_CLOSE_ABNORMAL);
      return;
    }

  /* Frames are handled where they lie when the read starts with one;
   * only the unfinished end of a frame is copied to wait for the rest. */
  if (conn->in != NULL)
    {
      g_byte_array_append (conn->in, buffer, n);
      data = conn->in->data;
      length = conn->in->len;
    }
  else
    {
      data = buffer;
      length = n;
    }

  used = conn_parse (conn, data, length);
  if (conn->state == CONN_DEAD)
    return;

  if (conn->in != NULL)
    {
      g_byte_array_remove_range (conn->in, 0, used);
      if (conn->in->len == 0)
        g_clear_pointer (&conn->in, g_byte_array_unref);
    }
  else if (used < length)
    {
      conn->in = g_byte_array_sized_new (length - used);
      g_byte_array_append (conn->in, data + used, length - used);
    }

  conn_update_incomplete (conn);
}

static void
conn_process_events (ConfabWsConn *conn,
                     guint32       events)
{
  /* finished by an earlier event of the same batch */
  if (conn->state == CONN_DEAD)
    return;

  if (events & EPOLLOUT)
    conn_flush (conn);
  if (conn->state != CONN_DEAD && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
    conn_read (conn);
}

static gboolean
loop_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  ConfabWsLoop *loop = ((LoopSource *) source)->loop;
  struct epoll_event events[MAX_EVENTS];
  int n;

  n = epoll_wait (loop->epoll_fd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    conn_process_events (events[i].data.ptr, events[i].events);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs loop_source_funcs = {
  .dispatch = loop_source_dispatch,
};

/* The transport, as the server sees a connection */

static gboolean
conn_is_open (ConfabSignalTransport *transport)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;

  return conn->state == CONN_OPEN;
}

static void
conn_send_text (ConfabSignalTransport *transport,
                const char            *text,
                gsize                  length)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;

  if (conn->state == CONN_OPEN)
    conn_write_frame (conn, OPCODE_TEXT, text, length);
}

/* The loop keeps no timer a connection: the owner's sweep asks for each
 * ping, so one ping goes out a sweep. */
static void
conn_keepalive (ConfabSignalTransport *transport,
                guint                  interval)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;

  if (conn->state == CONN_OPEN && interval > 0)
    conn_write_frame (conn, OPCODE_PING, NULL, 0);
}

static void
conn_set_max_payload (ConfabSignalTransport *transport,
                      gsize                  max_payload)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;

  conn->max_payload = max_payload;
}

/* Sends a close frame; the connection ends when the peer answers with
 * its own, or after CLOSE_TIMEOUT_US. */
static void
conn_close (ConfabSignalTransport *transport,
            gushort                code,
            const char            *reason)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;
  ConfabWsLoop *loop = conn->loop;

  if (conn->state != CONN_OPEN)
    return;

  conn_send_close (conn, code, reason);
  if (conn->state == CONN_DEAD)
    return;

  conn->state = CONN_CLOSING;
  conn->close_code = code;
  conn->close_deadline = g_get_monotonic_time () + CLOSE_TIMEOUT_US;
  g_queue_push_tail_link (&loop->closing, &conn->pending_link);
  loop_ensure_tick (loop);
}

static void
conn_abort (ConfabSignalTransport *transport)
{
  ConfabWsConn *conn = (ConfabWsConn *) transport;
  ConfabWsLoop *loop = conn->loop;

  if (conn->state == CONN_CLOSING)
    g_queue_unlink (&loop->closing, &conn->pending_link);
  else if (conn->state == CONN_DEAD)
    g_queue_unlink (&loop->dead, &conn->pending_link);

  if (conn->incomplete_link.data != NULL)
    g_queue_unlink (&loop->incomplete, &conn->incomplete_link);

  if (conn->state != CONN_DEAD)
    {
      epoll_ctl (loop->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
      g_io_stream_close (conn->stream, NULL, NULL);
      g_clear_object (&conn->stream);
    }

  g_queue_unlink (&loop->conns, &conn->link);
  g_clear_pointer (&conn->in, g_byte_array_unref);
  g_clear_pointer (&conn->message, g_byte_array_unref);
  g_clear_pointer (&conn->out, g_byte_array_unref);
  g_free (conn);
}

static const ConfabSignalTransportVTable conn_vtable = {
  .is_open = conn_is_open,
  .send_text = conn_send_text,
  .keepalive = conn_keepalive,
  .set_max_payload = conn_set_max_payload,
  .close = conn_close,
  .abort = conn_abort,
};

ConfabWsLoop *
confab_ws_loop_new (GMainContext *context)
{
  ConfabWsLoop *loop;
  int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);

  if (epoll_fd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));

  loop = g_new0 (ConfabWsLoop, 1);
  loop->epoll_fd = epoll_fd;
  loop->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  g_queue_init (&loop->conns);
  g_queue_init (&loop->closing);
  g_queue_init (&loop->dead);
  g_queue_init (&loop->incomplete);

  loop->source = g_source_new (&loop_source_funcs, sizeof (LoopSource));
  ((LoopSource *) loop->source)->loop = loop;
  g_source_set_static_name (loop->source, "ConfabWsLoop");
  g_source_add_unix_fd (loop->source, epoll_fd, G_IO_IN);
  g_source_attach (loop->source, loop->context);

  return loop;
}

void
confab_ws_loop_free (ConfabWsLoop *loop)
{
  if (loop == NULL)
    return;

  while (loop->conns.head != NULL)
    conn_abort (loop->conns.head->data);

  if (loop->tick_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (loop->context, loop->tick_id));
  if (loop->reap_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (loop->context, loop->reap_id));
  g_source_destroy (loop->source);
  g_source_unref (loop->source);
  close (loop->epoll_fd);
  g_main_context_unref (loop->context);
  g_free (loop);
}

ConfabSignalTransport *
confab_ws_loop_add (ConfabWsLoop                      *loop,
                    GIOStream                         *stream,
                    int                                fd,
                    gsize                              max_payload,
                    const ConfabSignalTransportEvents *events,
                    gpointer                           user_data)
{
  ConfabWsConn *conn;
  struct epoll_event event = { 0 };

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (fd >= 0, NULL);

  conn = g_new0 (ConfabWsConn, 1);
  conn->parent.vtable = &conn_vtable;
  confab_signal_transport_set_events (&conn->parent, events, user_data);
  conn->loop = loop;
  conn->link.data = conn;
  conn->pending_link.data = conn;
  conn->stream = g_object_ref (stream);
  conn->fd = fd;
  conn->max_payload = max_payload;
  conn->state = CONN_OPEN;
  conn->close_code = CONFAB_WS_CLOSE_NO_STATUS;
  g_queue_push_tail_link (&loop->conns, &conn->link);

  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.ptr = conn;
  if (epoll_ctl (loop->epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0)
    conn_finish (conn, CONFAB_WS_CLOSE_ABNORMAL);

  return &conn->parent;
}
