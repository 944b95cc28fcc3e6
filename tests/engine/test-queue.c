/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-queue.c: the loader's queue ranks what is on screen first, and re-ranks at once */

#define G_LOG_DOMAIN "test-queue"

#include "config.h"

#include <glib.h>

#include "tessera-queue.h"

/* Items are their own priority, shifted so that none is NULL. */
#define ITEM(priority)    GINT_TO_POINTER ((priority) + 1000)
#define PRIORITY_OF(item) (GPOINTER_TO_INT (item) - 1000)

static TesseraQueue *
queue_of_positions (int n)
{
  TesseraQueue *queue = tessera_queue_new (NULL);

  for (int i = 0; i < n; i++)
    tessera_queue_push (queue, i, (guint64) i, ITEM (i));
  return queue;
}

/* Pops @n items and returns their priorities, "a b c". */
static char *
pop_n (TesseraQueue *queue, guint n)
{
  g_autoptr (GString) order = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      gpointer item = tessera_queue_pop (queue, NULL, NULL);

      g_assert_nonnull (item);
      g_string_append_printf (order, "%s%d", i > 0 ? " " : "", PRIORITY_OF (item));
    }
  return g_strdup (order->str);
}

static void
test_no_focus_is_priority_order (void)
{
  g_autoptr (TesseraQueue) queue = tessera_queue_new (NULL);
  g_autofree char *order = NULL;

  tessera_queue_push (queue, 5, 0, ITEM (5));
  tessera_queue_push (queue, 1, 1, ITEM (1));
  tessera_queue_push (queue, 3, 2, ITEM (3));
  order = pop_n (queue, 3);
  g_assert_cmpstr (order, ==, "1 3 5");
  g_assert_null (tessera_queue_pop (queue, NULL, NULL));
}

/* On screen, then the next screen down, then the screen above nearest first, then the rest
 * nearest first. */
static void
test_focus_order (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (40);
  g_autofree char *order = NULL;

  tessera_queue_set_focus (queue, 20, 24, 5);
  order = pop_n (queue, 40);
  g_assert_cmpstr (order, ==,
                   "20 21 22 23 24 " /* on screen */
                   "25 26 27 28 29 " /* the next screen */
                   "19 18 17 16 15 " /* the screen above */
                   "30 14 31 13 32 12 33 11 34 10 35 9 36 8 37 7 38 6 39 5 4 3 2 1 0");
}

/* Moving the focus re-ranks what is still waiting, without touching the items. */
static void
test_refocus_reranks (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (1000);
  g_autofree char *top = NULL;
  g_autofree char *end = NULL;
  g_autofree char *back = NULL;

  tessera_queue_set_focus (queue, 0, 2, 3);
  top = pop_n (queue, 3);
  g_assert_cmpstr (top, ==, "0 1 2");
  /* The person presses End. */
  tessera_queue_set_focus (queue, 997, 999, 3);
  end = pop_n (queue, 6);
  g_assert_cmpstr (end, ==, "997 998 999 996 995 994");
  /* And Home again: what is left near the top goes first. */
  tessera_queue_set_focus (queue, 0, 2, 3);
  back = pop_n (queue, 4);
  g_assert_cmpstr (back, ==, "3 4 5 6");
  g_assert_cmpuint (tessera_queue_get_length (queue), ==, 1000 - 13);
}

/* Urgent (negative) priorities go before any focus; a removed item never comes out. */
static void
test_urgent_and_remove (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (10);
  g_autofree char *order = NULL;

  tessera_queue_push (queue, -1, 100, ITEM (-1));
  tessera_queue_push (queue, -2, 101, ITEM (-2));
  tessera_queue_set_focus (queue, 5, 6, 1);
  g_assert_true (tessera_queue_remove (queue, 6, 6) == ITEM (6));
  g_assert_null (tessera_queue_remove (queue, 6, 6));
  g_assert_null (tessera_queue_remove (queue, 6, 99));
  order = pop_n (queue, 11);
  g_assert_cmpstr (order, ==, "-2 -1 5 7 4 8 3 9 2 1 0");
  g_assert_null (tessera_queue_pop (queue, NULL, NULL));
}

/* The extra workers a jump brings take only what is on screen or on the next screen. */
/* A save of thousands goes after what is in view (the screen, the next one, the one above)
 * and before the rest, so the screen never waits for it; urgent items still go first. */
