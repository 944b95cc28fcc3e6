/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-queue.h: the loader's waiting requests, ranked around what the person looks at */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Priorities at or below this are urgent only after what is in view (steps 1 to 3 below)
 * and before the rest: work a person asked for that must not leave the screen blank
 * meanwhile (a save of thousands of images). */
#define TESSERA_QUEUE_AFTER_VIEW_MAX (G_MININT / 2)

/* Items wait with a priority and a sequence number (unique; the submission order). A
 * negative priority is urgent: such items go first, lowest first (those at or below
 * TESSERA_QUEUE_AFTER_VIEW_MAX only once nothing in view waits). Non-negative priorities
 * are positions on one axis (a tile's place in its grid), and a focus on that axis ranks
 * them, the way a person reads a grid:
 *
 *   1. inside the focus [first, last] (what is on screen), in order;
 *   2. within @span after it (the next screen down), in order;
 *   3. within @span before it (the screen above), nearest first;
 *   4. the rest, nearest to the focus first, below before above at equal distance.
 *
 * Equal priorities go in sequence order. Moving the focus costs O(1) and re-ranks every
 * waiting item at once; taking the best item costs O(log n). Without a focus set (the
 * default, [0, 0] with no span), items go in priority order. Every function is
 * thread-safe. */
typedef struct _TesseraQueue TesseraQueue;

/* @free_item (may be NULL) releases items still waiting when the queue is freed. */
TesseraQueue *tessera_queue_new (GDestroyNotify free_item);
void tessera_queue_free (TesseraQueue *queue);

/* Adds @item (not NULL) with @priority; @sequence must not be waiting already. */
void tessera_queue_push (TesseraQueue *queue, int priority, guint64 sequence, gpointer item);
/* Takes the item waiting under @priority and @sequence out of the queue and returns it
 * (ownership goes to the caller), or NULL when it is not waiting (never was, or taken). */
gpointer tessera_queue_remove (TesseraQueue *queue, int priority, guint64 sequence);
/* Whether the taker can take @item now; called with the queue's lock held, so it must not
 * call the queue. It may set fields of @item that only takers use. */
typedef gboolean (*TesseraQueueAccept) (gpointer item, gpointer user_data);

/* How many items, best first, a taker is offered before it gets nothing: enough to pass
 * the requests to a host whose connections are busy, few enough to keep the lock short. */
#define TESSERA_QUEUE_LOOKAHEAD 16

/* Takes the best-ranked item that @accept (may be NULL: any) takes out of the queue and
 * returns it (ownership goes to the caller), or NULL when none is waiting or @accept
 * declined the best TESSERA_QUEUE_LOOKAHEAD. Declined items keep their places. */
gpointer tessera_queue_pop (TesseraQueue *queue, TesseraQueueAccept accept, gpointer user_data);
/* Like tessera_queue_pop(), but only an urgent item or one on screen or on the next screen
 * (ranks 1 and 2 above); NULL otherwise. */
gpointer tessera_queue_pop_in_view (TesseraQueue *queue, TesseraQueueAccept accept,
                                    gpointer user_data);
/* Ranks waiting items around [@first, @last] (positions, @first <= @last) with @span
 * positions of look-ahead on either side; see above. */
void tessera_queue_set_focus (TesseraQueue *queue, int first, int last, int span);
guint tessera_queue_get_length (TesseraQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraQueue, tessera_queue_free)

G_END_DECLS
