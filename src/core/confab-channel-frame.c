/* confab-channel-frame.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-channel-frame.h"
#include "confab-channel-frame-private.h"

G_DEFINE_QUARK (confab-channel-frame-error-quark, confab_channel_frame_error)

struct _ConfabChannelAssembler
{
  guint64  id;
  guint32  total_length;
  guint32  received;
  guint8  *data;
};

static void
put_u32 (guint8  *p,
         guint32  value)
{
  value = GUINT32_TO_BE (value);
  memcpy (p, &value, sizeof value);
}

static void
put_u64 (guint8  *p,
         guint64  value)
{
  value = GUINT64_TO_BE (value);
  memcpy (p, &value, sizeof value);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 value;

  memcpy (&value, p, sizeof value);
  return GUINT32_FROM_BE (value);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 value;

  memcpy (&value, p, sizeof value);
  return GUINT64_FROM_BE (value);
}

GBytes *
confab_channel_frame_encode_message (guint64     id,
                                     const char *text,
                                     gsize       length)
{
  guint8 *frame;

  g_return_val_if_fail (id != 0, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (length <= CONFAB_CHANNEL_FRAME_MAX_TEXT, NULL);

  frame = g_malloc (CONFAB_CHANNEL_FRAME_MESSAGE_HEADER + length);
  frame[0] = CONFAB_CHANNEL_FRAME_MESSAGE;
  put_u64 (frame + 1, id);
  if (length > 0)
    memcpy (frame + CONFAB_CHANNEL_FRAME_MESSAGE_HEADER, text, length);

  return g_bytes_new_take (frame, CONFAB_CHANNEL_FRAME_MESSAGE_HEADER + length);
}

GBytes *
confab_channel_frame_encode_chunk (guint64       id,
                                   guint32       total_length,
                                   guint32       offset,
                                   const guint8 *data,
                                   gsize         length)
{
  guint8 *frame;

  g_return_val_if_fail (id != 0, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (length > 0 && length <= CONFAB_CHANNEL_FRAME_MAX_CHUNK_DATA, NULL);
  g_return_val_if_fail ((guint64) offset + length <= total_length, NULL);

  frame = g_malloc (CONFAB_CHANNEL_FRAME_CHUNK_HEADER + length);
  frame[0] = CONFAB_CHANNEL_FRAME_CHUNK;
  put_u64 (frame + 1, id);
  put_u32 (frame + 9, total_length);
  put_u32 (frame + 13, offset);
  memcpy (frame + CONFAB_CHANNEL_FRAME_CHUNK_HEADER, data, length);

  return g_bytes_new_take (frame, CONFAB_CHANNEL_FRAME_CHUNK_HEADER + length);
}

GBytes *
confab_channel_frame_encode_receipt (guint64 id)
{
  guint8 frame[9];

  g_return_val_if_fail (id != 0, NULL);

  frame[0] = CONFAB_CHANNEL_FRAME_RECEIPT;
  put_u64 (frame + 1, id);

  return g_bytes_new (frame, sizeof frame);
}

GBytes *
confab_channel_frame_encode_ack (guint64 id)
{
  guint8 frame[9];

  g_return_val_if_fail (id != 0, NULL);

  frame[0] = CONFAB_CHANNEL_FRAME_ACK;
  put_u64 (frame + 1, id);

  return g_bytes_new (frame, sizeof frame);
}

GBytes *
confab_channel_frame_encode_message_ack (guint64     id,
                                         guint64     ack,
                                         const char *text,
                                         gsize       length)
{
  guint8 *frame;

  g_return_val_if_fail (id != 0, NULL);
  g_return_val_if_fail (ack != 0, NULL);
  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (length <= CONFAB_CHANNEL_FRAME_MAX_ACKED_TEXT, NULL);

  frame = g_malloc (CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER + length);
  frame[0] = CONFAB_CHANNEL_FRAME_MESSAGE_ACK;
  put_u64 (frame + 1, id);
  put_u64 (frame + 9, ack);
  if (length > 0)
    memcpy (frame + CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER, text, length);

  return g_bytes_new_take (frame, CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER + length);
}

GBytes *
confab_channel_frame_encode_heartbeat (void)
{
  static const guint8 frame[] = { CONFAB_CHANNEL_FRAME_HEARTBEAT };

  return g_bytes_new_static (frame, sizeof frame);
}

GBytes *
confab_channel_frame_encode_bye (void)
{
  static const guint8 frame[] = { CONFAB_CHANNEL_FRAME_BYE };

  return g_bytes_new_static (frame, sizeof frame);
}

static gboolean
invalid (GError     **error,
         int          code,
         const char  *message)
{
  g_set_error_literal (error, CONFAB_CHANNEL_FRAME_ERROR, code, message);
  return FALSE;
}

gboolean
confab_channel_frame_decode (const guint8        *data,
                             gsize                length,
                             ConfabChannelFrame  *frame,
                             GError             **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (frame, 0, sizeof *frame);

  if (length == 0)
    return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_EMPTY, "empty frame");

  if (length > CONFAB_CHANNEL_FRAME_MAX_SIZE)
    return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TOO_LARGE, "frame over 64 KiB");

  switch (data[0])
    {
    case CONFAB_CHANNEL_FRAME_MESSAGE:
      if (length < CONFAB_CHANNEL_FRAME_MESSAGE_HEADER)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED, "truncated message frame");
      frame->type = CONFAB_CHANNEL_FRAME_MESSAGE;
      frame->id = get_u64 (data + 1);
      frame->payload = data + CONFAB_CHANNEL_FRAME_MESSAGE_HEADER;
      frame->payload_length = length - CONFAB_CHANNEL_FRAME_MESSAGE_HEADER;
      if (frame->id == 0)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "message id 0");
      if (!g_utf8_validate_len ((const char *) frame->payload, frame->payload_length, NULL))
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8, "message text is not UTF-8");
      return TRUE;

    case CONFAB_CHANNEL_FRAME_CHUNK:
      if (length < CONFAB_CHANNEL_FRAME_CHUNK_HEADER)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED, "truncated chunk frame");
      frame->type = CONFAB_CHANNEL_FRAME_CHUNK;
      frame->id = get_u64 (data + 1);
      frame->total_length = get_u32 (data + 9);
      frame->offset = get_u32 (data + 13);
      frame->payload = data + CONFAB_CHANNEL_FRAME_CHUNK_HEADER;
      frame->payload_length = length - CONFAB_CHANNEL_FRAME_CHUNK_HEADER;
      if (frame->id == 0)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "chunk id 0");
      if (frame->payload_length == 0)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "empty chunk");
      if (frame->total_length > CONFAB_CHANNEL_FRAME_MAX_MESSAGE)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TOO_LARGE, "message over 16 MiB");
      if ((guint64) frame->offset + frame->payload_length > frame->total_length)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "chunk past the message's end");
      return TRUE;

    case CONFAB_CHANNEL_FRAME_MESSAGE_ACK:
      if (length < CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED, "truncated message frame");
      frame->type = CONFAB_CHANNEL_FRAME_MESSAGE_ACK;
      frame->id = get_u64 (data + 1);
      frame->ack = get_u64 (data + 9);
      frame->payload = data + CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER;
      frame->payload_length = length - CONFAB_CHANNEL_FRAME_MESSAGE_ACK_HEADER;
      if (frame->id == 0 || frame->ack == 0)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "message or ack id 0");
      if (!g_utf8_validate_len ((const char *) frame->payload, frame->payload_length, NULL))
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8, "message text is not UTF-8");
      return TRUE;

    case CONFAB_CHANNEL_FRAME_RECEIPT:
    case CONFAB_CHANNEL_FRAME_ACK:
      if (length < 9)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_TRUNCATED, "truncated receipt frame");
      if (length > 9)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "trailing bytes after a receipt");
      frame->type = data[0];
      frame->id = get_u64 (data + 1);
      if (frame->id == 0)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "receipt id 0");
      return TRUE;

    case CONFAB_CHANNEL_FRAME_HEARTBEAT:
    case CONFAB_CHANNEL_FRAME_BYE:
      if (length > 1)
        return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "trailing bytes after a control frame");
      frame->type = data[0];
      return TRUE;

    default:
      return invalid (error, CONFAB_CHANNEL_FRAME_ERROR_UNKNOWN_TYPE, "unknown frame type");
    }
}

ConfabChannelAssembler *
confab_channel_assembler_new (void)
{
  return g_new0 (ConfabChannelAssembler, 1);
}

static void
assembler_reset (ConfabChannelAssembler *self)
{
  g_clear_pointer (&self->data, g_free);
  self->id = 0;
  self->total_length = 0;
  self->received = 0;
}

void
confab_channel_assembler_free (ConfabChannelAssembler *self)
{
  if (self == NULL)
    return;

  assembler_reset (self);
  g_free (self);
}

char *
confab_channel_assembler_add (ConfabChannelAssembler   *self,
                              const ConfabChannelFrame *chunk,
                              guint64                  *id,
                              GError                  **error)
{
  char *text;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (chunk != NULL && chunk->type == CONFAB_CHANNEL_FRAME_CHUNK, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->data == NULL)
    {
      /* A message starts with its first chunk; anything else means chunks
       * were lost, and what follows cannot be trusted either. */
      if (chunk->offset != 0)
        {
          invalid (error, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER,
                   "chunk does not start a message");
          return NULL;
        }

      self->id = chunk->id;
      self->total_length = chunk->total_length;
      self->received = 0;
      /* The length was bounded by decode(); +1 for the nul. */
      self->data = g_malloc (self->total_length + 1);
    }
  else if (chunk->id != self->id ||
           chunk->total_length != self->total_length ||
           chunk->offset != self->received)
    {
      assembler_reset (self);
      invalid (error, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER,
               "chunk does not continue the message being reassembled");
      return NULL;
    }

  if ((guint64) chunk->offset + chunk->payload_length > self->total_length)
    {
      assembler_reset (self);
      invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID, "chunk past the message's end");
      return NULL;
    }

  memcpy (self->data + self->received, chunk->payload, chunk->payload_length);
  self->received += chunk->payload_length;

  if (self->received < self->total_length)
    return NULL;

  self->data[self->total_length] = '\0';
  if (!g_utf8_validate_len ((const char *) self->data, self->total_length, NULL))
    {
      assembler_reset (self);
      invalid (error, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8, "message text is not UTF-8");
      return NULL;
    }

  if (id != NULL)
    *id = self->id;

  text = (char *) g_steal_pointer (&self->data);
  assembler_reset (self);

  return text;
}

gsize
_confab_channel_assembler_get_allocated (const ConfabChannelAssembler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  /* Allocated whole on the first chunk: the announced length and a nul. */
  return self->data != NULL ? (gsize) self->total_length + 1 : 0;
}

guint32
_confab_channel_assembler_get_total_length (const ConfabChannelAssembler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total_length;
}

guint32
_confab_channel_assembler_get_received (const ConfabChannelAssembler *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->received;
}
