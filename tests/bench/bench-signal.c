/* bench-signal.c: load any signalling server that speaks the mobile app's
 * protocol, and measure it
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <locale.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The load generator must never be what limits the figures, so it is an
 * epoll loop over plain non-blocking sockets (one loop a thread, clients
 * split between threads in whole pairs) with a websocket client of its
 * own that does only what RFC 6455 asks of a client: the upgrade, masked
 * text frames out, unmasked frames in, pong, close.  Nothing is allocated
 * per message: a frame is built in a per-thread scratch buffer, masked in
 * place and written at once; a connection gets buffers of its own only
 * when the kernel takes a write short or a read ends inside a frame.
 *
 * A latency sample needs no bookkeeping either: the sender writes the
 * monotonic time, in nanoseconds, into the o= line of the SDP it sends
 * (`o=bench <20 digits> <phase> IN IP4 127.0.0.1`), and the receiver reads
 * it back out of the relayed offer_received.  Every client runs in this
 * one process, so the clock is the same at both ends. */

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define STAMP_MARK "o=bench "
#define STAMP_DIGITS 20
/* Frames above this are not something a signalling server sends; past it
 * the reply is treated as a protocol error rather than buffered. */
#define MAX_IN_FRAME (16 * 1024 * 1024)
/* Open loop means the sender does not wait for the server; this bounds
 * what one connection may queue when the server stops reading. */
#define MAX_OUT_BACKLOG (4 * 1024 * 1024)
#define READ_CHUNK (256 * 1024)
#define MAX_EVENTS 512
/* Descriptors kept for everything that is not a client. */
#define RESERVED_FDS 32
/* How often an idle loop looks at the phase the main thread set. */
#define POLL_NS (5 * G_GINT64_CONSTANT (1000000))

typedef enum
{
  PHASE_CONNECT,
  PHASE_SATURATE,
  PHASE_RATE,
  PHASE_DRAIN,
  PHASE_STOP,
} Phase;

/* Which figure a message counts for, written as the digit after the
 * stamp: a late saturation message must not land in the rate figures. */
enum
{
  MEASURE_REGISTER,
  MEASURE_SATURATE,
  MEASURE_RATE,
  N_MEASURES
};

typedef enum
{
  CONN_IDLE,
  CONN_CONNECTING,
  CONN_HANDSHAKE,
  CONN_REGISTERING,
  CONN_READY,
  CONN_CLOSING,
  CONN_CLOSED,
  CONN_FAILED,
} ConnState;

/* A log-linear histogram of nanoseconds: exact below 1024 ns, then 512
 * sub-buckets per power of two (0.2 % precision), so merging threads and
 * reading percentiles costs nothing per sample. */
#define HIST_SUB_BITS 10
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_HALF (HIST_SUB / 2)
#define HIST_BUCKETS (HIST_SUB + (64 - HIST_SUB_BITS) * HIST_HALF)

typedef struct
{
  guint64 count;
  guint64 max;
  guint64 buckets[HIST_BUCKETS];
} Histogram;

typedef struct
{
  guint8  *in;          /* a frame the last read ended inside of */
  guint8  *out;         /* what the kernel did not take yet */
  gint64   t_start;     /* connect() time, for the register latency */
  int      fd;
  guint32  index;       /* the client's number; its partner is index ^ 1 */
  guint32  mask_key;
  guint32  in_len;
  guint32  in_cap;
  guint32  out_off;
  guint32  out_len;
  guint32  out_cap;
  guint8   state;
  guint8   want_out;    /* EPOLLOUT armed */
} Conn;

typedef struct
{
  guint       id;
  GThread    *thread;
  int         epfd;
  Conn       *conns;
  guint       n_conns;
  guint       first;          /* index of conns[0]; always even */
  guint       next_connect;
  guint       n_pending;      /* connecting, upgrading or registering */
  guint       n_open;
  int         seen_phase;
  guint8     *rbuf;
  gsize       rbuf_cap;
  guint8     *wbuf;
  gsize       wbuf_len;
  gsize       wbuf_cap;
  double      rate;           /* this thread's share of --rate */
  guint64     rate_k;
  guint       rate_next;
  gint64      stop_deadline;

  /* Read by the main thread while the loop runs: single writer, relaxed
   * atomics (plain moves on x86). */
  guint       n_ready;
  guint       n_failed;
  gboolean    connect_done;
  gint64      last_registered;
  guint64     sent[N_MEASURES];
  guint64     received[N_MEASURES];

  guint64     n_error_replies;
  guint64     n_refused;
  guint64     n_closed_by_server;
  guint64     n_protocol_errors;
  guint64     n_unexpected;
  guint64     n_backlog_drops;
  char        first_error[200];

  Histogram  *hist[N_MEASURES];
} Worker;

#define PUBLISH(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)
#define PEEK(field) __atomic_load_n (&(field), __ATOMIC_RELAXED)
#define BUMP(field) PUBLISH (field, (field) + 1)

/* Options */
static char *opt_url;
static int opt_clients = 5000;
static double opt_duration = 10;
static double opt_warmup = 1;
static double opt_rate = 10000;
static int opt_in_flight = 1;
static int opt_sdp_size = 2048;
static int opt_server_pid;
static int opt_threads = 1;
static int opt_sources;
static int opt_connect_window = 256;
static double opt_hold;
static double opt_register_timeout = 120;
static gboolean opt_no_widen;

/* The target, parsed from --url */
static struct sockaddr_in server_addr;
static char *url_host_header;
static char *url_path;
static guint n_sources = 1;

/* Frame templates, built once */
static char *sdp_json;            /* the SDP, escaped for a JSON string */
static gsize sdp_json_len;
static gsize sdp_stamp_offset;    /* of the first stamp digit in sdp_json */
static char name_prefix[32];
static gsize name_prefix_len;
static guint64 key_seed;

/* Shared with the loops; the main thread writes the times before it
 * moves the phase, and the phase is a sequentially consistent store. */
static int phase = PHASE_CONNECT;
static int measure = MEASURE_REGISTER;
static gint64 window_start;
static gint64 window_end;
static gint64 rate_start;
static volatile sig_atomic_t interrupted;

static const char offer_head[] = "{\"type\":\"create_offer\",\"name\":\"";
static const char offer_mid[] = "\",\"target\":\"";
static const char offer_sdp[] = "\",\"data\":{\"sdp\":\"";
static const char offer_tail[] = "\",\"type\":\"OFFER\"}}";

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline guint
hist_index (guint64 value)
{
  int msb, shift;

  if (value < HIST_SUB)
    return (guint) value;

  msb = 63 - __builtin_clzll (value);
  shift = msb - (HIST_SUB_BITS - 1);
  return HIST_SUB + (shift - 1) * HIST_HALF + (guint) ((value >> shift) - HIST_HALF);
}

static guint64
hist_value (guint index)
{
  guint k, shift;
  guint64 mantissa;

  if (index < HIST_SUB)
    return index;

  k = index - HIST_SUB;
  shift = k / HIST_HALF + 1;
  mantissa = k % HIST_HALF + HIST_HALF;
  /* The middle of the bucket */
  return (mantissa << shift) + ((G_GUINT64_CONSTANT (1) << shift) >> 1);
}

static inline void
hist_record (Histogram *hist,
             gint64     value)
{
  guint64 v = value > 0 ? (guint64) value : 0;

  hist->buckets[hist_index (v)]++;
  hist->count++;
  if (v > hist->max)
    hist->max = v;
}

static void
hist_merge (Histogram       *into,
            const Histogram *from)
{
  for (guint i = 0; i < HIST_BUCKETS; i++)
    into->buckets[i] += from->buckets[i];
  into->count += from->count;
  into->max = MAX (into->max, from->max);
}

/* Nanoseconds, or -1 without samples */
static double
hist_percentile (const Histogram *hist,
                 double           percentile)
{
  guint64 rank, seen = 0;

  if (hist->count == 0)
    return -1;

  rank = (guint64) (percentile / 100.0 * (double) hist->count + 0.5);
  rank = CLAMP (rank, 1, hist->count);

  for (guint i = 0; i < HIST_BUCKETS; i++)
    {
      seen += hist->buckets[i];
      if (seen >= rank)
        return (double) MIN (hist_value (i), hist->max);
    }

  return (double) hist->max;
}

