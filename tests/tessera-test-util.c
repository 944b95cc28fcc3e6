/* tessera-test-util.c */
#include "tessera-test-util.h"

void
tessera_test_outcome_clear (TesseraTestOutcome *outcome)
{
  g_clear_object (&outcome->texture);
  g_clear_pointer (&outcome->label, g_free);
}

void
tessera_test_record_outcome (const TesseraLoadResult *result, gpointer user_data)
{
  TesseraTestOutcome *outcome = user_data;

  outcome->delivered = TRUE;
  outcome->n_deliveries++;
  outcome->finished_us = g_get_monotonic_time ();
  g_set_object (&outcome->texture, result->texture);
  if (result->error != NULL)
    {
      outcome->error_domain = result->error->domain;
      outcome->error_code = result->error->code;
      g_free (outcome->label);
      outcome->label = g_strdup (result->label);
    }
}

/* Wakes the blocking iteration now and then, for conditions that change on other threads. */
#define WAIT_POLL_MS 10

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
tessera_test_wait_until (gboolean (*condition) (gpointer data), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint poll_id = g_timeout_add (WAIT_POLL_MS, keep_polling, NULL);
  gboolean held = TRUE;

  /* Blocking iterations let every priority run, idle deliveries included; a busy-wait of
   * non-blocking ones starves them behind any always-ready source. */
  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          held = FALSE;
          break;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (poll_id);
  return held;
}

void
tessera_test_fast_limits (TesseraFetchLimits *limits)
{
  tessera_fetch_limits_init (limits);
  limits->connect_timeout_s = 2;
  limits->low_speed_time_s = 2;
  limits->total_timeout_s = 20;
  limits->max_bytes = 4u * 1024u * 1024u;
  limits->retry_after_cap_s = 1;
}
