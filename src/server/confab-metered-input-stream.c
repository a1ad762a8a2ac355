/* confab-metered-input-stream.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-metered-input-stream.h"

struct _ConfabMeteredInputStream
{
  GFilterInputStream  parent_instance;

  ConfabMeteredFunc   func;
  gpointer            user_data;
};

static void pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabMeteredInputStream, confab_metered_input_stream, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, pollable_iface_init))

static GPollableInputStream *
get_base (ConfabMeteredInputStream *self)
{
  return G_POLLABLE_INPUT_STREAM (g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self)));
}

static gssize
count (ConfabMeteredInputStream *self,
       gssize                    n)
{
  if (n > 0 && self->func != NULL)
    self->func (self->user_data, n);

  return n;
}

static gssize
confab_metered_input_stream_read (GInputStream  *stream,
                                  void          *buffer,
                                  gsize          length,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  ConfabMeteredInputStream *self = CONFAB_METERED_INPUT_STREAM (stream);

  return count (self, g_input_stream_read (G_INPUT_STREAM (get_base (self)), buffer, length,
                                           cancellable, error));
}

static gboolean
confab_metered_input_stream_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
confab_metered_input_stream_is_readable (GPollableInputStream *stream)
{
  return g_pollable_input_stream_is_readable (get_base (CONFAB_METERED_INPUT_STREAM (stream)));
}

/* The base's source, reporting this stream to its callback */
static GSource *
confab_metered_input_stream_create_source (GPollableInputStream *stream,
                                           GCancellable         *cancellable)
{
  ConfabMeteredInputStream *self = CONFAB_METERED_INPUT_STREAM (stream);
  g_autoptr(GSource) base_source = g_pollable_input_stream_create_source (get_base (self), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
confab_metered_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                              void                  *buffer,
                                              gsize                  length,
                                              GError               **error)
{
  ConfabMeteredInputStream *self = CONFAB_METERED_INPUT_STREAM (stream);

  return count (self, g_pollable_input_stream_read_nonblocking (get_base (self), buffer, length,
                                                                NULL, error));
}

static void
pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = confab_metered_input_stream_can_poll;
  iface->is_readable = confab_metered_input_stream_is_readable;
  iface->create_source = confab_metered_input_stream_create_source;
  iface->read_nonblocking = confab_metered_input_stream_read_nonblocking;
}

static void
confab_metered_input_stream_class_init (ConfabMeteredInputStreamClass *klass)
{
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  input_class->read_fn = confab_metered_input_stream_read;
}

static void
confab_metered_input_stream_init (ConfabMeteredInputStream *self)
{
}

GInputStream *
confab_metered_input_stream_new (GInputStream      *base,
                                 ConfabMeteredFunc  func,
                                 gpointer           user_data)
{
  ConfabMeteredInputStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base), NULL);

  self = g_object_new (CONFAB_TYPE_METERED_INPUT_STREAM,
                       "base-stream", base,
                       "close-base-stream", FALSE,
                       NULL);
  self->func = func;
  self->user_data = user_data;

  return G_INPUT_STREAM (self);
}

void
confab_metered_input_stream_detach (ConfabMeteredInputStream *self)
{
  g_return_if_fail (CONFAB_IS_METERED_INPUT_STREAM (self));

  self->func = NULL;
  self->user_data = NULL;
}