static void
interrupt_cb (int signum)
{
  interrupted = 1;
}

/* splitmix64: websocket keys and mask keys need only be unpredictable
 * enough that no server caches on them. */
static guint64
mix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

static gsize
write_uint (char    *buf,
            guint64  value)
{
  char tmp[24];
  gsize n = 0, i;

  do
    {
      tmp[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);

  for (i = 0; i < n; i++)
    buf[i] = tmp[n - 1 - i];

  return n;
}

static gsize
write_name (char  *buf,
            guint  index)
{
  memcpy (buf, name_prefix, name_prefix_len);
  return name_prefix_len + write_uint (buf + name_prefix_len, index);
}

static void
fail_note (Worker     *w,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
fail_note (Worker     *w,
           const char *format,
           ...)
{
  va_list args;

  if (w->first_error[0] != '\0')
    return;

  va_start (args, format);
  g_vsnprintf (w->first_error, sizeof w->first_error, format, args);
  va_end (args);
}

static void
wbuf_reserve (Worker *w,
              gsize   extra)
{
  if (w->wbuf_len + extra <= w->wbuf_cap)
    return;

  w->wbuf_cap = MAX (w->wbuf_cap * 2, w->wbuf_len + extra);
  w->wbuf = g_realloc (w->wbuf, w->wbuf_cap);
}

static void
mask_payload (guint8  *payload,
              gsize    len,
              guint32  key)
{
  const guint8 *k = (const guint8 *) &key;
  guint64 k64 = (guint64) key | ((guint64) key << 32);
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, payload + i, 8);
      word ^= k64;
      memcpy (payload + i, &word, 8);
    }
  for (; i < len; i++)
    payload[i] ^= k[i & 3];
}

/* Appends one masked client frame to the scratch buffer and returns where
 * its payload starts, for the caller to fill before masking. */
static guint8 *
frame_begin (Worker  *w,
             guint8   opcode,
             gsize    payload_len,
             guint32  key)
{
  guint8 *p;

  wbuf_reserve (w, payload_len + 14);
  p = w->wbuf + w->wbuf_len;
  *p++ = 0x80 | opcode;
  if (payload_len < 126)
    *p++ = 0x80 | (guint8) payload_len;
  else if (payload_len < 65536)
    {
      *p++ = 0x80 | 126;
      *p++ = (guint8) (payload_len >> 8);
      *p++ = (guint8) payload_len;
    }
  else
    {
      *p++ = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        *p++ = (guint8) ((guint64) payload_len >> (8 * i));
    }
  memcpy (p, &key, 4);
  p += 4;
  w->wbuf_len = (gsize) (p - w->wbuf) + payload_len;

  return p;
}

static void
append_control (Worker       *w,
                Conn         *c,
                guint8        opcode,
                const guint8 *payload,
                gsize         len)
{
  guint8 *p;

  len = MIN (len, 125);
  p = frame_begin (w, opcode, len, c->mask_key);
  memcpy (p, payload, len);
  mask_payload (p, len, c->mask_key);
}

static void
append_text (Worker     *w,
             Conn       *c,
             const char *text,
             gsize       len)
{
  guint8 *p = frame_begin (w, 0x1, len, c->mask_key);

  memcpy (p, text, len);
  mask_payload (p, len, c->mask_key);
}

/* create_offer from @c to its partner, stamped @stamp, counting for
 * @which: the same shape as the mobile app's (absent fields left out). */
static void
append_offer (Worker *w,
              Conn   *c,
              gint64  stamp,
              int     which)
{
  char names[64];
  gsize name_len, target_len, len;
  guint8 *payload, *p, *digits;

  name_len = write_name (names, c->index);
  target_len = write_name (names + 32, c->index ^ 1);
  len = sizeof offer_head - 1 + name_len + sizeof offer_mid - 1 + target_len +
        sizeof offer_sdp - 1 + sdp_json_len + sizeof offer_tail - 1;

  payload = p = frame_begin (w, 0x1, len, c->mask_key);
  memcpy (p, offer_head, sizeof offer_head - 1);
  p += sizeof offer_head - 1;
  memcpy (p, names, name_len);
  p += name_len;
  memcpy (p, offer_mid, sizeof offer_mid - 1);
  p += sizeof offer_mid - 1;
  memcpy (p, names + 32, target_len);
  p += target_len;
  memcpy (p, offer_sdp, sizeof offer_sdp - 1);
  p += sizeof offer_sdp - 1;
  memcpy (p, sdp_json, sdp_json_len);

  digits = p + sdp_stamp_offset;
  for (int i = STAMP_DIGITS - 1; i >= 0; i--)
    {
      digits[i] = (guint8) ('0' + stamp % 10);
      stamp /= 10;
    }
  digits[STAMP_DIGITS + 1] = (guint8) ('0' + which);

  p += sdp_json_len;
  memcpy (p, offer_tail, sizeof offer_tail - 1);

  mask_payload (payload, len, c->mask_key);
}

