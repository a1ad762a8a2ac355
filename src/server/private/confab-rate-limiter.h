/* confab-rate-limiter.h: a token bucket for each connection
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_RATE_LIMITER (confab_rate_limiter_get_type ())

G_DECLARE_FINAL_TYPE (ConfabRateLimiter, confab_rate_limiter, CONFAB, RATE_LIMITER, GObject)

/* The state of one connection: small and embedded in the connection, since
 * a server holds a hundred thousand of them.  The limiter holds what all
 * connections share (the rate and the burst). */
typedef struct
{
  double  tokens;
  gint64  updated_at;   /* monotonic microseconds */
  guint   refused;      /* frames refused since the last one accepted */
} ConfabTokenBucket;

typedef enum
{
  CONFAB_RATE_ACCEPT,
  /* The first refusal: tell the client it is rate limited. */
  CONFAB_RATE_REFUSE_AND_WARN,
  /* Already told: drop the frame without an answer, so that a flood
   * does not make the server flood back. */
  CONFAB_RATE_REFUSE,
  /* Kept flooding after being told: close the connection. */
  CONFAB_RATE_CLOSE,
} ConfabRateVerdict;

/* Frames a second, refilled continuously, and how many may come at once.
 * A @rate of 0 turns limiting off. */
ConfabRateLimiter *confab_rate_limiter_new          (double             rate,
                                                     guint              burst);
double             confab_rate_limiter_get_rate     (ConfabRateLimiter *self);
void               confab_rate_limiter_set_rate     (ConfabRateLimiter *self,
                                                     double             rate);
guint              confab_rate_limiter_get_burst    (ConfabRateLimiter *self);
void               confab_rate_limiter_set_burst    (ConfabRateLimiter *self,
                                                     guint              burst);
/* A new connection starts with a full bucket. */
void               confab_rate_limiter_init_bucket  (ConfabRateLimiter *self,
                                                     ConfabTokenBucket *bucket,
                                                     gint64             now);
/* Takes a token for one frame arriving at @now (monotonic microseconds). */
ConfabRateVerdict  confab_rate_limiter_take         (ConfabRateLimiter *self,
                                                     ConfabTokenBucket *bucket,
                                                     gint64             now);

G_END_DECLS
