/* confab-channel-frame.h: the frames of the "confab" data channel
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What two Confab peers say to each other on the data channel labelled
 * "confab", beside the plain text of "localDataChannel" that the mobile app
 * understands.  Each frame is one binary data-channel message; CHANNEL.md
 * beside this file is the specification.  Everything here is a pure
 * function of its arguments, so it can be tested and fuzzed alone. */

#define CONFAB_CHANNEL_FRAME_ERROR (confab_channel_frame_error_quark ())

/* webrtcbin 1.22 does not deliver a data-channel message over 64 KiB. */
#define CONFAB_CHANNEL_FRAME_MAX_SIZE        65536
/* The largest message a receiver reassembles. */
#define CONFAB_CHANNEL_FRAME_MAX_MESSAGE     (16 * 1024 * 1024)
#define CONFAB_CHANNEL_FRAME_MESSAGE_HEADER  9
#define CONFAB_CHANNEL_FRAME_CHUNK_HEADER    17
#define CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER 17
/* The most text a MESSAGE frame, or a CHUNK frame, carries. */
#define CONFAB_CHANNEL_FRAME_MAX_TEXT        (CONFAB_CHANNEL_FRAME_MAX_SIZE - CONFAB_CHANNEL_FRAME_MESSAGE_HEADER)
#define CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA  (CONFAB_CHANNEL_FRAME_MAX_SIZE - CONFAB_CHANNEL_FRAME_CHUNK_HEADER)
/* The most text a MESSAGE_ACK frame carries. */
#define CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT  (CONFAB_CHANNEL_FRAME_MAX_SIZE - CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER)

typedef enum
{
  CONFAB_CHANNEL_FRAME_ERROR_EMPTY,        /* a frame of zero bytes */
  CONFAB_CHANNEL_FRAME_ERROR_TOO_LARGE,    /* over CONFAB_CHANNEL_FRAME_MAX_SIZE */
  CONFAB_CHANNEL_FRAME_ERROR_UNKNOWN_TYPE, /* a type byte this version does not know */
  CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED,    /* shorter than its type's header */
  CONFAB_CHANNEL_FRAME_ERROR_INVALID,      /* a zero id, trailing bytes, lengths that do not add up */
  CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8, /* message text that is not UTF-8 */
  CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER, /* a chunk that does not continue the message being reassembled */
} ConfabChannelFrameError;

typedef enum
{
  CONFAB_CHANNEL_FRAME_MESSAGE   = 0x01,
  CONFAB_CHANNEL_FRAME_CHUNK     = 0x02,
  CONFAB_CHANNEL_FRAME_RECEIPT   = 0x03,
  CONFAB_CHANNEL_FRAME_HEARTBEAT = 0x04,
  CONFAB_CHANNEL_FRAME_BYE       = 0x05,
  /* Version 2 */
  CONFAB_CHANNEL_FRAME_ACK         = 0x06,
  CONFAB_CHANNEL_FRAME_MESSAGE_ACK = 0x07,
} ConfabChannelFrameType;

/* A decoded frame.  @payload points into the decoded buffer. */
typedef struct
{
  ConfabChannelFrameType  type;
  guint64                 id;             /* MESSAGE, CHUNK, RECEIPT, ACK, MESSAGE_ACK */
  guint64                 ack;            /* MESSAGE_ACK: what it acknowledges */
  guint32                 total_length;   /* CHUNK */
  guint32                 offset;         /* CHUNK */
  const guint8           *payload;        /* MESSAGE and MESSAGE_ACK text, CHUNK data */
  gsize                   payload_length;
} ConfabChannelFrame;

GQuark    confab_channel_frame_error_quark      (void);

GBytes   *confab_channel_frame_encode_message   (guint64              id,
                                                 const char          *text,
                                                 gsize                length);
GBytes   *confab_channel_frame_encode_chunk     (guint64              id,
                                                 guint32              total_length,
                                                 guint32              offset,
                                                 const guint8        *data,
                                                 gsize                length);
GBytes   *confab_channel_frame_encode_receipt   (guint64              id);
/* Version 2: every message up to @id arrived; the same carried on a
 * message (@ack is never 0). */
GBytes   *confab_channel_frame_encode_ack       (guint64              id);
GBytes   *confab_channel_frame_encode_message_ack (guint64              id,
                                                   guint64              ack,
                                                   const char          *text,
                                                   gsize                length);
GBytes   *confab_channel_frame_encode_heartbeat (void);
GBytes   *confab_channel_frame_encode_bye       (void);

/* Checks every field; on success @frame describes @data (which must
 * outlive it). */
gboolean  confab_channel_frame_decode           (const guint8        *data,
                                                 gsize                length,
                                                 ConfabChannelFrame  *frame,
                                                 GError             **error);

/* Reassembles the CHUNK frames of one channel, one message at a time (the
 * channel is ordered, and a sender never interleaves the chunks of two
 * messages). */
typedef struct _ConfabChannelAssembler ConfabChannelAssembler;

ConfabChannelAssembler *confab_channel_assembler_new  (void);
void                    confab_channel_assembler_free (ConfabChannelAssembler   *self);
/* Takes the next CHUNK.  Returns the whole message text, nul-terminated and
 * checked to be UTF-8, with its id in *@id, once the last chunk is in;
 * NULL otherwise.  On a chunk that does not fit, sets @error, forgets the
 * partial message and returns NULL. */
char                   *confab_channel_assembler_add  (ConfabChannelAssembler   *self,
                                                       const ConfabChannelFrame *chunk,
                                                       guint64                  *id,
                                                       GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabChannelAssembler, confab_channel_assembler_free)

G_END_DECLS