static void
conn_arm (Worker *w,
          Conn   *c,
          guint32 events)
{
  struct epoll_event ev = { .events = events, .data.ptr = c };

  if (epoll_ctl (w->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
}

static void
conn_drop (Worker *w,
           Conn   *c,
           int     state)
{
  if (c->fd >= 0)
    {
      close (c->fd);
      c->fd = -1;
      w->n_open--;
    }

  if (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE ||
      c->state == CONN_REGISTERING)
    w->n_pending--;
  if (c->state == CONN_READY)
    PUBLISH (w->n_ready, w->n_ready - 1);
  if (state == CONN_FAILED)
    PUBLISH (w->n_failed, w->n_failed + 1);

  c->state = (guint8) state;
  c->in_len = 0;
  c->out_off = c->out_len = 0;
  g_clear_pointer (&c->in, g_free);
  g_clear_pointer (&c->out, g_free);
  c->in_cap = c->out_cap = 0;
}

/* Everything not in the kernel yet goes out in order: straight from the
 * scratch buffer when nothing is queued, else behind the queue. */
static void
conn_send (Worker       *w,
           Conn         *c,
           const guint8 *data,
           gsize         len)
{
  gsize done = 0;

  if (c->fd < 0 || len == 0)
    return;

  if (c->out_len == c->out_off)
    {
      ssize_t n = send (c->fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno != EAGAIN && errno != EINTR)
        {
          fail_note (w, "send: %s", g_strerror (errno));
          conn_drop (w, c, c->state == CONN_READY || c->state == CONN_CLOSING ?
                           CONN_CLOSED : CONN_FAILED);
          return;
        }
      done = n > 0 ? (gsize) n : 0;
      if (done == len)
        return;
    }

  if (c->out_len - c->out_off + (len - done) > MAX_OUT_BACKLOG)
    {
      w->n_backlog_drops++;
      return;
    }

  if (c->out_off > 0 && c->out_off == c->out_len)
    c->out_off = c->out_len = 0;
  if (c->out_len + (len - done) > c->out_cap)
    {
      if (c->out_off > 0)
        {
          memmove (c->out, c->out + c->out_off, c->out_len - c->out_off);
          c->out_len -= c->out_off;
          c->out_off = 0;
        }
      if (c->out_len + (len - done) > c->out_cap)
        {
          c->out_cap = (guint32) MAX ((gsize) c->out_cap * 2, c->out_len + (len - done));
          c->out = g_realloc (c->out, c->out_cap);
        }
    }
  memcpy (c->out + c->out_len, data + done, len - done);
  c->out_len += (guint32) (len - done);

  if (!c->want_out)
    {
      c->want_out = TRUE;
      conn_arm (w, c, EPOLLIN | EPOLLOUT);
    }
}

static void
conn_flush_scratch (Worker *w,
                    Conn   *c)
{
  conn_send (w, c, w->wbuf, w->wbuf_len);
  w->wbuf_len = 0;
}

static void
conn_write_ready (Worker *w,
                  Conn   *c)
{
  while (c->out_off < c->out_len)
    {
      ssize_t n = send (c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            return;
          fail_note (w, "send: %s", g_strerror (errno));
          conn_drop (w, c, c->state == CONN_READY || c->state == CONN_CLOSING ?
                           CONN_CLOSED : CONN_FAILED);
          return;
        }
      c->out_off += (guint32) n;
    }

  c->out_off = c->out_len = 0;
  c->want_out = FALSE;
  conn_arm (w, c, EPOLLIN);
}

static void
conn_start (Worker *w,
            Conn   *c)
{
  struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
  int one = 1;
  int fd;

  c->t_start = now_ns ();
  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      fail_note (w, "socket: %s", g_strerror (errno));
      c->state = CONN_FAILED;
      PUBLISH (w->n_failed, w->n_failed + 1);
      return;
    }

  /* Every frame is written whole; waiting to coalesce would only add
   * latency to the figures. */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  if (n_sources > 1)
    {
      struct sockaddr_in source = { .sin_family = AF_INET };

      /* The port is then picked at connect() for the whole 4-tuple, so
       * each source address has the whole ephemeral range to itself. */
      setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      source.sin_addr.s_addr = htonl (0x7f000002 + c->index % n_sources);
      if (bind (fd, (struct sockaddr *) &source, sizeof source) != 0)
        {
          fail_note (w, "bind to a 127.0.0.x source: %s", g_strerror (errno));
          close (fd);
          c->state = CONN_FAILED;
          PUBLISH (w->n_failed, w->n_failed + 1);
          return;
        }
    }

  if (connect (fd, (struct sockaddr *) &server_addr, sizeof server_addr) != 0 &&
      errno != EINPROGRESS)
    {
      fail_note (w, "connect: %s", g_strerror (errno));
      close (fd);
      c->state = CONN_FAILED;
      PUBLISH (w->n_failed, w->n_failed + 1);
      return;
    }

  c->fd = fd;
  c->state = CONN_CONNECTING;
  c->mask_key = (guint32) mix64 (key_seed ^ ((guint64) c->index << 20));
  w->n_pending++;
  w->n_open++;
  ev.data.ptr = c;
  if (epoll_ctl (w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
    g_error ("epoll_ctl: %s", g_strerror (errno));
}

static char *
ws_key (Conn *c)
{
  guint64 raw[2];

  raw[0] = mix64 (key_seed + c->index);
  raw[1] = mix64 (raw[0]);
  return g_base64_encode ((const guchar *) raw, 16);
}

static void
conn_connected (Worker *w,
                Conn   *c)
{
  g_autofree char *key = NULL;
  g_autofree char *request = NULL;
  int error = 0;
  socklen_t len = sizeof error;

  if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
    {
      fail_note (w, "connect: %s", g_strerror (error != 0 ? error : errno));
      conn_drop (w, c, CONN_FAILED);
      return;
    }

  key = ws_key (c);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\n"
                             "Host: %s\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n",
                             url_path, url_host_header, key);
  c->state = CONN_HANDSHAKE;
  conn_arm (w, c, EPOLLIN);
  conn_send (w, c, (const guint8 *) request, strlen (request));
}

static void
conn_registered (Worker *w,
                 Conn   *c,
                 gint64  now)
{
  c->state = CONN_READY;
  w->n_pending--;
  hist_record (w->hist[MEASURE_REGISTER], now - c->t_start);
  PUBLISH (w->last_registered, now);
  PUBLISH (w->n_ready, w->n_ready + 1);
}

/* Returns the bytes the upgrade response took, 0 while incomplete, -1 on
 * a refusal (the connection is then dropped). */
static gssize
handle_upgrade (Worker       *w,
                Conn         *c,
                const guint8 *buf,
                gsize         len)
{
  g_autofree char *key = NULL;
  g_autofree char *keyed = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *head = NULL;
  g_auto(GStrv) lines = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof digest;
  const guint8 *end;
  gboolean accepted = FALSE;
  GChecksum *sha1;
  char store[128];
  gsize n;

  end = memmem (buf, len, "\r\n\r\n", 4);
  if (end == NULL)
    {
      if (len > 16384)
        {
          fail_note (w, "the upgrade response has no end");
          conn_drop (w, c, CONN_FAILED);
          return -1;
        }
      return 0;
    }

  head = g_strndup ((const char *) buf, (gsize) (end - buf));
  if (!g_str_has_prefix (head, "HTTP/1.1 101"))
    {
      char *eol = strchr (head, '\r');

      if (eol != NULL)
        *eol = '\0';
      fail_note (w, "the server refused the upgrade: %s", head);
      conn_drop (w, c, CONN_FAILED);
      return -1;
    }

  key = ws_key (c);
  keyed = g_strconcat (key, WS_GUID, NULL);
  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, (const guchar *) keyed, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  g_checksum_free (sha1);
  expected = g_base64_encode (digest, digest_len);

  lines = g_strsplit (head, "\r\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && colon - lines[i] == 20 &&
          g_ascii_strncasecmp (lines[i], "Sec-WebSocket-Accept", 20) == 0)
        {
          g_autofree char *value = g_strstrip (g_strdup (colon + 1));

          accepted = g_strcmp0 (value, expected) == 0;
        }
    }

  if (!accepted)
    {
      fail_note (w, "the upgrade response has a wrong Sec-WebSocket-Accept");
      conn_drop (w, c, CONN_FAILED);
      return -1;
    }

  /* The mobile app registers as soon as the socket opens. */
  c->state = CONN_REGISTERING;
  n = (gsize) g_snprintf (store, sizeof store, "{\"type\":\"store_user\",\"name\":\"");
  n += write_name (store + n, c->index);
  memcpy (store + n, "\"}", 2);
  append_text (w, c, store, n + 2);

  return (end + 4) - buf;
}

static gboolean
type_is (const guint8 *type,
         gsize         type_len,
         const char   *literal)
{
  gsize len = strlen (literal);

  return type_len == len && memcmp (type, literal, len) == 0;
}

static void
handle_offer (Worker       *w,
              Conn         *c,
              const guint8 *payload,
              gsize         len,
              gint64        now)
{
  const guint8 *mark = memmem (payload, len, STAMP_MARK, sizeof STAMP_MARK - 1);
  const guint8 *digits;
  gint64 stamp = 0;
  int which;

  if (mark == NULL || (gsize) (payload + len - mark) < sizeof STAMP_MARK + STAMP_DIGITS + 1)
    {
      w->n_protocol_errors++;
      fail_note (w, "an offer_received without the bench's stamp in its SDP");
      return;
    }

  digits = mark + sizeof STAMP_MARK - 1;
  for (int i = 0; i < STAMP_DIGITS; i++)
    stamp = stamp * 10 + (digits[i] - '0');
  which = digits[STAMP_DIGITS + 1] - '0';
  if (which <= MEASURE_REGISTER || which >= N_MEASURES)
    {
      w->n_protocol_errors++;
      return;
    }

  BUMP (w->received[which]);
  if (which == g_atomic_int_get (&measure) && now >= window_start && now < window_end)
    hist_record (w->hist[which], now - stamp);

  /* The ping-pong: at saturation every arrival sends the next message of
   * this pair back the other way. */
  if (which == MEASURE_SATURATE && g_atomic_int_get (&phase) == PHASE_SATURATE &&
      c->state == CONN_READY)
    {
      append_offer (w, c, now_ns (), MEASURE_SATURATE);
      BUMP (w->sent[MEASURE_SATURATE]);
    }
}

static void
handle_text (Worker       *w,
             Conn         *c,
             const guint8 *payload,
             gsize         len,
             gint64        now)
{
  const guint8 *key, *type, *end, *limit = payload + len;

  key = memmem (payload, len, "\"type\"", 6);
  if (key == NULL)
    {
      w->n_unexpected++;
      return;
    }
  type = key + 6;
  while (type < limit && (*type == ' ' || *type == ':'))
    type++;
  if (type >= limit || *type != '"')
    {
      w->n_unexpected++;
      return;
    }
  type++;
  end = memchr (type, '"', (gsize) (limit - type));
  if (end == NULL)
    {
      w->n_unexpected++;
      return;
    }

  if (type_is (type, (gsize) (end - type), "offer_received"))
    handle_offer (w, c, payload, len, now);
  else if (type_is (type, (gsize) (end - type), "user_stored"))
    {
      if (c->state == CONN_REGISTERING)
        conn_registered (w, c, now);
    }
  else if (type_is (type, (gsize) (end - type), "user_already_exists"))
    {
      w->n_refused++;
      fail_note (w, "a name was taken: is another bench running against this server?");
      conn_drop (w, c, CONN_FAILED);
    }
  else if (type_is (type, (gsize) (end - type), "error"))
    {
      w->n_error_replies++;
      fail_note (w, "the server answered: %.*s", (int) MIN (len, 160), (const char *) payload);
    }
  else
    w->n_unexpected++;
}

/* Parses whole frames out of @buf; returns the bytes used, and sets
 * *need to a frame's full size when one is larger than the buffer. */
static gsize
handle_frames (Worker *w,
               Conn   *c,
               guint8 *buf,
               gsize   len,
               gint64  now,
               gsize  *need)
{
  gsize off = 0;

  while (len - off >= 2 && c->fd >= 0)
    {
      guint8 b0 = buf[off], b1 = buf[off + 1];
      guint8 opcode = b0 & 0x0f;
      gboolean masked = (b1 & 0x80) != 0;
      guint64 plen = b1 & 0x7f;
      gsize hdr = 2;
      guint8 *payload;

      if (plen == 126)
        {
          if (len - off < 4)
            break;
          plen = ((guint64) buf[off + 2] << 8) | buf[off + 3];
          hdr = 4;
        }
      else if (plen == 127)
        {
          if (len - off < 10)
            break;
          plen = 0;
          for (int i = 0; i < 8; i++)
            plen = (plen << 8) | buf[off + 2 + i];
          hdr = 10;
        }
      if (masked)
        hdr += 4;

      if (plen > MAX_IN_FRAME)
        {
          w->n_protocol_errors++;
          fail_note (w, "the server sent a frame of %" G_GUINT64_FORMAT " bytes", plen);
          conn_drop (w, c, c->state == CONN_READY ? CONN_CLOSED : CONN_FAILED);
          return len;
        }
      if (len - off < hdr + plen)
        {
          *need = hdr + (gsize) plen;
          break;
        }

      payload = buf + off + hdr;
      if (masked)
        {
          /* Servers must not mask (RFC 6455 5.1); unmask and go on. */
          guint32 key;

          w->n_protocol_errors++;
          memcpy (&key, payload - 4, 4);
          mask_payload (payload, (gsize) plen, key);
        }

      switch (opcode)
        {
        case 0x1:
          if ((b0 & 0x80) == 0)
            {
              w->n_protocol_errors++;
              fail_note (w, "the server fragmented a message, which the bench does not reassemble");
            }
          else
            handle_text (w, c, payload, (gsize) plen, now);
          break;

        case 0x8:
          if (c->state != CONN_CLOSING)
            {
              w->n_closed_by_server++;
              if (plen > 2)
                fail_note (w, "the server closed a connection: %u %.*s",
                           (guint) (payload[0] << 8 | payload[1]),
                           (int) plen - 2, (const char *) payload + 2);
              else
                fail_note (w, "the server closed a connection");
              append_control (w, c, 0x8, payload, MIN (plen, 2));
              conn_flush_scratch (w, c);
            }
          conn_drop (w, c, c->state == CONN_READY || c->state == CONN_CLOSING ?
                           CONN_CLOSED : CONN_FAILED);
          return len;

        case 0x9:
          append_control (w, c, 0xa, payload, (gsize) plen);
          break;

        case 0xa:
          break;

        default:
          w->n_unexpected++;
          break;
        }

      off += hdr + (gsize) plen;
    }

  return off;
}

static void
rbuf_reserve (Worker *w,
              gsize   size)
{
  if (size <= w->rbuf_cap)
    return;
  w->rbuf_cap = size;
  w->rbuf = g_realloc (w->rbuf, size);
}

static void
conn_read (Worker *w,
           Conn   *c)
{
  gsize have = 0, used = 0, need = 0;
  ssize_t n;
  gint64 now;

  if (c->in_len > 0)
    {
      rbuf_reserve (w, (gsize) c->in_len + READ_CHUNK);
      memcpy (w->rbuf, c->in, c->in_len);
      have = c->in_len;
      c->in_len = 0;
    }

  n = recv (c->fd, w->rbuf + have, w->rbuf_cap - have, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
    {
      if (c->state != CONN_CLOSING)
        {
          w->n_closed_by_server++;
          fail_note (w, "the server dropped a connection%s%s", n < 0 ? ": " : "",
                     n < 0 ? g_strerror (errno) : "");
        }
      conn_drop (w, c, c->state == CONN_READY || c->state == CONN_CLOSING ?
                       CONN_CLOSED : CONN_FAILED);
      return;
    }
  if (n < 0)
    {
      /* Put the partial frame back where it was. */
      if (have > 0)
        {
          memcpy (c->in, w->rbuf, have);
          c->in_len = (guint32) have;
        }
      return;
    }
  have += (gsize) n;
  now = now_ns ();

  if (c->state == CONN_HANDSHAKE)
    {
      gssize upgrade = handle_upgrade (w, c, w->rbuf, have);

      if (upgrade < 0)
        return;
      used = (gsize) upgrade;
    }

  if (c->state != CONN_HANDSHAKE)
    used += handle_frames (w, c, w->rbuf + used, have - used, now, &need);

  if (c->fd < 0)
    {
      w->wbuf_len = 0;
      return;
    }

  if (used < have)
    {
      gsize rest = have - used;

      if (rest > c->in_cap)
        {
          c->in_cap = (guint32) MAX (rest, need);
          c->in = g_realloc (c->in, c->in_cap);
        }
      memmove (c->in, w->rbuf + used, rest);
      c->in_len = (guint32) rest;
      if (need > 0)
        rbuf_reserve (w, need + READ_CHUNK);
    }

  conn_flush_scratch (w, c);
}

static void
conn_close_politely (Worker *w,
                     Conn   *c)
{
  static const guint8 normal[2] = { 0x03, 0xe8 };

  if (c->fd < 0)
    return;

  if (c->state == CONN_READY || c->state == CONN_REGISTERING)
    {
      append_control (w, c, 0x8, normal, sizeof normal);
      conn_flush_scratch (w, c);
      if (c->fd < 0)
        return;
      if (c->state == CONN_READY)
        PUBLISH (w->n_ready, w->n_ready - 1);
      else
        w->n_pending--;
      c->state = CONN_CLOSING;
    }
  else
    conn_drop (w, c, CONN_CLOSED);
}

static void
phase_changed (Worker *w,
               int     now_phase,
               gint64  now)
{
  switch ((Phase) now_phase)
    {
    case PHASE_SATURATE:
      /* The even client of each registered pair serves first, with
       * --in-flight messages at once. */
      for (guint i = 0; i + 1 < w->n_conns; i += 2)
        {
          Conn *c = &w->conns[i];

          if (c->state != CONN_READY || w->conns[i + 1].state != CONN_READY)
            continue;
          for (int k = 0; k < opt_in_flight; k++)
            append_offer (w, c, now, MEASURE_SATURATE);
          PUBLISH (w->sent[MEASURE_SATURATE], w->sent[MEASURE_SATURATE] + opt_in_flight);
          conn_flush_scratch (w, c);
        }
      break;

    case PHASE_RATE:
      w->rate_k = 0;
      w->rate_next = 0;
      break;

    case PHASE_STOP:
      for (guint i = 0; i < w->n_conns; i++)
        conn_close_politely (w, &w->conns[i]);
      w->stop_deadline = now + 2 * G_GINT64_CONSTANT (1000000000);
      break;

    case PHASE_CONNECT:
    case PHASE_DRAIN:
    default:
      break;
    }
}

static inline gint64
rate_due (Worker *w)
{
  return rate_start + (gint64) ((double) w->rate_k * 1e9 / w->rate);
}

/* Open loop: every message due by now goes out, stamped with the time it
 * was due rather than the time it left, so a server (or a bench) that
 * falls behind shows up in the latency instead of slowing the offer. */
static void
send_due (Worker *w,
          gint64  now)
{
  while (rate_due (w) <= now && rate_due (w) < window_end)
    {
      Conn *c = NULL;

      for (guint tries = 0; tries < w->n_conns; tries++)
        {
          Conn *candidate = &w->conns[w->rate_next];

          w->rate_next = (w->rate_next + 1) % w->n_conns;
          if (candidate->state == CONN_READY &&
              (candidate->index ^ 1) - w->first < w->n_conns &&
              w->conns[(candidate->index ^ 1) - w->first].state == CONN_READY)
            {
              c = candidate;
              break;
            }
        }
      if (c == NULL)
        return;

      append_offer (w, c, rate_due (w), MEASURE_RATE);
      BUMP (w->sent[MEASURE_RATE]);
      conn_flush_scratch (w, c);
      w->rate_k++;
    }
}

static int
wait_events (Worker             *w,
             struct epoll_event *events,
             gint64              timeout_ns)
{
  static gboolean no_pwait2;
  struct timespec ts;
  int n;

  if (!no_pwait2)
    {
      ts.tv_sec = timeout_ns / G_GINT64_CONSTANT (1000000000);
      ts.tv_nsec = timeout_ns % G_GINT64_CONSTANT (1000000000);
      n = epoll_pwait2 (w->epfd, events, MAX_EVENTS, &ts, NULL);
      if (n >= 0 || errno != ENOSYS)
        return n;
      no_pwait2 = TRUE;
    }

  return epoll_wait (w->epfd, events, MAX_EVENTS,
                     (int) ((timeout_ns + 999999) / 1000000));
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  struct epoll_event events[MAX_EVENTS];

  /* The default 50 µs of timer slack would show up in the paced
   * latencies. */
  prctl (PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

  for (;;)
    {
      int now_phase = g_atomic_int_get (&phase);
      gint64 now = now_ns ();
      gint64 timeout = POLL_NS;
      int n;

      if (now_phase != w->seen_phase)
        {
          w->seen_phase = now_phase;
          phase_changed (w, now_phase, now);
        }

      if (now_phase == PHASE_STOP && (w->n_open == 0 || now >= w->stop_deadline))
        break;

      if (now_phase == PHASE_CONNECT)
        {
          while (w->next_connect < w->n_conns && w->n_pending < (guint) opt_connect_window)
            conn_start (w, &w->conns[w->next_connect++]);
          if (w->next_connect == w->n_conns && w->n_pending == 0 && !w->connect_done)
            PUBLISH (w->connect_done, TRUE);
        }

      if (now_phase == PHASE_RATE && w->rate > 0)
        {
          send_due (w, now);
          if (rate_due (w) < window_end)
            {
              gint64 until = rate_due (w) - now_ns ();

              timeout = CLAMP (until, 0, POLL_NS);
            }
        }

      n = wait_events (w, events, timeout);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("epoll_wait: %s", g_strerror (errno));
        }

      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;
          guint32 ev = events[i].events;

          if (c->fd < 0)
            continue;

          if (c->state == CONN_CONNECTING)
            {
              conn_connected (w, c);
              continue;
            }
          if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
            conn_read (w, c);
          if (c->fd >= 0 && (ev & EPOLLOUT))
            conn_write_ready (w, c);
        }
    }

  for (guint i = 0; i < w->n_conns; i++)
    if (w->conns[i].fd >= 0)
      conn_drop (w, &w->conns[i], CONN_CLOSED);

  return NULL;
}

/* The SDP of an offer: a real one's shape, padded with host candidates to
 * --sdp-size bytes, and escaped once for the JSON string it travels in. */
static void
build_sdp (void)
{
  g_autoptr(GString) sdp = g_string_new (NULL);
  g_autoptr(GString) json = g_string_new (NULL);
  const char *mark;

  g_string_append_printf (sdp,
                          "v=0\r\n"
                          STAMP_MARK "%0*d 0 IN IP4 127.0.0.1\r\n"
                          "s=-\r\n"
                          "t=0 0\r\n"
                          "a=group:BUNDLE 0\r\n"
                          "a=msid-semantic: WMS\r\n"
                          "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                          "c=IN IP4 0.0.0.0\r\n"
                          "a=ice-ufrag:bnch\r\n"
                          "a=ice-pwd:benchbenchbenchbenchbench\r\n"
                          "a=ice-options:trickle\r\n"
                          "a=fingerprint:sha-256 "
                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                          "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
                          "a=setup:actpass\r\n"
                          "a=mid:0\r\n"
                          "a=sctp-port:5000\r\n"
                          "a=max-message-size:262144\r\n",
                          STAMP_DIGITS, 0);
  for (guint i = 0; (int) sdp->len < opt_sdp_size; i++)
    g_string_append_printf (sdp, "a=candidate:%u 1 udp 2122260223 192.168.%u.%u %u typ host\r\n",
                            i, i / 250 % 250, i % 250 + 1, 40000 + i);
  g_string_truncate (sdp, MAX ((gsize) opt_sdp_size, (gsize) (strstr (sdp->str, "s=-") - sdp->str)));

  for (gsize i = 0; i < sdp->len; i++)
    {
      char ch = sdp->str[i];

      if (ch == '\r')
        g_string_append (json, "\\r");
      else if (ch == '\n')
        g_string_append (json, "\\n");
      else if (ch == '"' || ch == '\\')
        {
          g_string_append_c (json, '\\');
          g_string_append_c (json, ch);
        }
      else
        g_string_append_c (json, ch);
    }

  mark = strstr (json->str, STAMP_MARK);
  sdp_stamp_offset = (gsize) (mark - json->str) + sizeof STAMP_MARK - 1;
  sdp_json_len = json->len;
  sdp_json = g_string_free (g_steal_pointer (&json), FALSE);
}

/* Only ws:// on a loopback address: a load generator pointed at another
 * machine is a flood, and the source addresses it binds are loopback. */
static gboolean
parse_url (const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *result = NULL;
  const char *host;
  int port, rc;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--url must be ws://HOST:PORT (wss:// is not supported)");
      return FALSE;
    }

  host = g_uri_get_host (uri);
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;
  rc = getaddrinfo (host, NULL, &hints, &result);
  if (rc != 0 || result == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "cannot resolve %s to an IPv4 address: %s", host, gai_strerror (rc));
      return FALSE;
    }
  memcpy (&server_addr, result->ai_addr, sizeof server_addr);
  freeaddrinfo (result);
  server_addr.sin_port = htons ((guint16) port);

  if ((ntohl (server_addr.sin_addr.s_addr) >> 24) != 127)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s is not a loopback address: bench-signal loads servers on "
                   "this machine only (127.0.0.0/8)", host);
      return FALSE;
    }

  url_host_header = g_strdup_printf ("%s:%d", host, port);
  url_path = g_strdup (g_uri_get_path (uri)[0] != '\0' ? g_uri_get_path (uri) : "/");

  return TRUE;
}

