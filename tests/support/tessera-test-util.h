/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-test-util.h: waiting for loads in tests */
#pragma once

#include "tessera-loader.h"
#include "tessera-test-server.h"

G_BEGIN_DECLS

/* What one delivered request said, copied out of the callback. */
typedef struct
{
  gboolean delivered;
  guint n_deliveries;
  GdkTexture *texture;
  GQuark error_domain;
  int error_code;
  char *label;
  gint64 finished_us;
} TesseraTestOutcome;

void tessera_test_outcome_clear (TesseraTestOutcome *outcome);
/* A TesseraDeliverFunc that fills the TesseraTestOutcome passed as user data. */
void tessera_test_record_outcome (const TesseraLoadResult *result, gpointer user_data);
/* Iterates the default main context until @condition(@data) holds or @timeout_ms passes. */
gboolean tessera_test_wait_until (gboolean (*condition) (gpointer data), gpointer data,
                                  guint timeout_ms);
/* Limits short enough that timeouts and caps trigger within seconds. */
void tessera_test_fast_limits (TesseraFetchLimits *limits);

/* Pages of Imgur's hot/viral/day gallery on @server from the fixtures in @fixtures_dir:
 * page 0 the captured hot page (183 posts), page 1 a page of newer shapes, page 2 empty;
 * every album of page 0 answers with the captured 42-image album. Requests must carry
 * "Authorization: Client-ID @client_id". */
#define TESSERA_TEST_IMGUR_PAGE(n) "/3/gallery/hot/viral/day/" #n
void tessera_test_serve_imgur (TesseraTestServer *server, const char *fixtures_dir,
                               const char *client_id);
/* The fixtures' folder: TESSERA_IMGUR_FIXTURES, which the test environment sets. */
const char *tessera_test_imgur_fixtures (void);

/* How many entries the folder @path holds (0 when it cannot be read). */
guint tessera_test_count_files (const char *path);

G_END_DECLS
