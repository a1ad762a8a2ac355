/* test-rate-limiter.c: the token bucket, on a clock the test drives
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-rate-limiter.h"

#define SECOND G_USEC_PER_SEC

static void
test_burst_then_warn (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (2.0, 3);
  ConfabTokenBucket bucket;

  confab_rate_limiter_init_bucket (limiter, &bucket, 0);

  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);

  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE);
}

static void
test_refill (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (2.0, 3);
  ConfabTokenBucket bucket;

  confab_rate_limiter_init_bucket (limiter, &bucket, 0);
  for (guint i = 0; i < 3; i++)
    confab_rate_limiter_take (limiter, &bucket, 0);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);

  /* Half a second at 2 a second is one token, and a new warning later. */
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, SECOND / 2), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, SECOND / 2), ==, CONFAB_RATE_REFUSE_AND_WARN);

  /* A long pause refills only up to the burst. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 100 * SECOND), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 100 * SECOND), ==,
                   CONFAB_RATE_REFUSE_AND_WARN);
}

static void
test_flood_closes (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (1.0, 10);
  ConfabTokenBucket bucket;
  guint refused = 0;
  ConfabRateVerdict verdict;

  confab_rate_limiter_init_bucket (limiter, &bucket, 0);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);

  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);
  while ((verdict = confab_rate_limiter_take (limiter, &bucket, 0)) == CONFAB_RATE_REFUSE)
    refused++;

  /* A burst's worth of grace after the warning, then the door. */
  g_assert_cmpint (verdict, ==, CONFAB_RATE_CLOSE);
  g_assert_cmpuint (refused, ==, 10);
}

static void
test_small_burst_grace (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (1.0, 1);
  ConfabTokenBucket bucket;
  guint refused = 0;

  confab_rate_limiter_init_bucket (limiter, &bucket, 0);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);
  while (confab_rate_limiter_take (limiter, &bucket, 0) == CONFAB_RATE_REFUSE)
    refused++;

  /* Frames in flight when the warning went out are not held against it. */
  g_assert_cmpuint (refused, ==, 8);
}

static void
test_accept_resets_strikes (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (1.0, 1);
  ConfabTokenBucket bucket;
  gint64 now = 0;

  confab_rate_limiter_init_bucket (limiter, &bucket, now);

  /* A client that overshoots a little every second is warned each time
   * but never closed. */
  for (guint round = 0; round < 50; round++)
    {
      g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, now), ==, CONFAB_RATE_ACCEPT);
      g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, now), ==,
                       CONFAB_RATE_REFUSE_AND_WARN);
      for (guint i = 0; i < 5; i++)
        g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, now), ==, CONFAB_RATE_REFUSE);
      now += SECOND;
    }
}

static void
test_unlimited (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (0.0, 1);
  ConfabTokenBucket bucket;

  confab_rate_limiter_init_bucket (limiter, &bucket, 0);
  for (guint i = 0; i < 100000; i++)
    g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);
}

static void
test_clock_backwards (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (1000.0, 2);
  ConfabTokenBucket bucket;

  confab_rate_limiter_init_bucket (limiter, &bucket, 10 * SECOND);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 10 * SECOND), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 10 * SECOND), ==, CONFAB_RATE_ACCEPT);
  /* An earlier time must not count as a negative refill, nor a huge one. */
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static void
test_properties (void)
{
  g_autoptr(ConfabRateLimiter) limiter = confab_rate_limiter_new (5.0, 7);
  double rate;
  guint burst;
  guint notified = 0;
  ConfabTokenBucket bucket;

  g_object_get (limiter, "rate", &rate, "burst", &burst, NULL);
  g_assert_cmpfloat (rate, ==, 5.0);
  g_assert_cmpuint (burst, ==, 7);

  g_signal_connect_swapped (limiter, "notify::burst", G_CALLBACK (count_cb), &notified);
  confab_rate_limiter_set_burst (limiter, 7);
  g_assert_cmpuint (notified, ==, 0);
  confab_rate_limiter_set_burst (limiter, 2);
  g_assert_cmpuint (notified, ==, 1);

  /* A bucket filled under the old burst is capped at the new one. */
  bucket.tokens = 7;
  bucket.updated_at = 0;
  bucket.refused = 0;
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_ACCEPT);
  g_assert_cmpint (confab_rate_limiter_take (limiter, &bucket, 0), ==, CONFAB_RATE_REFUSE_AND_WARN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limiter/burst-then-warn", test_burst_then_warn);
  g_test_add_func ("/rate-limiter/refill", test_refill);
  g_test_add_func ("/rate-limiter/flood-closes", test_flood_closes);
  g_test_add_func ("/rate-limiter/small-burst-grace", test_small_burst_grace);
  g_test_add_func ("/rate-limiter/accept-resets-strikes", test_accept_resets_strikes);
  g_test_add_func ("/rate-limiter/unlimited", test_unlimited);
  g_test_add_func ("/rate-limiter/clock-backwards", test_clock_backwards);
  g_test_add_func ("/rate-limiter/properties", test_properties);

  return g_test_run ();
}