/* utime + stime of @pid in milliseconds, -1 if it cannot be read */
static double
server_cpu_ms (void)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (opt_server_pid <= 0)
    return -1;

  path = g_strdup_printf ("/proc/%d/stat", opt_server_pid);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;

  /* The command name may hold spaces and parentheses; the fields after
   * the last ')' do not.  utime and stime are fields 14 and 15. */
  after = strrchr (text, ')');
  if (after == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;

  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) *
         1000.0 / (double) sysconf (_SC_CLK_TCK);
}

/* VmRSS of the server in KiB, -1 if it cannot be read */
static double
server_rss_kib (void)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  const char *line;

  if (opt_server_pid <= 0)
    return -1;

  path = g_strdup_printf ("/proc/%d/status", opt_server_pid);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  line = strstr (text, "\nVmRSS:");
  if (line == NULL)
    return -1;

  return g_ascii_strtod (line + 7, NULL);
}

static double
self_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* Sleeps until @deadline; FALSE when interrupted first. */
static gboolean
sleep_until (gint64 deadline)
{
  for (;;)
    {
      gint64 left = deadline - now_ns ();

      if (interrupted)
        return FALSE;
      if (left <= 0)
        return TRUE;
      g_usleep ((gulong) MIN (left / 1000, 50000));
    }
}

