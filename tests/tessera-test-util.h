/* tessera-test-util.h: waiting for loads in tests */
#pragma once

#include "tessera-loader.h"

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

G_END_DECLS
