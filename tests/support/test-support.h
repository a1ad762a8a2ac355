/* test-support.h: what Confab's tests and benchmarks share
 *
 * Copyright 2026 The Confab authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "test-record.h"
#include "test-server-thread.h"
#include "test-wait.h"
#include "test-ws-client.h"