static void
set_phase (int new_phase)
{
  g_atomic_int_set (&phase, new_phase);
}

static guint64
sum_counter (Worker  *workers,
             gsize    offset)
{
  guint64 total = 0;

  /* offset is an offsetof() of a guint64 field: the pointer is aligned;
   * through void * so that clang's -Wcast-align sees no byte pointer. */
  for (int i = 0; i < opt_threads; i++)
    total += __atomic_load_n ((guint64 *) (void *) ((guint8 *) &workers[i] + offset), __ATOMIC_RELAXED);

  return total;
}

static guint
count_ready (Worker *workers)
{
  guint total = 0;

  for (int i = 0; i < opt_threads; i++)
    total += PEEK (workers[i].n_ready);

  return total;
}

#define SUM(workers, field) sum_counter ((workers), G_STRUCT_OFFSET (Worker, field))

/* Waits for what is in flight to arrive, up to a bound; returns the
 * messages that never did. */
static guint64
drain (Worker *workers,
       int     which)
{
  gint64 deadline = now_ns () + 5 * G_GINT64_CONSTANT (1000000000);
  guint64 sent = 0, received = 0;

  set_phase (PHASE_DRAIN);
  while (!interrupted)
    {
      sent = 0;
      received = 0;
      for (int i = 0; i < opt_threads; i++)
        {
          sent += PEEK (workers[i].sent[which]);
          received += PEEK (workers[i].received[which]);
        }
      if (received >= sent || now_ns () >= deadline)
        break;
      g_usleep (10000);
    }

  return sent > received ? sent - received : 0;
}