static void
test_after_view (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (10);
  g_autofree char *order = NULL;

  tessera_queue_push (queue, G_MININT + 1, 100, ITEM (-9));
  tessera_queue_push (queue, TESSERA_QUEUE_AFTER_VIEW_MAX, 101, ITEM (-8));
  tessera_queue_push (queue, -1, 102, ITEM (-1));
  tessera_queue_set_focus (queue, 5, 6, 1);
  order = pop_n (queue, 13);
  g_assert_cmpstr (order, ==, "-1 5 6 7 4 -9 -8 8 3 9 2 1 0");
  g_assert_null (tessera_queue_pop (queue, NULL, NULL));
}

static void
test_pop_in_view (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (100);
  g_autofree char *order = NULL;

  tessera_queue_set_focus (queue, 50, 53, 4);
  g_assert_true (tessera_queue_remove (queue, 55, 55) == ITEM (55));
  for (int i = 0; i < 7; i++)
    g_assert_nonnull (tessera_queue_pop_in_view (queue, NULL, NULL));
  /* 50-53 on screen and 54, 56, 57 below: nothing else is in view. */
  g_assert_null (tessera_queue_pop_in_view (queue, NULL, NULL));
  order = pop_n (queue, 2);
  g_assert_cmpstr (order, ==, "49 48");
  tessera_queue_push (queue, -5, 1000, ITEM (-5));
  g_assert_true (tessera_queue_pop_in_view (queue, NULL, NULL) == ITEM (-5));
}

/* Equal priorities keep submission order. */
static void
test_ties_in_sequence (void)
{
  g_autoptr (TesseraQueue) queue = tessera_queue_new (NULL);
  g_autofree char *order = NULL;

  tessera_queue_push (queue, 4, 7, ITEM (1));
  tessera_queue_push (queue, 4, 3, ITEM (0));
  tessera_queue_push (queue, 4, 9, ITEM (2));
  order = pop_n (queue, 3);
  g_assert_cmpstr (order, ==, "0 1 2");
}

static gboolean
accept_odd (gpointer item, gpointer user_data)
{
  return GPOINTER_TO_INT (item) % 2 == 1;
}

static gboolean
accept_only (gpointer item, gpointer user_data)
{
  return item == user_data;
}

/* A taker passes the items it cannot take, in rank order, and they keep their places; it
 * looks no further than the lookahead. */
static void
test_declined_keep_places (void)
{
  g_autoptr (TesseraQueue) queue = queue_of_positions (40);
  g_autofree char *order = NULL;

  tessera_queue_set_focus (queue, 10, 12, 2);
  g_assert_true (tessera_queue_pop (queue, accept_odd, NULL) == ITEM (11));
  g_assert_true (tessera_queue_pop_in_view (queue, accept_odd, NULL) == ITEM (13));
  /* 14 is the last in view, and even. */
  g_assert_null (tessera_queue_pop_in_view (queue, accept_odd, NULL));
  order = pop_n (queue, 5);
  g_assert_cmpstr (order, ==, "10 12 14 9 8");

  /* Ranked now: 15, 7, 16, 6, ..., 1, 22, 0, 23, 24: 0 is the 16th best; without it, 24 is
   * the 17th. */
  g_assert_true (tessera_queue_pop (queue, accept_only, ITEM (0)) == ITEM (0));
  g_assert_null (tessera_queue_pop (queue, accept_only, ITEM (24)));
  g_assert_cmpuint (tessera_queue_get_length (queue), ==, 40 - 8);
  g_free (order);
  order = pop_n (queue, 3);
  g_assert_cmpstr (order, ==, "15 7 16");
}

static guint n_freed;

static void
count_free (gpointer item)
{
  n_freed++;
}

static void
test_free_releases_waiting (void)
{
  TesseraQueue *queue = tessera_queue_new (count_free);

  n_freed = 0;
  for (int i = 0; i < 5; i++)
    tessera_queue_push (queue, i, (guint64) i, ITEM (i));
  g_assert_nonnull (tessera_queue_pop (queue, NULL, NULL));
  tessera_queue_free (queue);
  g_assert_cmpuint (n_freed, ==, 4);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/queue/no-focus-is-priority-order", test_no_focus_is_priority_order);
  g_test_add_func ("/queue/focus-order", test_focus_order);
  g_test_add_func ("/queue/refocus-reranks", test_refocus_reranks);
  g_test_add_func ("/queue/urgent-and-remove", test_urgent_and_remove);
  g_test_add_func ("/queue/ties-in-sequence", test_ties_in_sequence);
  g_test_add_func ("/queue/pop-in-view", test_pop_in_view);
  g_test_add_func ("/queue/after-view", test_after_view);
  g_test_add_func ("/queue/declined-keep-places", test_declined_keep_places);
  g_test_add_func ("/queue/free-releases-waiting", test_free_releases_waiting);
  return g_test_run ();
}
