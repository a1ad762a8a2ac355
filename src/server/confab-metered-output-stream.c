/* confab-metered-output-stream.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-metered-output-stream.h"

struct _ConfabMeteredOutputStream
{
  GFilterOutputStream  parent_instance;

  ConfabMeteredFunc    func;
  gpointer             user_data;
};

static void pollable_iface_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ConfabMeteredOutputStream, confab_metered_output_stream, G_TYPE_FILTER_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM, pollable_iface_init))

static GPollableOutputStream *
get_base (ConfabMeteredOutputStream *self)
{
  return G_POLLABLE_OUTPUT_STREAM (g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self)));
}

static gssize
count (ConfabMeteredOutputStream *self,
       gssize                     n)
{
  if (n > 0 && self->func != NULL)
    self->func (self->user_data, n);

  return n;
}

static gssize
confab_metered_output_stream_write (GOutputStream  *stream,
                                    const void     *buffer,
                                    gsize           length,
                                    GCancellable   *cancellable,
                                    GError        **error)
{
  ConfabMeteredOutputStream *self = CONFAB_METERED_OUTPUT_STREAM (stream);

  return count (self, g_output_stream_write (G_OUTPUT_STREAM (get_base (self)), buffer, length,
                                             cancellable, error));
}

static gboolean
confab_metered_output_stream_can_poll (GPollableOutputStream *stream)
{
  return TRUE;
}

static gboolean
confab_metered_output_stream_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (get_base (CONFAB_METERED_OUTPUT_STREAM (stream)));
}

/* The base's source, reporting this stream to its callback */
static GSource *
confab_metered_output_stream_create_source (GPollableOutputStream *stream,
                                            GCancellable          *cancellable)
{
  ConfabMeteredOutputStream *self = CONFAB_METERED_OUTPUT_STREAM (stream);
  g_autoptr(GSource) base_source = g_pollable_output_stream_create_source (get_base (self), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
confab_metered_output_stream_write_nonblocking (GPollableOutputStream  *stream,
                                                const void             *buffer,
                                                gsize                   length,
                                                GError                **error)
{
  ConfabMeteredOutputStream *self = CONFAB_METERED_OUTPUT_STREAM (stream);

  return count (self, g_pollable_output_stream_write_nonblocking (get_base (self), buffer, length,
                                                                  NULL, error));
}

static void
pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = confab_metered_output_stream_can_poll;
  iface->is_writable = confab_metered_output_stream_is_writable;
  iface->create_source = confab_metered_output_stream_create_source;
  iface->write_nonblocking = confab_metered_output_stream_write_nonblocking;
}

static void
confab_metered_output_stream_class_init (ConfabMeteredOutputStreamClass *klass)
{
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  output_class->write_fn = confab_metered_output_stream_write;
}

static void
confab_metered_output_stream_init (ConfabMeteredOutputStream *self)
{
}

GOutputStream *
confab_metered_output_stream_new (GOutputStream     *base,
                                  ConfabMeteredFunc  func,
                                  gpointer           user_data)
{
  ConfabMeteredOutputStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (base), NULL);

  self = g_object_new (CONFAB_TYPE_METERED_OUTPUT_STREAM,
                       "base-stream", base,
                       "close-base-stream", FALSE,
                       NULL);
  self->func = func;
  self->user_data = user_data;

  return G_OUTPUT_STREAM (self);
}

void
confab_metered_output_stream_detach (ConfabMeteredOutputStream *self)
{
  g_return_if_fail (CONFAB_IS_METERED_OUTPUT_STREAM (self));

  self->func = NULL;
  self->user_data = NULL;
}
