/* fuzz-channel-frame.c: libFuzzer target for what a peer sends on "confab"
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-channel-frame.h"
#include "confab-channel-frame-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* The input is what one peer receives on its "confab" channel: a sequence
 * of frames, each as
 *
 *   <length: u16, big-endian><frame: length bytes>
 *
 * (a length past the input's end takes what is left), so that chunks of
 * one message, and whatever comes between them, reach one assembler in
 * turn.  Beside the assembler runs a model of CHANNEL.md's rules for
 * chunks, written from the text and not from the code, and the two must
 * agree on every frame. */

typedef struct
{
  GByteArray *text;   /* NULL between messages */
  guint64     id;
  guint32     total_length;
} Model;

static GBytes *
encode_again (const ConfabChannelFrame *frame)
{
  switch (frame->type)
    {
    case CONFAB_CHANNEL_FRAME_MESSAGE:
      return confab_channel_frame_encode_message (frame->id, (const char *) frame->payload,
                                                  frame->payload_length);
    case CONFAB_CHANNEL_FRAME_CHUNK:
      return confab_channel_frame_encode_chunk (frame->id, frame->total_length, frame->offset,
                                                frame->payload, frame->payload_length);
    case CONFAB_CHANNEL_FRAME_RECEIPT:
      return confab_channel_frame_encode_receipt (frame->id);
    case CONFAB_CHANNEL_FRAME_ACK:
      return confab_channel_frame_encode_ack (frame->id);
    case CONFAB_CHANNEL_FRAME_MESSAGE_ACK:
      return confab_channel_frame_encode_message_ack (frame->id, frame->ack,
                                                      (const char *) frame->payload,
                                                      frame->payload_length);
    case CONFAB_CHANNEL_FRAME_HEARTBEAT:
      return confab_channel_frame_encode_heartbeat ();
    case CONFAB_CHANNEL_FRAME_BYE:
      return confab_channel_frame_encode_bye ();
    default:
      g_assert_not_reached ();
    }
}

/* Text a peer hands the application: UTF-8, exactly @length bytes, no
 * NUL inside. */
static void
check_text (const char *text,
            gsize       length)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (length, >, 0);
  g_assert_null (memchr (text, '\0', length));
  g_assert_true (g_utf8_validate_len (text, length, NULL));
}

static void
model_forget (Model *model)
{
  g_clear_pointer (&model->text, g_byte_array_unref);
  model->id = 0;
  model->total_length = 0;
}

static void
check_assembler_holds (const ConfabChannelAssembler *assembler,
                       const Model                  *model)
{
  gsize allocated = _confab_channel_assembler_get_allocated (assembler);

  if (model->text == NULL)
    {
      /* Nothing is kept for a message whose first chunk did not come. */
      g_assert_cmpuint (allocated, ==, 0);
      g_assert_cmpuint (_confab_channel_assembler_get_received (assembler), ==, 0);
      return;
    }

  /* What it holds is what the message announced, and no more. */
  g_assert_cmpuint (_confab_channel_assembler_get_total_length (assembler), ==,
                    model->total_length);
  g_assert_cmpuint (allocated, ==, (gsize) model->total_length + 1);
  g_assert_cmpuint (allocated, <=, CONFAB_CHANNEL_FRAME_MAX_MESSAGE + 1);
  g_assert_cmpuint (_confab_channel_assembler_get_received (assembler), ==, model->text->len);
  g_assert_cmpuint (model->text->len, <, model->total_length);
}

static void
add_chunk (ConfabChannelAssembler   *assembler,
           Model                    *model,
           const ConfabChannelFrame *chunk)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean fits;
  guint64 id = 0;

  /* CHANNEL.md: a message starts with the chunk at offset 0; each next
   * one has the same id and total and starts where the last one ended. */
  if (model->text == NULL)
    fits = chunk->offset == 0;
  else
    fits = chunk->id == model->id &&
           chunk->total_length == model->total_length &&
           chunk->offset == model->text->len;

  text = confab_channel_assembler_add (assembler, chunk, &id, &error);

  if (!fits)
    {
      g_assert_null (text);
      g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER);
      model_forget (model);
      return;
    }

  if (model->text == NULL)
    {
      model->text = g_byte_array_new ();
      model->id = chunk->id;
      model->total_length = chunk->total_length;
    }
  g_byte_array_append (model->text, chunk->payload, chunk->payload_length);

  if (model->text->len < model->total_length)
    {
      g_assert_null (text);
      g_assert_no_error (error);
      return;
    }

  if (g_utf8_validate_len ((const char *) model->text->data, model->text->len, NULL))
    {
      g_assert_no_error (error);
      check_text (text, model->total_length);
      g_assert_cmpint (text[model->total_length], ==, '\0');
      g_assert_cmpuint (id, ==, model->id);
      g_assert_cmpmem (text, model->total_length, model->text->data, model->text->len);
    }
  else
    {
      g_assert_null (text);
      g_assert_error (error, CONFAB_CHANNEL_FRAME_ERROR, CONFAB_CHANNEL_FRAME_ERROR_INVALID_UTF8);
    }
  model_forget (model);
}

static void
take_frame (ConfabChannelAssembler *assembler,
            Model                  *model,
            const guint8           *data,
            gsize                   length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) again = NULL;
  ConfabChannelFrame frame;

  if (!confab_channel_frame_decode (data, length, &frame, &error))
    {
      /* Every refusal says why, in a code of the frame domain. */
      g_assert_nonnull (error);
      g_assert_true (error->domain == CONFAB_CHANNEL_FRAME_ERROR);
      g_assert_cmpint (error->code, >=, CONFAB_CHANNEL_FRAME_ERROR_EMPTY);
      g_assert_cmpint (error->code, <=, CONFAB_CHANNEL_FRAME_ERROR_OUT_OF_ORDER);
      check_assembler_holds (assembler, model);
      return;
    }

  g_assert_no_error (error);

  /* Whatever decodes encodes back to the same bytes. */
  again = encode_again (&frame);
  g_assert_nonnull (again);
  g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (again), data, length);

  switch (frame.type)
    {
    case CONFAB_CHANNEL_FRAME_MESSAGE:
    case CONFAB_CHANNEL_FRAME_MESSAGE_ACK:
      g_assert_cmpuint (frame.id, !=, 0);
      if (frame.payload_length > 0)
        check_text ((const char *) frame.payload, frame.payload_length);
      break;

    case CONFAB_CHANNEL_FRAME_CHUNK:
      g_assert_cmpuint (frame.total_length, <=, CONFAB_CHANNEL_FRAME_MAX_MESSAGE);
      add_chunk (assembler, model, &frame);
      break;

    case CONFAB_CHANNEL_FRAME_RECEIPT:
    case CONFAB_CHANNEL_FRAME_ACK:
    case CONFAB_CHANNEL_FRAME_HEARTBEAT:
    case CONFAB_CHANNEL_FRAME_BYE:
      break;

    default:
      g_assert_not_reached ();
    }

  check_assembler_holds (assembler, model);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(ConfabChannelAssembler) assembler = confab_channel_assembler_new ();
  Model model = { NULL, 0, 0 };
  gsize at = 0;

  check_assembler_holds (assembler, &model);

  while (at + 2 <= size)
    {
      gsize length = ((gsize) data[at] << 8) | data[at + 1];

      at += 2;
      length = MIN (length, size - at);
      /* A copy of its own, so that ASan sees a read past the frame. */
      {
        g_autofree guint8 *frame = g_memdup2 (data + at, length);

        take_frame (assembler, &model, frame, length);
      }
      at += length;
    }

  model_forget (&model);

  return 0;
}