typedef struct
{
  double msgs_per_s;
  double p50_us;
  double p99_us;
  double p999_us;
  double max_us;
  double server_cpu_ms;
  double server_cpu_ms_per_10k;
  double bench_cpu_ms;
  double seconds;
  guint64 lost;
  gboolean ran;
} Figures;

/* One measured window of @which: the load is already on. */
static void
measure_window (Worker  *workers,
                int      which,
                Figures *fig)
{
  double cpu0, cpu1, self0, self1;
  gint64 t0, t1;
  guint64 count = 0;
  Histogram merged;

  if (!sleep_until (window_start))
    return;
  cpu0 = server_cpu_ms ();
  self0 = self_cpu_ms ();
  t0 = now_ns ();
  sleep_until (window_end);
  cpu1 = server_cpu_ms ();
  self1 = self_cpu_ms ();
  t1 = now_ns ();

  fig->lost = drain (workers, which);

  memset (&merged, 0, sizeof merged);
  for (int i = 0; i < opt_threads; i++)
    hist_merge (&merged, workers[i].hist[which]);
  count = merged.count;

  fig->ran = TRUE;
  fig->seconds = (double) (t1 - t0) / 1e9;
  fig->msgs_per_s = (double) count / ((double) (window_end - window_start) / 1e9);
  fig->p50_us = hist_percentile (&merged, 50) / 1000.0;
  fig->p99_us = hist_percentile (&merged, 99) / 1000.0;
  fig->p999_us = hist_percentile (&merged, 99.9) / 1000.0;
  fig->max_us = merged.count > 0 ? (double) merged.max / 1000.0 : -1;
  fig->bench_cpu_ms = self1 - self0;
  fig->server_cpu_ms = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
  fig->server_cpu_ms_per_10k = fig->server_cpu_ms >= 0 && count > 0 ?
                               fig->server_cpu_ms / ((double) count / 10000.0) : -1;
}

