/* confab-rate-limiter.c
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-rate-limiter.h"

#define DEFAULT_RATE  50.0
#define DEFAULT_BURST 100
/* However small the burst, a client that was told gets this many frames
 * of grace: those it sent before the warning reached it. */
#define MIN_GRACE     8

struct _ConfabRateLimiter
{
  GObject parent_instance;

  double  rate;
  guint   burst;
};

enum {
  PROP_0,
  PROP_RATE,
  PROP_BURST,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ConfabRateLimiter, confab_rate_limiter, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
confab_rate_limiter_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ConfabRateLimiter *self = CONFAB_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;

    case PROP_BURST:
      g_value_set_uint (value, self->burst);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_rate_limiter_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ConfabRateLimiter *self = CONFAB_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      confab_rate_limiter_set_rate (self, g_value_get_double (value));
      break;

    case PROP_BURST:
      confab_rate_limiter_set_burst (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_rate_limiter_class_init (ConfabRateLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = confab_rate_limiter_get_property;
  object_class->set_property = confab_rate_limiter_set_property;

  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0.0, G_MAXDOUBLE, DEFAULT_RATE,
                         (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  properties[PROP_BURST] =
    g_param_spec_uint ("burst", NULL, NULL,
                       1, G_MAXUINT, DEFAULT_BURST,
                       (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
confab_rate_limiter_init (ConfabRateLimiter *self)
{
  self->rate = DEFAULT_RATE;
  self->burst = DEFAULT_BURST;
}

ConfabRateLimiter *
confab_rate_limiter_new (double rate,
                         guint  burst)
{
  return g_object_new (CONFAB_TYPE_RATE_LIMITER,
                       "rate", rate,
                       "burst", burst,
                       NULL);
}

double
confab_rate_limiter_get_rate (ConfabRateLimiter *self)
{
  g_return_val_if_fail (CONFAB_IS_RATE_LIMITER (self), 0.0);

  return self->rate;
}

void
confab_rate_limiter_set_rate (ConfabRateLimiter *self,
                              double             rate)
{
  g_return_if_fail (CONFAB_IS_RATE_LIMITER (self));
  g_return_if_fail (rate >= 0.0);

  if (self->rate == rate)
    return;

  self->rate = rate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

guint
confab_rate_limiter_get_burst (ConfabRateLimiter *self)
{
  g_return_val_if_fail (CONFAB_IS_RATE_LIMITER (self), 0);

  return self->burst;
}

void
confab_rate_limiter_set_burst (ConfabRateLimiter *self,
                               guint              burst)
{
  g_return_if_fail (CONFAB_IS_RATE_LIMITER (self));
  g_return_if_fail (burst > 0);

  if (self->burst == burst)
    return;

  self->burst = burst;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BURST]);
}

void
confab_rate_limiter_init_bucket (ConfabRateLimiter *self,
                                 ConfabTokenBucket *bucket,
                                 gint64             now)
{
  g_return_if_fail (CONFAB_IS_RATE_LIMITER (self));
  g_return_if_fail (bucket != NULL);

  bucket->tokens = self->burst;
  bucket->updated_at = now;
  bucket->refused = 0;
}

ConfabRateVerdict
confab_rate_limiter_take (ConfabRateLimiter *self,
                          ConfabTokenBucket *bucket,
                          gint64             now)
{
  g_return_val_if_fail (CONFAB_IS_RATE_LIMITER (self), CONFAB_RATE_ACCEPT);
  g_return_val_if_fail (bucket != NULL, CONFAB_RATE_ACCEPT);

  if (self->rate <= 0.0)
    return CONFAB_RATE_ACCEPT;

  /* A clock that went backwards (or a bucket from the future) refills
   * nothing rather than a negative amount. */
  if (now > bucket->updated_at)
    {
      bucket->tokens += (now - bucket->updated_at) * self->rate / G_USEC_PER_SEC;
      bucket->updated_at = now;
    }

  /* The burst may have been lowered since the bucket was filled. */
  if (bucket->tokens > self->burst)
    bucket->tokens = self->burst;

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      bucket->refused = 0;
      return CONFAB_RATE_ACCEPT;
    }

  bucket->refused++;

  if (bucket->refused == 1)
    return CONFAB_RATE_REFUSE_AND_WARN;

  if (bucket->refused > MAX (self->burst, MIN_GRACE) + 1)
    return CONFAB_RATE_CLOSE;

  return CONFAB_RATE_REFUSE;
}
