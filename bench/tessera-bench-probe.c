/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-bench-probe.c: preloaded into the app by `make bench`; times the main loop from outside
 *
 *   TESSERA_BENCH_PROBE_OUT=FILE LD_PRELOAD=tessera-bench-probe.so tessera ...
 *
 * A constructor notes CLOCK_MONOTONIC (the clock of g_get_monotonic_time(), and so of the
 * app's --stats, which counts from the first line of main()) and adds a callback to the default
 * main context; when the app's main loop first runs it, a 1 ms timeout starts ticking. Both are
 * at default priority: an idle-priority source may never run while GTK keeps the loop busy
 * (it does not under the software GL renderer). Any tick that comes late means the main thread
 * was busy for that long.
 * At exit the report goes to FILE.PID (PID: this process, so that a child exec'd with the same
 * environment cannot overwrite it), as "key value" lines:
 *
 *   start_us         CLOCK_MONOTONIC at load, µs
 *   first_tick_us    the first tick, µs since start_us
 *   exit_us          µs since start_us
 *   ticks            how many ticks ran
 *   largest_gap_us   the longest interval between two ticks, minus the 1 ms asked for
 *   gaps_over_16ms   how many such gaps exceed 16 ms (a frame at 60 Hz)
 *   ticks_per_100ms  N0 N1 ...: ticks in each 100 ms since start_us
 *   gap END_US GAP_US  one line per gap over GAP_RECORDED_US, END_US since start_us
 *
 * Built by the Makefile against glib-2.0 only (it is not part of the app, so no config.h).
 */

#define G_LOG_DOMAIN "tessera-bench-probe"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PROBE_ENV         "TESSERA_BENCH_PROBE_OUT"
#define TICK_MS           1
#define FRAME_US          16000
#define GAP_RECORDED_US   1000 /* smaller gaps are only counted, to keep the report short */
#define BUCKET_US         100000
#define MAX_RECORDED_GAPS 200000 /* 3.2 MB at most, so the probe cannot weigh on peak RSS */
#define MAX_BUCKETS       36000  /* an hour */

typedef struct
{
  gint64 end_us;
  gint64 gap_us;
} Gap;

static char *out_path;
static gint64 start_us;
static gint64 first_tick_us = -1;
static gint64 last_tick_us = -1;
static guint64 n_ticks;
static gint64 largest_gap_us;
static guint n_gaps_over_frame;
static GArray *gaps;    /* of Gap */
static GArray *buckets; /* of guint: ticks per BUCKET_US */

static void
count_tick (gint64 now_us)
{
  guint bucket = (guint) MIN (now_us / BUCKET_US, MAX_BUCKETS - 1);

  if (bucket >= buckets->len)
    g_array_set_size (buckets, bucket + 1);
  g_array_index (buckets, guint, bucket)++;
  n_ticks++;
}

static void
note_gap (gint64 now_us, gint64 gap_us)
{
  Gap gap = { now_us, gap_us };

  largest_gap_us = MAX (largest_gap_us, gap_us);
  if (gap_us > FRAME_US)
    n_gaps_over_frame++;
  if (gap_us > GAP_RECORDED_US && gaps->len < MAX_RECORDED_GAPS)
    g_array_append_val (gaps, gap);
}

static gboolean
on_tick (gpointer data)
{
  gint64 now_us = g_get_monotonic_time () - start_us;

  if (last_tick_us >= 0)
    note_gap (now_us, MAX (0, now_us - last_tick_us - TICK_MS * 1000));
  else
    first_tick_us = now_us;
  last_tick_us = now_us;
  count_tick (now_us);
  return G_SOURCE_CONTINUE;
}

/* Runs when the app first iterates its default main context, so the ticks time the app's loop. */
static gboolean
start_ticking (gpointer data)
{
  g_timeout_add (TICK_MS, on_tick, NULL);
  return G_SOURCE_REMOVE;
}

static void
write_report (FILE *out)
{
  fprintf (out, "start_us %" G_GINT64_FORMAT "\n", start_us);
  fprintf (out, "first_tick_us %" G_GINT64_FORMAT "\n", first_tick_us);
  fprintf (out, "exit_us %" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start_us);
  fprintf (out, "ticks %" G_GUINT64_FORMAT "\n", n_ticks);
  fprintf (out, "largest_gap_us %" G_GINT64_FORMAT "\n", largest_gap_us);
  fprintf (out, "gaps_over_16ms %u\n", n_gaps_over_frame);
  fprintf (out, "ticks_per_100ms");
  for (guint i = 0; i < buckets->len; i++)
    fprintf (out, " %u", g_array_index (buckets, guint, i));
  fprintf (out, "\n");
  for (guint i = 0; i < gaps->len; i++)
    {
      const Gap *gap = &g_array_index (gaps, Gap, i);
      fprintf (out, "gap %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", gap->end_us, gap->gap_us);
    }
}

static void
report_at_exit (void)
{
  g_autofree char *path = g_strdup_printf ("%s.%d", out_path, (int) getpid ());
  FILE *out = fopen (path, "w");

  if (out == NULL)
    {
      perror (path);
      return;
    }
  write_report (out);
  if (fclose (out) != 0)
    perror (path);
}

__attribute__ ((constructor)) static void
probe_init (void)
{
  const char *path = g_getenv (PROBE_ENV);

  if (path == NULL || *path == '\0')
    return;
  start_us = g_get_monotonic_time ();
  out_path = g_strdup (path);
  gaps = g_array_new (FALSE, FALSE, sizeof (Gap));
  buckets = g_array_new (FALSE, TRUE, sizeof (guint));
  g_idle_add_full (G_PRIORITY_DEFAULT, start_ticking, NULL, NULL);
  if (atexit (report_at_exit) != 0)
    g_warning ("Cannot report at exit");
}