static void
json_number (GString    *json,
             const char *key,
             double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value < 0 || !isfinite (value))
    g_string_append_printf (json, ",\"%s\":null", key);
  else
    g_string_append_printf (json, ",\"%s\":%s", key,
                            g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

static void
json_figures (GString       *json,
              const char    *prefix,
              const Figures *fig)
{
  g_autofree char *k1 = g_strconcat (prefix, "_msgs_per_s", NULL);
  g_autofree char *k2 = g_strconcat (prefix, "_p50_us", NULL);
  g_autofree char *k3 = g_strconcat (prefix, "_p99_us", NULL);
  g_autofree char *k4 = g_strconcat (prefix, "_p999_us", NULL);
  g_autofree char *k5 = g_strconcat (prefix, "_max_us", NULL);
  g_autofree char *k6 = g_strconcat (prefix, "_server_cpu_ms_per_10k", NULL);
  g_autofree char *k7 = g_strconcat (prefix, "_server_cpu_pct", NULL);
  g_autofree char *k8 = g_strconcat (prefix, "_bench_cpu_pct", NULL);
  g_autofree char *k9 = g_strconcat (prefix, "_lost", NULL);

  json_number (json, k1, fig->ran ? fig->msgs_per_s : -1);
  json_number (json, k2, fig->ran ? fig->p50_us : -1);
  json_number (json, k3, fig->ran ? fig->p99_us : -1);
  json_number (json, k4, fig->ran ? fig->p999_us : -1);
  json_number (json, k5, fig->ran ? fig->max_us : -1);
  json_number (json, k6, fig->ran ? fig->server_cpu_ms_per_10k : -1);
  json_number (json, k7, fig->ran && fig->server_cpu_ms >= 0 ?
                         fig->server_cpu_ms / 10.0 / fig->seconds : -1);
  json_number (json, k8, fig->ran ? fig->bench_cpu_ms / 10.0 / fig->seconds : -1);
  json_number (json, k9, fig->ran ? (double) fig->lost : -1);
}

/* "µs" where the terminal can show it */
static const char *micro = "us";

static char *
format_us (double us)
{
  if (us < 0)
    return g_strdup ("-");
  if (us >= 1000)
    return g_strdup_printf ("%.2f ms", us / 1000.0);
  return g_strdup_printf ("%.0f %s", us, micro);
}

static void
print_figures (const char    *label,
               const Figures *fig)
{
  g_autofree char *p50 = format_us (fig->p50_us);
  g_autofree char *p99 = format_us (fig->p99_us);
  g_autofree char *p999 = format_us (fig->p999_us);
  g_autofree char *max = format_us (fig->max_us);

  if (!fig->ran)
    return;

  g_print ("%-12s %.0f msgs/s relayed; latency p50 %s, p99 %s, p99.9 %s, max %s\n",
           label, fig->msgs_per_s, p50, p99, p999, max);
  if (fig->server_cpu_ms >= 0)
    g_print ("%-12s server CPU %.1f ms per 10,000 relayed (%.0f%% of a core); bench %.0f%% of a core\n",
             "", fig->server_cpu_ms_per_10k, fig->server_cpu_ms / 10.0 / fig->seconds,
             fig->bench_cpu_ms / 10.0 / fig->seconds);
  else
    g_print ("%-12s bench %.0f%% of a core\n", "", fig->bench_cpu_ms / 10.0 / fig->seconds);
  if (fig->lost > 0)
    g_print ("%-12s %" G_GUINT64_FORMAT " messages never arrived\n", "", fig->lost);
}

/* Wider ephemeral ports mean fewer source addresses; the old range goes
 * back at exit. */
static char *port_range_saved;
#define PORT_RANGE_PATH "/proc/sys/net/ipv4/ip_local_port_range"
#define PORT_RANGE_WIDE "10240 65535"

static guint
ephemeral_ports (const char *range)
{
  guint lo = 0, hi = 0;

  if (range == NULL || sscanf (range, "%u %u", &lo, &hi) != 2 || hi < lo)
    return 28232;
  return hi - lo + 1;
}

static void
restore_port_range (void)
{
  if (port_range_saved != NULL)
    g_file_set_contents (PORT_RANGE_PATH, port_range_saved, -1, NULL);
  g_clear_pointer (&port_range_saved, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  g_autofree Worker *workers = NULL;
  g_autofree Conn *conns = NULL;
  g_autoptr(GString) json = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  struct sigaction sa = { 0 };
  struct rlimit limit;
  Figures sat = { 0 }, rated = { 0 };
  Histogram reg;
  gint64 t_connect, t_registered = 0, t_deadline;
  double rss_before, rss_registered, rss_held = -1, rss_after;
  guint registered = 0, failed = 0, per_thread, ports;
  gboolean widened = FALSE;
  const GOptionEntry entries[] = {
    { "url", 'u', 0, G_OPTION_ARG_STRING, &opt_url,
      "Server to load, ws://HOST:PORT[/PATH] on 127.0.0.0/8 (ws://127.0.0.1:3000)", "URL" },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &opt_clients,
      "Clients to connect and register, in pairs (5000)", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &opt_duration,
      "Seconds measured at saturation and again at --rate; 0 for registration only (10)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &opt_warmup,
      "Seconds of load before each measured window (1)", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &opt_rate,
      "Messages a second offered, paced open-loop, in the second phase; 0 to skip it (10000)",
      "MSGS_PER_S" },
    { "in-flight", 'k', 0, G_OPTION_ARG_INT, &opt_in_flight,
      "Messages bouncing within each pair at saturation (1)", "K" },
    { "sdp-size", 0, 0, G_OPTION_ARG_INT, &opt_sdp_size,
      "Bytes of SDP in each offer (2048)", "BYTES" },
    { "server-pid", 'p', 0, G_OPTION_ARG_INT, &opt_server_pid,
      "The server's process: report its CPU per message and RSS per connection", "PID" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads,
      "Event loops, one a thread, each with its share of the pairs (1)", "T" },
    { "sources", 0, 0, G_OPTION_ARG_INT, &opt_sources,
      "Source addresses 127.0.0.2... to spread clients over; 0 picks enough (0)", "N" },
    { "connect-window", 0, 0, G_OPTION_ARG_INT, &opt_connect_window,
      "Clients connecting or registering at once, per thread (256)", "N" },
    { "hold", 0, 0, G_OPTION_ARG_DOUBLE, &opt_hold,
      "Seconds to hold the registered clients idle before the load; RSS is read again after", "S" },
    { "register-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_register_timeout,
      "Seconds to wait for every client to register before going on without the rest (120)", "S" },
    { "no-widen", 0, 0, G_OPTION_ARG_NONE, &opt_no_widen,
      "Leave " PORT_RANGE_PATH " as it is", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  if (g_get_charset (NULL))
    micro = "µs";
  g_set_prgname ("bench-signal");
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
    "Loads a signalling server that speaks the protocol of the mobile app of\n"
    "“Chat via P2P” (confab-signal, the article's Node server, any other) and\n"
    "measures it.  N clients connect and register (store_user); then pairs of\n"
    "them bounce create_offer messages carrying an SDP through the server, as\n"
    "fast as it relays them (closed loop, --in-flight per pair), and then at a\n"
    "fixed offered rate (open loop, --rate).  Latency runs from the send (or,\n"
    "paced, the time the message was due) to the relayed offer_received, read\n"
    "from a stamp in the SDP.");
  g_option_context_set_description (context,
    "Prints a summary, then one line of JSON with every figure (null for what\n"
    "was not measured).  With --server-pid it also reports the server's CPU\n"
    "(utime+stime from /proc/PID/stat) per 10,000 relayed messages and its RSS\n"
    "per connection (VmRSS before connecting and after registering, over N).\n"
    "\n"
    "Many clients need many descriptors (the open file limit is raised to the\n"
    "hard limit) and many ephemeral ports: past a quarter of the port range\n"
    "(7,000 clients with Debian's default range) they are spread over source\n"
    "addresses 127.0.0.2, 127.0.0.3, ..., and the port range is widened to\n"
    PORT_RANGE_WIDE " while the bench runs, if it can be.\n"
    "\n"
    "Example:  bench-signal --url ws://127.0.0.1:3000 --server-pid $(pidof confab-signal)\n"
    "confab-signal limits each client to 50 messages a second by default: give it\n"
    "--rate 0, or enough clients that each stays below that.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-signal: %s\n", error->message);
      return 2;
    }
  if (opt_url == NULL)
    opt_url = g_strdup ("ws://127.0.0.1:3000");
  if (opt_clients < 2 || opt_threads < 1 || opt_threads > 64 || opt_in_flight < 1 ||
      opt_sdp_size < 256 || opt_sdp_size > 60000 || opt_duration < 0 || opt_warmup < 0 ||
      opt_rate < 0 || opt_connect_window < 1 || opt_sources < 0 || opt_sources > 250 ||
      opt_hold < 0 || opt_register_timeout <= 0)
    {
      g_printerr ("bench-signal: out of range: --clients >= 2, --threads 1..64, --in-flight >= 1, "
                  "--sdp-size 256..60000, --sources 0..250, times and rates >= 0\n");
      return 2;
    }
  if (!parse_url (opt_url, &error))
    {
      g_printerr ("bench-signal: %s\n", error->message);
      return 2;
    }
  opt_clients &= ~1;

  /* Descriptors: one a client, and a few for the rest. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
      if (limit.rlim_cur < (rlim_t) opt_clients + RESERVED_FDS)
        {
          g_printerr ("bench-signal: %d clients need %d open files, and the hard limit "
                      "(RLIMIT_NOFILE) is %lu: raise it (ulimit -Hn, as root) or ask for "
                      "at most %lu clients\n",
                      opt_clients, opt_clients + RESERVED_FDS, (unsigned long) limit.rlim_max,
                      (unsigned long) (limit.rlim_max > RESERVED_FDS ?
                                       (limit.rlim_max - RESERVED_FDS) & ~1UL : 0));
          return 1;
        }
    }

  /* Ephemeral ports: one source address to one server port has the
   * range once; keep each address below 90 % of it. */
  g_file_get_contents (PORT_RANGE_PATH, &range, NULL, NULL);
  ports = ephemeral_ports (range);
  if (opt_clients > ports * 9 / 10 && !opt_no_widen && ports < ephemeral_ports (PORT_RANGE_WIDE) &&
      g_file_set_contents (PORT_RANGE_PATH, PORT_RANGE_WIDE, -1, NULL))
    {
      port_range_saved = g_strdup (g_strstrip (range));
      atexit (restore_port_range);
      widened = TRUE;
      g_string_append_printf (notes, "widened %s from \"%s\" to \"%s\" for the run\n",
                              PORT_RANGE_PATH, port_range_saved, PORT_RANGE_WIDE);
      ports = ephemeral_ports (PORT_RANGE_WIDE);
    }
  /* connect() looks for a free port from a random point of the range,
   * and the search grows with the share of it in use: with 19,000 clients
   * on one address of Debian's 28,232 ports registering took 28 s, on
   * four 7.4 s.  So each address gets at most a quarter of the range. */
  n_sources = opt_sources > 0 ? (guint) opt_sources :
              MAX (1, ((guint) opt_clients + ports / 4 - 1) / (ports / 4));

  sa.sa_handler = interrupt_cb;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);

  key_seed = ((guint64) g_random_int () << 32) | g_random_int ();
  name_prefix_len = (gsize) g_snprintf (name_prefix, sizeof name_prefix, "b%dx", (int) getpid ());
  build_sdp ();

  g_print ("bench-signal: %s, %d clients (%d pairs) over %u source address%s, %d thread%s, "
           "%d-byte SDP, %d in flight a pair\n",
           opt_url, opt_clients, opt_clients / 2, n_sources, n_sources == 1 ? "" : "es",
           opt_threads, opt_threads == 1 ? "" : "s", opt_sdp_size, opt_in_flight);
  if (notes->len > 0)
    g_print ("note: %s", notes->str);

  /* Whole pairs to each thread, so a pair's ping-pong stays in one loop. */
  conns = g_new0 (Conn, opt_clients);
  workers = g_new0 (Worker, opt_threads);
  per_thread = ((guint) opt_clients / opt_threads) & ~1U;
  for (int i = 0; i < opt_threads; i++)
    {
      Worker *w = &workers[i];

      w->id = (guint) i;
      w->first = per_thread * (guint) i;
      w->n_conns = i == opt_threads - 1 ? (guint) opt_clients - w->first : per_thread;
      w->conns = conns + w->first;
      w->seen_phase = PHASE_CONNECT;
      w->rate = opt_rate * (double) w->n_conns / (double) opt_clients;
      w->rbuf_cap = READ_CHUNK;
      w->rbuf = g_malloc (w->rbuf_cap);
      w->wbuf_cap = 65536;
      w->wbuf = g_malloc (w->wbuf_cap);
      w->epfd = epoll_create1 (EPOLL_CLOEXEC);
      if (w->epfd < 0)
        g_error ("epoll_create1: %s", g_strerror (errno));
      for (int m = 0; m < N_MEASURES; m++)
        w->hist[m] = g_new0 (Histogram, 1);
      for (guint k = 0; k < w->n_conns; k++)
        {
          w->conns[k].fd = -1;
          w->conns[k].index = w->first + k;
        }
    }

  /* Register */
  rss_before = server_rss_kib ();
  t_connect = now_ns ();
  for (int i = 0; i < opt_threads; i++)
    workers[i].thread = g_thread_new ("bench-loop", worker_run, &workers[i]);

  t_deadline = t_connect + (gint64) (opt_register_timeout * 1e9);
  for (;;)
    {
      gboolean done = TRUE;

      for (int i = 0; i < opt_threads; i++)
        done = done && PEEK (workers[i].connect_done);
      if (done || interrupted || now_ns () >= t_deadline)
        break;
      g_usleep (2000);
    }
  for (int i = 0; i < opt_threads; i++)
    {
      registered += PEEK (workers[i].n_ready);
      failed += PEEK (workers[i].n_failed);
      t_registered = MAX (t_registered, PEEK (workers[i].last_registered));
    }
  rss_registered = server_rss_kib ();

  memset (&reg, 0, sizeof reg);
  for (int i = 0; i < opt_threads; i++)
    hist_merge (&reg, workers[i].hist[MEASURE_REGISTER]);

  {
    double total_ms = registered > 0 ? (double) (t_registered - t_connect) / 1e6 : -1;
    g_autofree char *p50 = format_us (hist_percentile (&reg, 50) / 1000.0);
    g_autofree char *p99 = format_us (hist_percentile (&reg, 99) / 1000.0);

    g_print ("%-12s %u of %d clients in %.1f ms (%.1f %s a client); "
             "each connect to user_stored p50 %s, p99 %s\n",
             "register", registered, opt_clients, total_ms,
             registered > 0 ? total_ms * 1000.0 / registered : 0.0, micro, p50, p99);
    if (failed > 0 || registered < (guint) opt_clients)
      g_print ("%-12s %u failed, %u unfinished\n", "", failed,
               (guint) opt_clients - registered - failed);
  }
  if (rss_before >= 0 && rss_registered >= 0 && registered > 0)
    g_print ("%-12s server RSS %.1f MiB before, %.1f MiB registered: %.2f KiB a connection\n",
             "memory", rss_before / 1024, rss_registered / 1024,
             (rss_registered - rss_before) / registered);

  if (opt_hold > 0 && !interrupted)
    {
      sleep_until (now_ns () + (gint64) (opt_hold * 1e9));
      rss_held = server_rss_kib ();
      if (rss_held >= 0 && registered > 0)
        g_print ("%-12s held %u clients %.0f s: server RSS %.1f MiB, %.2f KiB a connection; "
                 "%u still registered\n",
                 "hold", registered, opt_hold, rss_held / 1024,
                 (rss_held - rss_before) / registered, count_ready (workers));
    }

  /* Saturation: closed loop */
  if (opt_duration > 0 && registered >= 2 && !interrupted)
    {
      gint64 start = now_ns ();

      window_start = start + (gint64) (opt_warmup * 1e9);
      window_end = window_start + (gint64) (opt_duration * 1e9);
      g_atomic_int_set (&measure, MEASURE_SATURATE);
      set_phase (PHASE_SATURATE);
      measure_window (workers, MEASURE_SATURATE, &sat);
      print_figures ("saturation", &sat);
    }

  /* Fixed rate: open loop */
  if (opt_duration > 0 && opt_rate > 0 && registered >= 2 && !interrupted)
    {
      g_autofree char *label = g_strdup_printf ("rate %.0f/s", opt_rate);

      rate_start = now_ns ();
      window_start = rate_start + (gint64) (opt_warmup * 1e9);
      window_end = window_start + (gint64) (opt_duration * 1e9);
      g_atomic_int_set (&measure, MEASURE_RATE);
      set_phase (PHASE_RATE);
      measure_window (workers, MEASURE_RATE, &rated);
      print_figures (label, &rated);
    }

  rss_after = server_rss_kib ();
  set_phase (PHASE_STOP);
  for (int i = 0; i < opt_threads; i++)
    g_thread_join (workers[i].thread);
  restore_port_range ();

  {
    guint64 errors = SUM (workers, n_error_replies);
    guint64 refused = SUM (workers, n_refused);
    guint64 closed = SUM (workers, n_closed_by_server);
    guint64 proto = SUM (workers, n_protocol_errors);
    guint64 unexpected = SUM (workers, n_unexpected);
    guint64 drops = SUM (workers, n_backlog_drops);

    if (errors + refused + closed + proto + unexpected + drops + failed > 0)
      {
        g_print ("%-12s %" G_GUINT64_FORMAT " error replies, %" G_GUINT64_FORMAT " names taken, %"
                 G_GUINT64_FORMAT " closed by the server, %" G_GUINT64_FORMAT " protocol errors, %"
                 G_GUINT64_FORMAT " unexpected frames, %" G_GUINT64_FORMAT " sends dropped on a "
                 "full backlog\n", "problems", errors, refused, closed, proto, unexpected, drops);
        for (int i = 0; i < opt_threads; i++)
          if (workers[i].first_error[0] != '\0')
            {
              g_print ("%-12s first: %s\n", "", workers[i].first_error);
              break;
            }
      }
    else
      g_print ("%-12s none\n", "problems");

    json = g_string_new ("{\"bench\":\"bench-signal\"");
    g_string_append_printf (json, ",\"url\":\"%s\",\"clients\":%d,\"registered\":%u,"
                            "\"threads\":%d,\"sources\":%u,\"sdp_size\":%d,\"in_flight\":%d,"
                            "\"duration_s\":%g,\"rate_offered\":%g,\"server_pid\":%d,"
                            "\"port_range_widened\":%s",
                            opt_url, opt_clients, registered, opt_threads, n_sources,
                            opt_sdp_size, opt_in_flight, opt_duration, opt_rate,
                            opt_server_pid, widened ? "true" : "false");
    json_number (json, "register_ms", registered > 0 ? (double) (t_registered - t_connect) / 1e6 : -1);
    json_number (json, "register_us_per_client",
                 registered > 0 ? (double) (t_registered - t_connect) / 1e3 / registered : -1);
    json_number (json, "register_p50_us", hist_percentile (&reg, 50) / 1000.0);
    json_number (json, "register_p99_us", hist_percentile (&reg, 99) / 1000.0);
    json_number (json, "rss_before_kib", rss_before);
    json_number (json, "rss_registered_kib", rss_registered);
    json_number (json, "rss_held_kib", rss_held);
    json_number (json, "rss_after_kib", rss_after);
    json_number (json, "rss_per_conn_kib", rss_before >= 0 && rss_registered >= 0 && registered > 0 ?
                                           (rss_registered - rss_before) / registered : -1);
    json_number (json, "rss_per_conn_held_kib", rss_before >= 0 && rss_held >= 0 && registered > 0 ?
                                                (rss_held - rss_before) / registered : -1);
    json_figures (json, "sat", &sat);
    json_figures (json, "rate", &rated);
    g_string_append_printf (json, ",\"errors\":{\"error_replies\":%" G_GUINT64_FORMAT
                            ",\"names_taken\":%" G_GUINT64_FORMAT
                            ",\"closed_by_server\":%" G_GUINT64_FORMAT
                            ",\"protocol\":%" G_GUINT64_FORMAT
                            ",\"unexpected\":%" G_GUINT64_FORMAT
                            ",\"backlog_drops\":%" G_GUINT64_FORMAT
                            ",\"connect_failed\":%u}}",
                            errors, refused, closed, proto, unexpected, drops, failed);
    g_print ("%s\n", json->str);
  }

  for (int i = 0; i < opt_threads; i++)
    {
      close (workers[i].epfd);
      g_free (workers[i].rbuf);
      g_free (workers[i].wbuf);
      for (guint k = 0; k < workers[i].n_conns; k++)
        {
          g_free (workers[i].conns[k].in);
          g_free (workers[i].conns[k].out);
        }
      for (int m = 0; m < N_MEASURES; m++)
        g_free (workers[i].hist[m]);
    }
  g_free (sdp_json);
  g_free (url_host_header);
  g_free (url_path);
  g_free (opt_url);

  return registered >= 2 && (opt_duration == 0 || sat.ran || rated.ran) &&
         (!sat.ran || sat.msgs_per_s > 0) ? 0 : 1;
}
